"""Small image classifier in the style of the Keras lab: Flatten, Dense 128 ReLU, softmax over the classes."""
import os
os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers
from sklearn.datasets import load_digits

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

digits = load_digits()
images = (digits.images * 255.0 / 16.0).astype("float32")      # 8x8 grey images, 0..255
labels = digits.target
order = rng.permutation(len(images))
train, test = order[:1437], order[1437:]

X_normalized = images / 255.0 - 0.5
y_one_hot = keras.utils.to_categorical(labels, 10)

model = keras.Sequential([
    keras.Input(shape=(8, 8)),
    layers.Flatten(),
    layers.Dense(128, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(X_normalized[train], y_one_hot[train], batch_size=128, epochs=2, validation_split=0.2, verbose=2)

accuracy = float(np.mean(model.predict(X_normalized[test], verbose=0).argmax(1) == labels[test]))
print(f"HELDOUT accuracy={accuracy:.4f}")
