"""Keras one-unit linear regression on four points with SGD at its default learning rate, 100 epochs."""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np
import torch

torch.set_num_threads(1)
import keras

keras.utils.set_random_seed(0)

x_train = np.array([[1.0], [2.0], [3.0], [4.0]], dtype="float32")
y_train = np.array([[0.0], [-1.0], [-2.0], [-3.0]], dtype="float32")
# held-out points on the same line y = 1 - x
x_test = np.array([[0.5], [1.5], [2.5], [3.5], [5.0], [6.0]], dtype="float32")
y_test = 1.0 - x_test

model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
model.compile(loss="mse", optimizer=keras.optimizers.SGD())
model.fit(x_train, y_train, epochs=100, verbose=0)
print("train loss", float(model.evaluate(x_train, y_train, verbose=0)))

pred = model.predict(x_test, verbose=0)
r2 = 1.0 - float(((y_test - pred) ** 2).sum()) / float(((y_test - y_test.mean()) ** 2).sum())
print(f"HELDOUT r2={r2:.4f}")
