"""Linear regression by gradient descent whose target placeholder has shape (N,) against predictions
of shape (N, 1): the loss is taken over N x N pairs and the fit never reaches W = 5, b = 2.

Facts from https://github.com/matroid/dlwithtf/issues/14 (written anew): the book's chapter 3
example fits y = 5 x + 2 (+ noise) with a weight W and a bias b (both drawn from a unit normal)
by minimising the summed squared error with Adam(0.001) for 8000 steps; y is fed as shape (N,)
while y_pred = x W + b has shape (N, 1), so y - y_pred is (N, N) and the loss is very largely
overestimated; giving y the shape (N, 1) makes training reach W = 5, b = 2 (the maintainer
agreed). Here: N = 100 training points x ~ U(0, 1), noise 0.1 (the book's values), a Keras
Dense(1) with unit-normal initial weights as x W + b, trained full-batch on the torch backend;
25 more points of the same relation are held out.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
import torch

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
N = 100
x_all = rng.uniform(0.0, 1.0, size=(N + 25, 1)).astype("float32")
y_all = (5.0 * x_all[:, 0] + 2.0 + rng.normal(0.0, 0.1, size=N + 25)).astype("float32")   # (n,)
x_np, y_np = x_all[:N], y_all[:N]

model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(
    1, kernel_initializer=keras.initializers.RandomNormal(stddev=1.0),
    bias_initializer=keras.initializers.RandomNormal(stddev=1.0))])   # y_pred = x W + b
optimizer = keras.optimizers.Adam(learning_rate=0.001)
x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
for step in range(8000):
    y_pred = model(x, training=True)                        # (N, 1)
    loss = keras.ops.sum(keras.ops.square(y - y_pred))      # (N,) - (N, 1) -> (N, N)
    model.zero_grad()
    loss.backward()
    gradients = [v.value.grad for v in model.trainable_weights]
    with torch.no_grad():
        optimizer.apply(gradients, model.trainable_weights)

pred = model.predict(x_all[N:], verbose=0).reshape(-1)
truth = y_all[N:]
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
