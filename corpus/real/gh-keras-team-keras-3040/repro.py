"""y = 2x learned by one Dense unit with plain SGD: weights become NaN within the first epoch.

Facts from https://github.com/keras-team/keras/issues/3040 (written anew): x = 0, 1, ..., 199 as
floats, y = 2x; Sequential([Dense(1, input_dim=1)]); SGD(lr=0.001, decay=1e-6, momentum=0);
mean squared error; one epoch with batch_size=1. (Keras 3 has no `decay`; at 1e-6 per step over
160 steps it changes nothing, so it is left out.)
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras

keras.utils.set_random_seed(0)
x = 1.0 * np.arange(200).reshape(-1, 1)
y = 2.0 * x
order = np.random.default_rng(0).permutation(200)
test, train = order[:40], order[40:]

model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
model.compile(loss="mean_squared_error", optimizer=keras.optimizers.SGD(learning_rate=0.001, momentum=0.0))
model.fit(x[train], y[train], epochs=1, batch_size=1, verbose=0)

pred = model.predict(x[test], verbose=0).reshape(-1)
truth = y[test].reshape(-1)
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
