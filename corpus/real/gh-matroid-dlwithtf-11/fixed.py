"""gh-matroid-dlwithtf-11 fixed as the merged pull request does: transpose y_pred so y - y_pred is a
vector of N squared errors, and train 1000 steps instead of 200.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
import torch

keras.utils.set_random_seed(456)
rng = np.random.default_rng(456)
N, n_hidden, n_steps = 50, 15, 1000                      # the fix trains 1000 steps
x_all = rng.uniform(0.0, 1.0, size=(N + 15, 1)).astype("float32")
y_all = (5.0 * x_all[:, 0] + 2.0 + rng.normal(0.0, 0.1, size=N + 15)).astype("float32")   # (n,)

unit_normal = dict(kernel_initializer=keras.initializers.RandomNormal(stddev=1.0),
                   bias_initializer=keras.initializers.RandomNormal(stddev=1.0))
model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(n_hidden, activation="relu", **unit_normal),
                          keras.layers.Dense(1, **unit_normal)])
optimizer = keras.optimizers.Adam(learning_rate=0.001)
x, y = torch.from_numpy(x_all[:N]), torch.from_numpy(y_all[:N])
for step in range(n_steps):
    y_pred = keras.ops.transpose(model(x, training=True))   # the fix: (1, N), like y
    loss = keras.ops.sum(keras.ops.square(y - y_pred))      # N terms
    model.zero_grad()
    loss.backward()
    gradients = [v.value.grad for v in model.trainable_weights]
    with torch.no_grad():
        optimizer.apply(gradients, model.trainable_weights)

pred = model.predict(x_all[N:], verbose=0).reshape(-1)
truth = y_all[N:]
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
