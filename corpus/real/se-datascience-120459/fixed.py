"""A quadratic y = 1.3 x^2 + 5.3 x + 4 on x in [-1000, 1000) fitted by Dense 64, Dense 16 with ReLU hidden activations, Dense 1 ReLU."""
import os
os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

x = np.arange(-1000, 1000, 0.74).astype("float32").reshape(-1, 1)
y = (1.3 * x ** 2 + 5.3 * x + 4).astype("float32")
order = rng.permutation(len(x))
cut = int(0.8 * len(x))
train, test = order[:cut], order[cut:]

model = keras.Sequential([
    keras.Input(shape=(1,)),
    layers.Dense(64, activation="relu"),   # the answer: a non-linearity in each hidden layer
    layers.Dense(16, activation="relu"),
    layers.Dense(1, activation="relu"),
])
model.compile(loss="mae", optimizer=keras.optimizers.Adam(learning_rate=0.01))
model.fit(x[train], y[train], epochs=100, verbose=0)

predicted = model.predict(x[test], verbose=0).ravel().astype(np.float64)
truth = y[test].ravel().astype(np.float64)
r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
