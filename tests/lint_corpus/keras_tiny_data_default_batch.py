# expect: NF102
# 50 samples, default batch size (32), 10 epochs: 20 updates.
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
import numpy as np

X = np.linspace(0, 1, 50)
y = np.sqrt(X)
model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(16, activation="tanh"), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(X, y, epochs=10)
