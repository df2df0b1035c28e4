"""so-78199673 fixed as the answer says: the training loss had not converged after 100 one-batch
epochs; train for 2000 epochs with RMSprop(learning_rate=0.01) (same model, data and held-out points).
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
model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.01), loss="mse")
history = model.fit(x, y, epochs=2000, verbose=0)
print("final training loss", history.history["loss"][-1])

pred = model.predict(x_test, verbose=0).reshape(-1)
truth = y_test.reshape(-1)
print("predictions for 11, 12, 13:", pred[:3])
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
