"""gh-matroid-dlwithtf-14 fixed as the issue says: feed y with shape (N, 1), the shape of y_pred, so the
squared error is summed over N terms, not N x N.
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
x, y = torch.from_numpy(x_np), torch.from_numpy(y_np.reshape(N, 1))   # the fix: y as (N, 1)
for step in range(8000):
    y_pred = model(x, training=True)                        # (N, 1)
    loss = keras.ops.sum(keras.ops.square(y - y_pred))
    model.zero_grad()
    loss.backward()
    gradients = [v.value.grad for v in model.trainable_weights]
    with torch.no_grad():
        optimizer.apply(gradients, model.trainable_weights)

pred = model.predict(x_all[N:], verbose=0).reshape(-1)
truth = y_all[N:]
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
