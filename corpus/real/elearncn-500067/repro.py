"""Iris with a seven-layer tanh network (1000 down to 9 units), raw features, and a single epoch.

Facts from the Stack Overflow question "Why I'm getting bad result with Keras vs random forest or knn?"
(asked 2020-04-15; read from the mirror https://e-learn.cn/qa/q-500067.html, written anew): the iris table
from scikit-learn, labels one-hot encoded, 30 % held out; Dense 1000-500-250-125-64-32-9 with tanh, softmax
over 3 classes, Adam, categorical cross-entropy, model.fit with no epochs argument (one epoch, batch 32);
test accuracy about 0.71 against above 0.95 for a random forest or k-NN.
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

model = keras.Sequential([keras.Input(shape=(4,))]
                         + [layers.Dense(units, activation="tanh") for units in (1000, 500, 250, 125, 64, 32, 9)]
                         + [layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, verbose=0)

accuracy = float(np.mean(model.predict(x_test, verbose=0).argmax(1) == y_test.argmax(1)))
print(f"HELDOUT accuracy={accuracy:.4f}")
