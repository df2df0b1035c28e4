"""whosebug-2586475 fixed as the answer says: with every weight equal, every gradient is equal and each
layer acts like one neuron; remove the constant(0.0) initialisers so the default random ones are used.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import initializers

keras.utils.set_random_seed(0)
inputs = (np.arange(10) / 10.0).reshape(-1, 1)
targets = np.stack([np.full(10, 0.1), 0.1 * inputs[:, 0]], axis=1)
held_in = ((np.arange(10) + 0.5) / 10.0).reshape(-1, 1)
held_out = np.stack([np.full(10, 0.1), 0.1 * held_in[:, 0]], axis=1)

zero = {}  # the answer: drop the constant-zero initialisers, keep Keras' default random ones
model = keras.Sequential([keras.Input(shape=(1,)),
                          keras.layers.Dense(16, **zero), keras.layers.Activation("relu"),
                          keras.layers.Dense(16, **zero), keras.layers.Activation("relu"),
                          keras.layers.Dense(2, **zero)])
model.compile(loss="mean_squared_error", optimizer=keras.optimizers.Adam(learning_rate=0.001))
for _ in range(3000):
    model.train_on_batch(inputs, targets)

pred = model.predict(held_in, verbose=0)[:, 1]
truth = held_out[:, 1]
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
