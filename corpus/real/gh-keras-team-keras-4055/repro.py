"""Three positive float inputs, one float target between -50 and 50, fitted by Dense(1) followed by a sigmoid."""
import os
os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

# the post's data file is not public: three positive inputs and a target spread over about -50..50
n = 762
X = rng.uniform(0.0, 1.0, size=(n, 3)).astype("float32")
y = (40 * X[:, 0] - 30 * X[:, 1] + 20 * X[:, 2] - 15 + rng.normal(0, 2, n)).astype("float32").reshape(-1, 1)
order = rng.permutation(n)
train, test = order[:610], order[610:]

model = keras.Sequential([
    keras.Input(shape=(3,)),
    layers.Dense(1),
    layers.Activation("sigmoid"),        # outputs confined to (0, 1)
])
model.compile(loss="mse", optimizer="sgd")
model.fit(X[train], y[train], epochs=100, batch_size=61, verbose=0)

predicted = model.predict(X[test], verbose=0).ravel().astype(np.float64)
truth = y[test].ravel().astype(np.float64)
r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
