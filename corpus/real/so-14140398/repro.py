"""y = x*x learned by a 1-4-1 network whose output unit is a sigmoid: every prediction for x > 1 is ~1.

Facts from https://stackoverflow.com/questions/14140398 (written anew, ported to Keras 3): a small
back-propagation network (1 input unit, 4 hidden units, 1 output unit, sigmoid activations) is trained
on y = x*x; for an input of 2 it answers 0.9999..., and the same for every input above 1 (outputs are
only right while the target is between 0 and 1). The poster's data and trainer settings are not given:
we draw x uniformly in [0, 10] (400 rows: 300 train, 100 held out), plain SGD (learning rate 0.5),
squared error, batches of 10, 80 epochs.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
import keras

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
x = rng.uniform(0.0, 10.0, size=(400, 1)).astype("float32")
y = (x[:, 0] ** 2).astype("float32")
train, test = np.arange(300), np.arange(300, 400)

model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(4, activation="sigmoid"),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="mse")
model.fit(x[train], y[train], batch_size=10, epochs=80, verbose=0)

pred = model.predict(x[test], verbose=0)[:, 0]
truth = y[test]
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
