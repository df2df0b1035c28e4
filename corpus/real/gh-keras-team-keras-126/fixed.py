"""A toy two-feature binary classifier (label: x0 + x1 > 0.5) with a sigmoid output unit."""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

# the post's eight training points
X = np.array([[0.0, 0.1], [0.6, 0.8], [0.1, 0.2], [0.9, 0.8],
              [0.9, 0.7], [0.3, 0.0], [0.2, 0.2], [0.5, 0.9]], dtype="float32")
y = (X[:, 0] + X[:, 1] > 0.5).astype("int32")
# held-out points drawn from the same rule, 200 of each class (so that "always 1" scores 0.5)
pool = rng.uniform(0, 1, size=(4000, 2)).astype("float32")
pool_y = (pool[:, 0] + pool[:, 1] > 0.5).astype("int32")
keep = np.concatenate([np.flatnonzero(pool_y == 0)[:200], np.flatnonzero(pool_y == 1)[:200]])
X_test, y_test = pool[keep], pool_y[keep]

model = keras.Sequential([
    keras.Input(shape=(2,)),
    layers.Dense(64, kernel_initializer="random_uniform", activation="tanh"),
    layers.Dropout(0.5),
    layers.Dense(64, kernel_initializer="random_uniform", activation="tanh"),
    layers.Dropout(0.5),
    layers.Dense(1, kernel_initializer="random_uniform", activation="sigmoid"),   # a probability for one class
])
sgd = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
model.compile(loss="mean_squared_error", optimizer=sgd)
model.fit(X, y, epochs=100, batch_size=8, verbose=0)

predicted = model.predict(X_test, verbose=0).ravel() > 0.5
accuracy = float(np.mean(predicted == (y_test > 0.5)))
print(f"HELDOUT accuracy={accuracy:.4f}")
