"""A one-weight linear regression in Keras whose loss is NaN from the first epoch.

Facts from https://stats.stackexchange.com/questions/284189 (written anew): one column of a small
advertising table (TV budget, about 0-300) predicts another (sales, about 1-27); the model is
Input(1) -> Dense(1, linear), SGD at its default rate, mean squared error, batch_size=1, 30 epochs,
shuffle=False. The table is not available here: 200 rows are synthesised with the same ranges and a
noisy linear relation (sales = 7 + 0.0475 * TV + noise).
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
tv = rng.uniform(0.7, 296.0, size=(200, 1))
sales = 7.0 + 0.0475 * tv + rng.normal(0.0, 1.6, size=(200, 1))
test, train = np.arange(160, 200), np.arange(160)

inputs = keras.Input(shape=(1,))
preds = keras.layers.Dense(1, activation="linear")(inputs)
model = keras.Model(inputs=inputs, outputs=preds)
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="mse", metrics=["mse"])
model.fit(tv[train], sales[train], batch_size=1, epochs=30, shuffle=False, verbose=0)

pred = model.predict(tv[test], verbose=0).reshape(-1)
truth = sales[test].reshape(-1)
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
