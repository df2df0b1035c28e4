# expect: none
# Seed 4 done right: log-transform makes the product a sum; linear output.
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
import numpy as np

a = np.random.randint(1, 500, size=20000)
b = np.random.randint(1, 500, size=20000)
X = np.log(np.column_stack([a, b])) / np.log(500)
y = np.log(a * b) / np.log(250000)
model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(32, activation="tanh"), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse", metrics=["mae"])
model.fit(X, y, epochs=50, batch_size=32)
