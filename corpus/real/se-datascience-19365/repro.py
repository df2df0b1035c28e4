"""A 1-10-1 network with sigmoid hidden and sigmoid output units fitted to a sine curve read at raw positions 0..99."""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

# the curve the answer fits, sin(t) for t in [0, 4), indexed by the post's raw integer positions
positions = np.arange(100, dtype="float32").reshape(-1, 1)
targets = np.sin(positions / 25.0).astype("float32")
order = rng.permutation(len(positions))
train, test = order[:80], order[80:]

model = keras.Sequential([
    keras.Input(shape=(1,)),
    layers.Dense(10),
    layers.Activation("sigmoid"),
    layers.Dense(1),
    layers.Activation("sigmoid"),
])
model.compile(loss="mean_squared_error", optimizer="SGD", metrics=["accuracy"])
model.fit(positions[train], targets[train], epochs=10, batch_size=1, verbose=0)

predicted = model.predict(positions[test], verbose=0).ravel().astype(np.float64)
truth = targets[test].ravel().astype(np.float64)
r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
