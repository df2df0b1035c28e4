# expect: NF108
# Keras 3 regression that reports accuracy.
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
import numpy as np

x = np.linspace(-1, 1, 3000)
t = 0.5 * x ** 3 - x
model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(32, activation="tanh"), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mean_squared_error", metrics=["accuracy"])
model.fit(x, t, epochs=200, batch_size=32)
