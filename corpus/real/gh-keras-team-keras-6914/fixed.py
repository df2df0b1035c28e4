"""The Keras MNIST MLP example (512-512 ReLU, dropout, softmax, RMSprop) on 8x8 digit images with 0-255 pixels."""
import os
os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers
from sklearn.datasets import load_digits

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

digits = load_digits()
pixels = np.round(digits.data * 255.0 / 16.0).astype("float32")     # grey levels 0..255, as in the Kaggle csv
labels = digits.target
order = rng.permutation(len(pixels))
train, test = order[:1437], order[1437:]

x_train, x_test = pixels[train], pixels[test]
x_train /= 255
x_test /= 255
y_train = keras.utils.to_categorical(labels[train], 10)

model = keras.Sequential([
    keras.Input(shape=(64,)),
    layers.Dense(512, activation="relu"),
    layers.Dropout(0.2),
    layers.Dense(512, activation="relu"),
    layers.Dropout(0.2),
    layers.Dense(10, activation="softmax"),
])
model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.RMSprop(), metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=128, epochs=20, verbose=2)

accuracy = float(np.mean(model.predict(x_test, verbose=0).argmax(1) == labels[test]))
print(f"HELDOUT accuracy={accuracy:.4f}")
