# expect: NF101
# Keras 3: a 1-unit tanh layer between two wide ones.
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
import numpy as np

X = np.random.uniform(-1, 1, (4000, 2))
y = np.sin(X[:, 0]) * np.cos(X[:, 1])
model = keras.Sequential([
    keras.Input(shape=(2,)),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dense(1, activation="tanh"),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dense(1),
])
model.compile(optimizer="adam", loss="mse")
model.fit(X, y, epochs=200, batch_size=32)
