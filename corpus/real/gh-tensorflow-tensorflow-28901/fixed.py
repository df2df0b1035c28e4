"""gh-tensorflow-tensorflow-28901 fixed as the answer in the thread says: give the targets the shape
of the predictions (y[:, tf.newaxis]) so the squared error is taken element by element.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
import torch

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
x = rng.uniform(-1.0, 1.0, size=(1024, 2)).astype("float32")
y = (2.0 * x[:, 0] - x[:, 1] + rng.normal(0.0, 0.1, size=1024)).astype("float32")   # shape (n,)
test, train = np.arange(800, 1024), np.arange(800)

model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1)])
optimizer = keras.optimizers.Adam(learning_rate=1e-3)


def train_step(x_batch, y_batch):
    y_batch = y_batch[:, None]                                   # the fix: (16,) -> (16, 1)
    y_pred = model(x_batch, training=True)                       # shape (16, 1)
    loss = keras.ops.mean(keras.ops.square(y_batch - y_pred))
    model.zero_grad()
    loss.backward()
    gradients = [v.value.grad for v in model.trainable_weights]
    with torch.no_grad():
        optimizer.apply(gradients, model.trainable_weights)


for epoch in range(10):
    order = rng.permutation(train)
    for start in range(0, len(order), 16):
        batch = order[start:start + 16]
        train_step(torch.from_numpy(x[batch]), torch.from_numpy(y[batch]))

pred = model.predict(x[test], verbose=0).reshape(-1)
truth = y[test]
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
