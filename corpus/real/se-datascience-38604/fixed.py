"""Ten-class digit images: pixels scaled to [0, 1], ten softmax outputs with sparse categorical cross-entropy."""
import os
os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers
from sklearn.datasets import load_digits

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

digits = load_digits()
X = (digits.data * (255.0 / 16.0)).astype("float32")
y = digits.target.astype("float32")
order = rng.permutation(len(X))
cut = int(0.8 * len(X))
train, test = order[:cut], order[cut:]

X = X / 255.0                                    # raw pixel values put on [0, 1]

model = keras.Sequential([
    keras.Input(shape=(64,)),
    layers.Dense(64, activation="relu"),
    layers.Dense(10, activation="softmax"),      # one output per class
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(X[train], y[train], validation_split=0.33, epochs=10, verbose=0)

predicted = np.argmax(model.predict(X[test], verbose=0), axis=1)
accuracy = float(np.mean(predicted == y[test]))
print(f"HELDOUT accuracy={accuracy:.4f}")
