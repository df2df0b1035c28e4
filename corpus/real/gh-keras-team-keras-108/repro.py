"""Regression of the sum of two numbers through a tanh output unit trained on mean absolute error.

Facts from https://github.com/keras-team/keras/issues/108 (written anew): the regression example in
the thread is Dense(2 -> 1) followed by a tanh activation, loss 'mean_absolute_error', optimiser
rmsprop, batch_size 16; a commenter trained it to predict the sum of two numbers and it stalled
(loss 0.69 after 100000 epochs), while a linear output with mean squared error converged in about
1000 epochs. The range of the numbers is not given; here each is uniform in [0, 5] (sums in [0, 10]),
500 training pairs, 150 epochs.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
x = rng.uniform(0.0, 5.0, size=(625, 2))
y = x.sum(axis=1, keepdims=True)
test, train = np.arange(500, 625), np.arange(500)

model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1), keras.layers.Activation("tanh")])
model.compile(loss="mean_absolute_error", optimizer="rmsprop")
model.fit(x[train], y[train], epochs=150, batch_size=16, verbose=0)

pred = model.predict(x[test], verbose=0).reshape(-1)
truth = y[test].reshape(-1)
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
