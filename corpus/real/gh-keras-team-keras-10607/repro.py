"""Up/down trend classifier on 34 indicator features: a four-layer ReLU MLP trained with RMSprop."""
import os
os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

# 34 technical-indicator-like features; the trend label depends on a few of them.
n, d = 2000, 34
x = rng.normal(size=(n, d)).astype("float32")
score = 1.5 * x[:, 0] - x[:, 3] + 0.8 * x[:, 7] * x[:, 8] + 0.5 * np.tanh(x[:, 12])
y = (score + 0.3 * rng.normal(size=n) > 0).astype("float32")

order = rng.permutation(n)
train, test = order[:1600], order[1600:]

model = keras.Sequential([
    keras.Input(shape=(d,)),
    layers.Dense(512, activation="relu"),
    layers.Dense(200, activation="relu"),
    layers.Dense(200, activation="relu"),
    layers.Dense(128, activation="relu"),
    layers.Dense(1, activation="softmax"),
])
model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["binary_accuracy"])
model.fit(x[train], y[train], epochs=2, batch_size=50, verbose=2)

probability = model.predict(x[test], batch_size=50, verbose=0).ravel()
accuracy = float(np.mean((probability > 0.5) == (y[test] > 0.5)))
print(f"HELDOUT accuracy={accuracy:.4f}")
