# expect: NF107
# Keras 3: a ReLU output for targets that are negative half of the time.
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
from keras import layers, models

X = np.random.uniform(0, 1, (2000, 1))
Y = np.sin(2 * np.pi * X)
m = models.Sequential([layers.Input(shape=(1,)), layers.Dense(32, activation="tanh"), layers.Dense(1, activation="relu")])
m.compile(optimizer="adam", loss="mse")
m.fit(X, Y, epochs=300, batch_size=32)
