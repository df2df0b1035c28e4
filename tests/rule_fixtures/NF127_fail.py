# NF127 validation-split-unshuffled: sorted rows, validation_split takes the top of the range.
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
import numpy as np

keras.utils.set_random_seed(0)
x = np.linspace(0, 3, 1000).reshape(-1, 1)
y = np.sin(2 * x)
model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(32, activation="tanh"), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
model.fit(x, y, epochs=100, batch_size=32, validation_split=0.2, verbose=0)
