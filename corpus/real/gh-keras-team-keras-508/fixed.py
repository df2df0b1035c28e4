"""Iris species classifier: tanh MLP with dropout, softmax output, SGD with Nesterov momentum."""
import os
os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split

keras.utils.set_random_seed(0)

iris = load_iris()
X, y = iris.data.astype("float32"), iris.target
Y = keras.utils.to_categorical(y, 3)
X_train, X_test, y_train, y_test = train_test_split(X, Y, test_size=0.20, random_state=42)
mean, std = X_train.mean(axis=0), X_train.std(axis=0)
X_train, X_test = (X_train - mean) / std, (X_test - mean) / std

small = keras.initializers.RandomUniform(-0.05, 0.05, seed=0)
model = keras.Sequential([
    keras.Input(shape=(4,)),
    layers.Dense(10, kernel_initializer=small, activation="tanh"),
    layers.Dropout(0.5),
    layers.Dense(10, kernel_initializer=small, activation="tanh"),
    layers.Dropout(0.5),
    layers.Dense(3, kernel_initializer=small, activation="softmax"),
])
sgd = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
model.compile(loss="categorical_crossentropy", optimizer=sgd)
model.fit(X_train, y_train, epochs=100, batch_size=128, verbose=0)

accuracy = float(np.mean(model.predict(X_test, verbose=0).argmax(1) == y_test.argmax(1)))
print(f"HELDOUT accuracy={accuracy:.4f}")
