"""One Dense unit fitted to y = 2x + 1 on seven points and no activation, as in the version that works."""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)


def hw_numbers(x):
    return 2 * x + 1


x = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], dtype=float)
y = np.array(hw_numbers(x))
# held-out points drawn from the same line and range
x_test = rng.uniform(1.0, 7.0, size=50)
y_test = hw_numbers(x_test)

model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(units=1)])
model.compile(optimizer="sgd", loss="mean_squared_error")
model.fit(x, y, epochs=30, verbose=0)

print("predict(10.0):", model.predict(np.array([10.0]), verbose=0).ravel())
pred = model.predict(x_test, verbose=0).ravel().astype(np.float64)
r2 = 1 - np.sum((y_test - pred) ** 2) / np.sum((y_test - y_test.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
