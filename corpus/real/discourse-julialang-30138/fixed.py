"""discourse-julialang-30138 fixed as the replies say: give the hidden layer a non-linear activation
(relu), and train on the whole batch at once with ADAM(0.1) (the reply's setting, converging well by
1000 epochs), which also removes the ordered one-point-at-a-time updates. The inputs keep their range.
Same data and held-out points.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
import keras

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
x_train = np.linspace(-10, 10, 201, dtype="float32").reshape(-1, 1)
y_train = x_train[:, 0] ** 2
x_test = rng.uniform(-10, 10, size=(100, 1)).astype("float32")
y_test = x_test[:, 0] ** 2

model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(10, activation="relu"),
                          keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1), loss="mse")
model.fit(x_train, y_train, batch_size=len(x_train), epochs=1000, verbose=0)

pred = model.predict(x_test, verbose=0)[:, 0]
r2 = 1.0 - np.sum((y_test - pred) ** 2) / np.sum((y_test - y_test.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
