"""so-63909566 fixed as the accepted answer says: softmax of a single value is always 1, so use a sigmoid
to squash the one output into [0, 1]. Same data and held-out rows.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
X = rng.integers(0, 6, size=(2000, 20)).astype(np.int8)
w = rng.normal(0.0, 0.4, size=20)
y = 1.0 / (1.0 + np.exp(-(X.astype(np.float64) @ w - (X.astype(np.float64) @ w).mean())))
test, train = np.arange(1600, 2000), np.arange(1600)

model = keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.optimizers.Adam(), loss="mse")
model.fit(X[train], y[train], batch_size=64, epochs=40, verbose=0)

pred = model.predict(X[test], verbose=0).reshape(-1)
truth = y[test]
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
