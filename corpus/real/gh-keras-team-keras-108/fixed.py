"""gh-keras-team-keras-108 fixed as the comment in the thread says: a linear regression needs no tanh on
its output (tanh caps predictions at 1), and mean squared error converges faster than absolute error.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
x = rng.uniform(0.0, 5.0, size=(625, 2))
y = x.sum(axis=1, keepdims=True)
test, train = np.arange(500, 625), np.arange(500)

model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1), keras.layers.Activation("linear")])
model.compile(loss="mse", optimizer="rmsprop")
model.fit(x[train], y[train], epochs=150, batch_size=16, verbose=0)

pred = model.predict(x[test], verbose=0).reshape(-1)
truth = y[test].reshape(-1)
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
