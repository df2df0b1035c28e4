"""XOR with Keras: a linear first layer, ReLU everywhere else (output included), MSE and plain SGD.

Facts from https://stats.stackexchange.com/questions/433365 (written anew): 20000 integer rows of the four
XOR inputs (5000 of each), shuffled, target a XOR b; the first 15000 rows train, the last 5000 test. Model
Dense(2) (no activation) -> Dense(2, relu) -> Dense(1, relu), optimizer 'SGD' (Keras default lr 0.01),
loss mean squared error, 5 epochs with the default batch size; the loss sticks at 0.5.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(1)
rng = np.random.default_rng(1)

x = np.zeros((20000, 2), dtype=int)
x[5000:10000, 1] += 1
x[10000:15000, 0] += 1
x[15000:, :] += 1
rng.shuffle(x)
y = np.array([a ^ b for a, b in x])

x_train, y_train = x[:15000], y[:15000]
x_test, y_test = x[15000:], y[15000:]

model = keras.Sequential([
    keras.Input(shape=(2,)),
    layers.Dense(2),
    layers.Dense(2, activation="relu"),
    layers.Dense(1, activation="relu"),
])
model.compile(optimizer="SGD", loss="mean_squared_error")
model.fit(x_train, y_train, epochs=5, verbose=0)

pred = model.predict(x_test, verbose=0).ravel()
accuracy = float(np.mean((pred > 0.5).astype(int) == y_test))
print(f"HELDOUT accuracy={accuracy:.4f}")
