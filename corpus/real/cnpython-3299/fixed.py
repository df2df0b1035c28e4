"""cnpython-3299 fixed as the answer says: the loss had not converged; with ten points one update per
epoch needs many more epochs (2000) and RMSprop at 0.01 to reach the minimum.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras

keras.utils.set_random_seed(0)
# Integer lists, as posted: NumPy makes them int64 arrays.
x = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).reshape(-1, 1)
y = np.array([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]).reshape(-1, 1)
x_new = np.array([[11], [12], [13]])
y_new = 10 * x_new

model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(units=1)])
model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.01), loss="mse")
model.fit(x, y, epochs=2000, verbose=0)

pred = model.predict(x_new, verbose=0).reshape(-1)
truth = y_new.reshape(-1)
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
