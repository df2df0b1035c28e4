# expect: none
# Sigmoid output for targets scaled into [0, 1]: in range, nothing to report.
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
import numpy as np

x = np.random.uniform(-np.pi, np.pi, size=(4000, 1))
y = (np.sin(x) + 1) / 2
model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(32, activation="tanh"),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="mse")
model.fit(x, y, epochs=200, batch_size=64)
