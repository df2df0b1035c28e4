"""Keras regression of y = 2x - 1 on seven points with a 4-2-1 ReLU network whose output unit is also a
ReLU, so it can never produce the negative targets, and whose tiny ReLU layers can die.

Facts from https://community.deeplearning.ai/t/loss-values-do-not-change/324182 (written anew): x = -1..5,
y = 2x - 1, Input(1) -> Dense(4, relu) -> Dense(2, relu) -> Dense(1, relu), MeanSquaredError, Adam(0.001),
500 epochs; in 6 or 7 of 10 runs the loss sticks at one value from the start, whatever the layers,
neurons, epochs or learning rate. The replies are not in the index; the fix used in fixed.py (a linear
output unit) comes from our reading of the program. Held-out points are ours: 50 x evenly spaced in [-1, 5].
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(6)

x = np.array([-1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0], dtype="float32").reshape(7, 1)
y = np.array([-3.0, -1.0, 1.0, 3.0, 5.0, 7.0, 9.0], dtype="float32").reshape(7, 1)
x_test = np.linspace(-1.0, 5.0, 50).reshape(-1, 1).astype("float32")
y_test = 2.0 * x_test.ravel() - 1.0

input_1 = keras.Input(shape=(1,))
dense_1 = layers.Dense(4, activation="relu")(input_1)
dense_2 = layers.Dense(2, activation="relu")(dense_1)
dense_3 = layers.Dense(1, activation="relu")(dense_2)        # output cannot go below 0
model = keras.Model(inputs=input_1, outputs=dense_3)
model.compile(loss=keras.losses.MeanSquaredError(), optimizer=keras.optimizers.Adam(0.001))
history = model.fit(x, y, epochs=500, verbose=0)
print(f"loss first={history.history['loss'][0]:.4f} last={history.history['loss'][-1]:.4f}")
print("prediction at 10:", model.predict(np.array([[10.0]], dtype="float32"), verbose=0).ravel())

p = model.predict(x_test, verbose=0).ravel().astype(np.float64)
r2 = 1 - np.sum((y_test - p) ** 2) / np.sum((y_test - y_test.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
