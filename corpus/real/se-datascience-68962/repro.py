"""Celsius -> Fahrenheit with one Dense unit: Adam(0.01) for 500 full-batch epochs leaves the bias short.

Facts from https://datascience.stackexchange.com/questions/68962 (written anew): the classic one-neuron
conversion net (one input, one output, no activation), 13 training examples, Adam with learning rate
0.01, 500 epochs; the weight reaches 1.8 but the bias stays well short of 32. The post gives no data: 13
Celsius values between -40 and 100 are used, and 30 other temperatures in that range are held out.
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
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mean_squared_error")
model.fit(celsius, fahrenheit, epochs=500, verbose=0)
weight, bias = model.layers[0].get_weights()
print(f"weight={weight.item():.3f} bias={bias.item():.3f}")

pred = model.predict(test_c, verbose=0).ravel()
truth = test_f.ravel()
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
