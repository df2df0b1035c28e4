"""se-ai-16557 fixed for the answer's diagnosis: the error signal is multiplied by the sigmoid derivative
(at most 0.25) at each of the four layers, so the early layers hardly learn (vanishing gradient). The
answer's visible text ends at the diagnosis; the standard remedy, a non-saturating activation (ReLU) in
the hidden layers, is used here.
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
    layers.Dense(500, activation="relu"),  # sigmoid derivatives (at most 0.25) shrink the signal layer by layer
    layers.Dense(500, activation="relu"),  # sigmoid derivatives (at most 0.25) shrink the signal layer by layer
    layers.Dense(500, activation="relu"),  # sigmoid derivatives (at most 0.25) shrink the signal layer by layer
    layers.Dense(500, activation="relu"),  # sigmoid derivatives (at most 0.25) shrink the signal layer by layer
    layers.Dense(1),
])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="mse")
model.fit(x[train], y[train], epochs=10, batch_size=100, verbose=0)

pred = model.predict(x[test], verbose=0).ravel()
truth = y[test].ravel()
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
