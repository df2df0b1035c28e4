"""Nonlinear regression with a tanh output unit, unscaled inputs and mean absolute error.

Facts from https://github.com/keras-team/keras/issues/1874 (written anew): four input features ->
Dense(500) tanh -> Dropout(0.5) -> Dense(1) tanh, loss mean_absolute_error, RMSprop; the result is "far
from satisfying". The post gives neither data nor epochs: 2000 rows of four features in [0, 100] with a
smooth nonlinear target between about 0 and 20 are synthesised; 60 epochs of batch 32; 400 rows held out.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

x = rng.uniform(0.0, 100.0, size=(2000, 4)).astype("float32")
y = (10.0 + 5.0 * np.sin(x[:, 0] / 20.0) + 0.05 * x[:, 1] + 3.0 * np.tanh((x[:, 2] - 50.0) / 15.0)
     - 0.02 * x[:, 3]).reshape(-1, 1).astype("float32")
order = rng.permutation(len(x))
train, test = order[:1600], order[1600:]

model = keras.Sequential([
    keras.Input(shape=(4,)),
    layers.Dense(500, activation="tanh"),
    layers.Dropout(0.5),
    layers.Dense(1, activation="tanh"),
])
model.compile(loss="mean_absolute_error", optimizer="rmsprop")
model.fit(x[train], y[train], epochs=60, batch_size=32, verbose=0)

pred = model.predict(x[test], verbose=0).ravel()
truth = y[test].ravel()
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
