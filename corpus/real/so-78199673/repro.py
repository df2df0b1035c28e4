"""One Dense unit asked to learn y = 10 x from ten points, trained for 100 epochs.

Facts from https://stackoverflow.com/questions/78199673 (written anew): a tf.keras Sequential model of a
single Dense(1) unit, RMSprop(learning_rate=0.005), mean squared error, 100 epochs on x = 1..10 and
y = 10 x (default batch size, so one update per epoch); its predictions for x = 11, 12, 13 are far off.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras

keras.utils.set_random_seed(0)

x = np.arange(1, 11, dtype="float32").reshape(-1, 1)
y = 10.0 * x
x_test = np.arange(11, 21, dtype="float32").reshape(-1, 1)   # the post asks for 11, 12, 13
y_test = 10.0 * x_test

model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.005), loss="mse")
history = model.fit(x, y, epochs=100, verbose=0)
print("final training loss", history.history["loss"][-1])

pred = model.predict(x_test, verbose=0).reshape(-1)
truth = y_test.reshape(-1)
print("predictions for 11, 12, 13:", pred[:3])
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
