"""The binary classifier fixed as the accepted answer says: two softmax units, one-hot targets.

Facts from the thread "Binary classification with Softmax" (a Stack Overflow question, read through
the mirror https://boohere.com/ru/detail/80265.html and a scraped copy; written anew): a binary
classifier with a sigmoid output and binary_crossentropy reaches about 98 % accuracy; the same model
with softmax and categorical_crossentropy stays below 40 %; the targets are a list of 0s and 1s. The
accepted answer: with one output unit the second model can only ever answer one class; use
Dense(2, activation='softmax') with categorical_crossentropy (or keep sigmoid + binary_crossentropy).
The post's layers were shown as an image we cannot read: a small Dense network on drawn data here.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

n = 1500
X = rng.normal(size=(n, 8)).astype("float32")
y = (X[:, 0] + 0.8 * X[:, 1] - 0.5 * X[:, 2] * X[:, 3] > 0.3).astype("float32")   # list of 0s and 1s
train, test = np.arange(1200), np.arange(1200, n)

model = keras.Sequential([
    keras.Input(shape=(8,)),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(16, activation="relu"),
    keras.layers.Dense(2, activation="softmax"),     # the answer: one unit per class
])
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
onehot = keras.utils.to_categorical(y[train], 2)
model.fit(X[train], onehot, epochs=10, batch_size=32, verbose=0)

prob = model.predict(X[test], verbose=0)
pred = prob.argmax(axis=1).astype("float32")
accuracy = float(np.mean(pred == y[test]))
print(f"HELDOUT accuracy={accuracy:.4f}")
