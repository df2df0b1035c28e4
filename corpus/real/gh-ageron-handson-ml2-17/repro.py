"""The book's regression MLP fitted on the unscaled features although the scaled ones were computed.

Facts from https://github.com/ageron/handson-ml2/issues/17 (written anew): chapter 10's regression
MLP on the California housing table: train/valid/test split, a StandardScaler fitted on the
training set and applied to all three, then Sequential Dense(30, relu) -> Dense(1), MSE,
SGD(lr=1e-3), 20 epochs with validation data; the example passed the unscaled X_train to fit
instead of the scaled one, which the issue points out (the author fixed it before publication).
The table is not downloaded here: 6000 rows are synthesised with the eight columns' ranges
(median income, house age, rooms, bedrooms, population, occupancy, latitude, longitude) and a
median value (in $100k, 0.15-5) that depends on them.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras

keras.utils.set_random_seed(42)
rng = np.random.default_rng(42)
n = 6000
income = rng.gamma(4.0, 1.0, n).clip(0.5, 15.0)
age = rng.uniform(1, 52, n)
rooms = rng.normal(5.4, 1.2, n).clip(1.0, 40.0)
bedrooms = rng.normal(1.1, 0.1, n).clip(0.3, 5.0)
population = rng.lognormal(7.0, 0.7, n).clip(3, 35000)
occupancy = rng.lognormal(1.0, 0.3, n).clip(0.7, 50.0)
latitude = rng.uniform(32.5, 42.0, n)
longitude = rng.uniform(-124.3, -114.3, n)
X = np.column_stack([income, age, rooms, bedrooms, population, occupancy, latitude, longitude])
y = (0.45 * income + 0.01 * age - 0.25 * (occupancy - 3.0) - 0.12 * (latitude - 36.0)
     + 0.05 * (rooms - 5.4) + rng.normal(0.0, 0.3, n)).clip(0.15, 5.0)

order = rng.permutation(n)
test, valid, train = order[:1200], order[1200:2100], order[2100:]
X_train, X_valid, X_test = X[train], X[valid], X[test]
y_train, y_valid, y_test = y[train], y[valid], y[test]

mean, std = X_train.mean(axis=0), X_train.std(axis=0)       # StandardScaler fitted on the train rows
X_train_scaled = (X_train - mean) / std
X_valid_scaled = (X_valid - mean) / std
X_test_scaled = (X_test - mean) / std

model = keras.Sequential([keras.Input(shape=X_train.shape[1:]),
                          keras.layers.Dense(30, activation="relu"), keras.layers.Dense(1)])
model.compile(loss="mean_squared_error", optimizer=keras.optimizers.SGD(learning_rate=1e-3))
model.fit(X_train, y_train, epochs=20, validation_data=(X_valid, y_valid), verbose=0)

pred = model.predict(X_test, verbose=0).reshape(-1)
r2 = 1.0 - np.sum((y_test - pred) ** 2) / np.sum((y_test - y_test.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
