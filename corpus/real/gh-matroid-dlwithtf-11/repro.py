"""A one-hidden-layer ReLU net fitted to y = 5x + 2 by a hand-written loop whose targets have shape (N,)
while the predictions have shape (N, 1); 200 Adam steps at 0.001.

Facts from https://github.com/matroid/dlwithtf/pull/11 (written anew): the book's chapter 4
fully-connected regression example: N = 50 points, x ~ U(0, 1), y = 5x + 2 + noise (scale 0.1),
y fed with shape (N,); hidden layer of 15 ReLU units, output layer of 1, all weights and biases drawn
from a unit normal; loss = sum((y - y_pred)^2); Adam(0.001); 200 steps. The merged fix makes the
squared error a vector of N terms (y_pred transposed to the shape of y) and trains 1000 steps.
Here the net is Keras 3 (torch backend) with a hand-written full-batch loop; 15 more points of the
same relation are held out.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
import torch

keras.utils.set_random_seed(456)
rng = np.random.default_rng(456)
N, n_hidden, n_steps = 50, 15, 200
x_all = rng.uniform(0.0, 1.0, size=(N + 15, 1)).astype("float32")
y_all = (5.0 * x_all[:, 0] + 2.0 + rng.normal(0.0, 0.1, size=N + 15)).astype("float32")   # (n,)

unit_normal = dict(kernel_initializer=keras.initializers.RandomNormal(stddev=1.0),
                   bias_initializer=keras.initializers.RandomNormal(stddev=1.0))
model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(n_hidden, activation="relu", **unit_normal),
                          keras.layers.Dense(1, **unit_normal)])
optimizer = keras.optimizers.Adam(learning_rate=0.001)
x, y = torch.from_numpy(x_all[:N]), torch.from_numpy(y_all[:N])
for step in range(n_steps):
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
