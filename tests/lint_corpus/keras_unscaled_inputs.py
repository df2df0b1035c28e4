# expect: NF105
# Keras 3: inputs up to 1000 fed raw; targets are small.
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
import numpy as np

X = np.random.uniform(1, 1000, size=(5000, 1))
y = np.log(X) / 7
model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(64, activation="tanh"), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(X, y, epochs=100, batch_size=32)
