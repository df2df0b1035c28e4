# expect: none
# Seed 4's data, rescaled before training: inputs and targets in [0, 1].
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
from keras.layers import Dense, Input
from keras.models import Sequential

a = np.random.randint(0, 500, size=10000)
b = np.random.randint(0, 500, size=10000)
X = np.column_stack([a, b]) / 500.0
y = (a * b) / 250000.0
model = Sequential([Input(shape=(2,)), Dense(64, activation="relu"), Dense(64, activation="relu"), Dense(1)])
model.compile(optimizer="adam", loss="mse", metrics=["mae"])
model.fit(X, y, epochs=100, batch_size=32)
