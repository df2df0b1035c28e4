# expect: NF110
# A regression trained with a classification loss.
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
import numpy as np

X = np.random.uniform(0, 1, size=(3000, 1))
y = np.cos(4 * X)
model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(32, activation="tanh"), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(X, y, epochs=100, batch_size=32)
