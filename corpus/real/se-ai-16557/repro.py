"""Binary vectors to a real value through four hidden layers of 500 sigmoid units: the loss stays high.

Facts from https://ai.stackexchange.com/questions/16557 (written anew): a large set of binary input
vectors mapped to real-valued outputs; four hidden layers of 500 neurons, sigmoid activation in each;
the network does not learn and its loss stays high even on the training data. The post's data and
optimiser settings are not given: 4000 random 32-bit vectors with a linear-plus-interaction target
(standard deviation about 1) are synthesised, trained with plain SGD (lr 0.01, batch 100, 10 epochs),
and 800 rows are held out.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

n_rows, n_bits = 4000, 32
x = rng.integers(0, 2, size=(n_rows, n_bits)).astype("float32")
coefficients = rng.normal(size=n_bits) / 3.0
y = (x @ coefficients + 0.5 * x[:, 0] * x[:, 1] - 0.4 * x[:, 2] * x[:, 3]).reshape(-1, 1).astype("float32")

order = rng.permutation(n_rows)
train, test = order[:3200], order[3200:]

model = keras.Sequential([
    keras.Input(shape=(n_bits,)),
    layers.Dense(500, activation="sigmoid"),
    layers.Dense(500, activation="sigmoid"),
    layers.Dense(500, activation="sigmoid"),
    layers.Dense(500, activation="sigmoid"),
    layers.Dense(1),
])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="mse")
model.fit(x[train], y[train], epochs=10, batch_size=100, verbose=0)

pred = model.predict(x[test], verbose=0).ravel()
truth = y[test].ravel()
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
