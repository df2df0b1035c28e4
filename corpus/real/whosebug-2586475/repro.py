"""A two-output regression whose every weight and bias starts at 0: it predicts the mean forever.

Facts from a Stack Overflow question read through its translation at
https://whosebug.com/question/2586475/Multi-dimensional-regression-with-Keras (written anew): one input,
two outputs; Dense(16) relu -> Dense(16) relu -> Dense(2), every kernel and bias initialised with
initializers.constant(0.0); Adam(lr=0.001); MSE; inputs i / 10, targets [0.1, 0.01 i] for i = 0..9;
train_on_batch on all ten rows in an endless loop. The output's second column sticks at 0.045, the
mean. Here the loop runs 3000 steps; the held-out rows are the midpoints x = (i + 0.5) / 10 of the
same relation, and R2 is taken on the second output (the first is constant).
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

zero = dict(kernel_initializer=initializers.Constant(0.0), bias_initializer=initializers.Constant(0.0))
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
