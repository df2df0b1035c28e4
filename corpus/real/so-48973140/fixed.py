"""so-48973140 fixed as we read the program (the answer in the index is about reading the MSE, not the
model): the targets are standardized, so the output unit must be linear; the sigmoid is removed.
Same data, layers, optimiser, epochs and held-out rows.

Original set-up: house prices standardized to mean 0 / sd 1, predicted through a sigmoid output unit.

Facts from https://stackoverflow.com/questions/48973140 (written anew, ported to Keras 3): house-price
targets (about $300,000 to $800,000) standardized with sklearn's StandardScaler; 36 input features; a
Sequential model Dense(36, relu) - Dense(18, relu) - Dense(1, sigmoid), compiled with MSE and 'sgd';
the reported MSE is about 0.62 on the standardized scale. Half of the standardized targets are
negative and the sigmoid output cannot go below 0 or above 1. The features, epochs and batch size are
not given: we draw 36 standardized features, a price that is linear in them plus a mild interaction,
1000 training rows and 300 held out, 60 epochs with batches of 32.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
import keras

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
n, d = 1300, 36
x = rng.normal(size=(n, d)).astype("float32")
coef = rng.normal(size=d)
price = 550_000 + 30_000 * (x @ coef) / np.sqrt(d) * 3 + 20_000 * x[:, 0] * x[:, 1] \
    + rng.normal(scale=15_000, size=n)
train, test = np.arange(1000), np.arange(1000, n)
y_mean, y_std = price[train].mean(), price[train].std()
y_scaled = ((price - y_mean) / y_std).astype("float32")

model = keras.Sequential([keras.Input(shape=(d,)), keras.layers.Dense(36, activation="relu"),
                          keras.layers.Dense(18, activation="relu"),
                          keras.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")
model.fit(x[train], y_scaled[train], batch_size=32, epochs=60, verbose=0)

pred = model.predict(x[test], verbose=0)[:, 0].astype(np.float64) * y_std + y_mean
truth = price[test]
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
