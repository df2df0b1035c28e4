# expect: NF102, NF121
# A pasted script whose indentation broke; the training setup is still readable.
import numpy as np
from tensorflow import keras

X = np.random.rand(2000, 1)
y = X ** 3

def build():
    model = keras.Sequential()
    model.add(keras.layers.Dense(32, activation="tanh", input_shape=(1,)))
  model.add(keras.layers.Dense(1))
    model.compile(optimizer="adam", loss="mse")
    return model

model = build()
    model.fit(X, y, epochs=1, batch_size=256)
