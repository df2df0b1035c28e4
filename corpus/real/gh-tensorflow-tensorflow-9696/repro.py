"""A Keras MLP regression on 13 z-scored housing features (target in thousands of dollars) whose epoch count was never applied."""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(42)
rng = np.random.default_rng(42)

# 506 rows like the Boston table: 13 z-scored features, median value around 22 (thousands)
n = 506
features = rng.normal(size=(n, 13)).astype("float32")
medv = (22 + 5 * features[:, 5] - 4 * features[:, 12] + 1.5 * features[:, 5] * features[:, 12]
        - 2 * features[:, 10] + 2 * rng.normal(size=n))
target = np.clip(medv, 5, 50).astype("float32").reshape(-1, 1)
order = rng.permutation(n)
train, test = order[:380], order[380:]          # test_size=0.25


def build_nn():
    model = keras.Sequential([
        keras.Input(shape=(13,)),
        layers.Dense(75, activation="relu", kernel_initializer="normal"),
        layers.Dense(1, kernel_initializer="normal"),
    ])
    model.compile(loss="mean_squared_error", optimizer="adam")
    return model


model = build_nn()
# the post passed nb_epoch=100 to the scikit-learn wrapper, which ignored it and ran its default 10 epochs
model.fit(features[train], target[train], epochs=10, batch_size=32, verbose=0)

predicted = model.predict(features[test], verbose=0).ravel().astype(np.float64)
truth = target[test].ravel().astype(np.float64)
r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
