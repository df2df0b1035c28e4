"""One sigmoid neuron asked to fit a curve whose values are all negative.

Facts from https://stackoverflow.com/questions/58887284 (written anew): a tf.keras model of a single
Dense(1, sigmoid) unit fits f(x) = -1 / (exp(10 x) + 1) sampled at 111 points of [-1, 1], Adam(0.01),
mean squared error. The post gives no epoch count; 300 full-batch-of-32 epochs are used here.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras

keras.utils.set_random_seed(0)


def target(x):
    return -1.0 / (np.exp(10.0 * x) + 1.0)


x = np.linspace(-1.0, 1.0, 111).reshape(-1, 1)
y = target(x)
order = np.random.default_rng(0).permutation(len(x))
test, train = order[:22], order[22:]

model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mean_absolute_error"])
model.fit(x[train], y[train], epochs=300, batch_size=32, verbose=0)

pred = model.predict(x[test], verbose=0).reshape(-1)
truth = y[test].reshape(-1)
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
