"""se-datascience-60170 fixed as the answer says: a stack of Dense layers without non-linear activations
is one linear map and cannot multiply; give the hidden layers ReLU activations.
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
    keras.layers.Dense(20, activation="relu"),
    keras.layers.Dense(100, activation="relu"),
    keras.layers.Dense(1000, activation="relu"),
    keras.layers.Dense(100, activation="relu"),
    keras.layers.Dense(20, activation="relu"),
    keras.layers.Dense(1),
])
model.compile(loss="mean_squared_error", optimizer="adam")
model.fit(X[train], y[train], epochs=100, batch_size=100, verbose=0)

pred = model.predict(X[test], verbose=0).reshape(-1)
truth = y[test].reshape(-1)
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
