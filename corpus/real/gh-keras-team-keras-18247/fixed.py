"""gh-keras-team-keras-18247 fixed (our reading; no reply with a fix is in the index): a regression
output should be linear. A ReLU output unit whose pre-activation is negative for every input passes no
gradient, so it stays at 0 for good. Same data, features, held-out days and seed.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
import keras

SEED = 1
rng = np.random.default_rng(0)
days = 800
weekday = np.arange(days) % 7
level = 60 + 15 * np.sin(2 * np.pi * np.arange(days) / 30.0) + 10 * (weekday == 0)
series = np.where(weekday >= 5, 0.0, level + rng.normal(0, 8, days)).clip(0, None).astype("float32")
LAGS = 7
X = np.stack([series[i:i + LAGS] for i in range(days - LAGS)]).astype("float32")
y = series[LAGS:]
train, test = np.arange(600), np.arange(600, len(y))

keras.utils.set_random_seed(SEED)
model = keras.Sequential([keras.Input(shape=(LAGS,)), keras.layers.BatchNormalization(),
                          keras.layers.Dense(32, activation="relu"), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(128, activation="relu"), keras.layers.Flatten(),
                          keras.layers.Dense(1)])   # fix: linear output unit
model.compile(loss="mean_squared_error", optimizer=keras.optimizers.Adam())
model.fit(X[train], y[train], epochs=30, batch_size=31, verbose=0)

pred = model.predict(X[test], verbose=0)[:, 0]
truth = y[test]
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
