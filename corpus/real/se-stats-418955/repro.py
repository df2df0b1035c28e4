"""Two stacked linear Dense(1) layers trained with plain SGD on an unscaled quadratic target: diverges.

Facts from https://stats.stackexchange.com/questions/418955 (written anew): x = 0..99, y = x^2 + 3;
x is standardised, y is not; Sequential Dense(1, activation=None), Dense(1, activation=None);
compile('sgd', loss='mse') (learning rate 0.01); 300 epochs at the default batch size.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras

keras.utils.set_random_seed(0)
x = np.arange(100, dtype="float64").reshape(-1, 1)
y = x ** 2 + 3
x_normed = (x - x.mean()) / x.std()
order = np.random.default_rng(0).permutation(100)
test, train = order[:20], order[20:]

model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1, activation=None),
                          keras.layers.Dense(1, activation=None)])
model.compile("sgd", loss="mse")
model.fit(x_normed[train], y[train], epochs=300, verbose=0)

pred = model.predict(x_normed[test], verbose=0).reshape(-1)
truth = y[test].reshape(-1)
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
