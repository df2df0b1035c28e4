"""Two yes/no flags predicted from 31 numeric columns (a row may have neither, one or both flags)."""
import os
os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

n, d = 3000, 31
X = rng.normal(size=(n, d)).astype("float32")
flag_a = X[:, 0] + 0.5 * X[:, 1] > 0.8
flag_b = X[:, 2] - 0.5 * X[:, 3] > 0.8
Y = np.stack([flag_a, flag_b], axis=1).astype("float32")        # most rows are [0, 0]

order = rng.permutation(n)
train, test = order[:2400], order[2400:]

model = keras.Sequential([
    keras.Input(shape=(d,)),
    layers.Dense(40, activation="relu", kernel_initializer="uniform"),
    layers.Dense(31, activation="relu", kernel_initializer="uniform"),
    layers.Dense(2, activation="sigmoid", kernel_initializer="uniform"),
])
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["binary_accuracy"])
model.fit(X[train], Y[train], epochs=1, batch_size=10, verbose=2)

predicted = model.predict(X[test], verbose=0) > 0.5
accuracy = float(np.mean(np.all(predicted == (Y[test] > 0.5), axis=1)))   # both flags right
print(f"HELDOUT accuracy={accuracy:.4f}")
