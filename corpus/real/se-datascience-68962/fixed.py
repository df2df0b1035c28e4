"""se-datascience-68962 fixed: the answer lists a learning rate that is much too low, and the poster confirms
that 500 epochs were not enough; a ten times larger Adam step (0.1) and 1500 epochs bring the bias to 32.

Facts from https://datascience.stackexchange.com/questions/68962 (written anew): one Dense unit, no
activation, 13 training examples, Adam(0.01), 500 epochs; weight 1.8 reached, bias short of 32. Same data
and held-out temperatures as repro.py.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

celsius = np.linspace(-40.0, 100.0, 13).reshape(-1, 1).astype("float32")
fahrenheit = celsius * 1.8 + 32.0
test_c = rng.uniform(-40.0, 100.0, size=(30, 1)).astype("float32")
test_f = test_c * 1.8 + 32.0

model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(0.1), loss="mean_squared_error")
model.fit(celsius, fahrenheit, epochs=1500, verbose=0)
weight, bias = model.layers[0].get_weights()
print(f"weight={weight.item():.3f} bias={bias.item():.3f}")

pred = model.predict(test_c, verbose=0).ravel()
truth = test_f.ravel()
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
