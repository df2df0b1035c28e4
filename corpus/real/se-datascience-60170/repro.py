"""A six-layer Dense stack without activations learns sums but not products of two numbers.

Facts from https://datascience.stackexchange.com/questions/60170 (written anew): pairs of random
integers in 1..1000, inputs and targets divided by largest * n_numbers; Sequential Dense(20),
Dense(100), Dense(1000), Dense(100), Dense(20), Dense(1), none with an activation; adam, MSE;
1000 examples, batch 100, 500 epochs (100 here, to stay within the corpus CPU budget). With the sum as target it is exact; with the product
(multiplication / squares) it fails. The product variant's scaling is not in what we could read:
the product is divided by largest^2 here.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
largest, n_numbers = 1000, 2
pairs = rng.integers(1, largest + 1, size=(1250, n_numbers))
X = pairs.astype("float64") / float(largest * n_numbers)
y = (pairs[:, 0] * pairs[:, 1]).astype("float64").reshape(-1, 1) / float(largest ** 2)
test, train = np.arange(1000, 1250), np.arange(1000)

model = keras.Sequential([
    keras.Input(shape=(n_numbers,)),
    keras.layers.Dense(20),
    keras.layers.Dense(100),
    keras.layers.Dense(1000),
    keras.layers.Dense(100),
    keras.layers.Dense(20),
    keras.layers.Dense(1),
])
model.compile(loss="mean_squared_error", optimizer="adam")
model.fit(X[train], y[train], epochs=100, batch_size=100, verbose=0)

pred = model.predict(X[test], verbose=0).reshape(-1)
truth = y[test].reshape(-1)
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
