"""One bias-free ReLU unit taught to reproduce a ReLU, its single weight started at +10 (same orientation as the target)."""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

x = rng.normal(size=(100_000, 1)).astype("float32")
y = np.maximum(x, 0.0)                       # target: ReLU of the input
x_test = rng.normal(size=(2000, 1)).astype("float32")
y_test = np.maximum(x_test, 0.0)

model = keras.Sequential([
    keras.Input(shape=(1,)),
    layers.Dense(1, use_bias=False),
    layers.ReLU(),
])
model.set_weights([np.array([[10.0]], dtype="float32")])    # started on the side where the unit is active for x > 0
model.compile(loss="mean_squared_error", optimizer="sgd")
model.fit(x, y, batch_size=1000, epochs=20, verbose=0)

predicted = model.predict(x_test, verbose=0).ravel().astype(np.float64)
truth = y_test.ravel().astype(np.float64)
r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
