"""gh-keras-team-keras-3040 fixed as the reporter found: the learning rate was too high for inputs up to 199;
at 1e-5 (below 1 / max(x)^2) plain SGD converges within the single epoch.
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
model.compile(loss="mean_squared_error", optimizer=keras.optimizers.SGD(learning_rate=1e-5, momentum=0.0))
model.fit(x[train], y[train], epochs=1, batch_size=1, verbose=0)

pred = model.predict(x[test], verbose=0).reshape(-1)
truth = y[test].reshape(-1)
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
