"""y = 10 x fitted by a tanh network whose output unit is also tanh: the loss stays in the thousands.

Facts from https://stackoverflow.com/questions/77588498 (written anew): synthetic data y = 10.0 * x,
one input, one output; Input(1) -> Dense(16, tanh) -> Dense(8, tanh) -> Dense(4, tanh) ->
Dense(1, tanh); mean squared error; loss between about 2000 and 200000. The x range and optimiser
are not given; x = linspace(-20, 20, 1000) (the range the answer uses), Adam, 200 epochs.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras

keras.utils.set_random_seed(0)
x = np.linspace(-20.0, 20.0, 1000).reshape(-1, 1)
y = 10.0 * x
order = np.random.default_rng(0).permutation(len(x))
test, train = order[:200], order[200:]

inp = keras.Input((1,))
h = keras.layers.Dense(16, activation="tanh")(inp)
h = keras.layers.Dense(8, activation="tanh")(h)
h = keras.layers.Dense(4, activation="tanh")(h)
out = keras.layers.Dense(1, activation="tanh")(h)
model = keras.Model(inp, out)
model.compile(loss="mean_squared_error", optimizer="adam")
model.fit(x[train], y[train], epochs=200, verbose=0)

pred = model.predict(x[test], verbose=0).reshape(-1)
truth = y[test].reshape(-1)
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
