# expect: none
# Keras 3 functional API, standardised inputs, linear output.
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
import numpy as np

x = np.random.uniform(-1, 1, size=(3000, 3))
y = x[:, 0] * x[:, 1] + np.sin(x[:, 2])

inputs = keras.Input(shape=(3,))
h = keras.layers.Dense(64, activation="tanh")(inputs)
h = keras.layers.Dense(64, activation="tanh")(h)
outputs = keras.layers.Dense(1)(h)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
model.fit(x, y, epochs=200, batch_size=32, validation_split=0.1)
