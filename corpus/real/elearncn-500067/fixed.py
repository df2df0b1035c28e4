"""The iris program fixed as the accepted answer lists: standardise the features (training statistics),
a much smaller network (two ReLU layers of 150 units), and 100 epochs instead of one.

Facts from the Stack Overflow question "Why I'm getting bad result with Keras vs random forest or knn?"
(read from the mirror https://e-learn.cn/qa/q-500067.html, written anew). Same data and held-out rows as
repro.py.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split

keras.utils.set_random_seed(0)

data = load_iris()
x = data.data.astype("float32")
y = keras.utils.to_categorical(data.target, 3)
x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, random_state=0)
mean, std = x_train.mean(axis=0), x_train.std(axis=0)
x_train, x_test = (x_train - mean) / std, (x_test - mean) / std

model = keras.Sequential([
    keras.Input(shape=(4,)),
    layers.Dense(150, activation="relu"),
    layers.Dense(150, activation="relu"),
    layers.Dense(3, activation="softmax"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=100, verbose=0)

accuracy = float(np.mean(model.predict(x_test, verbose=0).argmax(1) == y_test.argmax(1)))
print(f"HELDOUT accuracy={accuracy:.4f}")
