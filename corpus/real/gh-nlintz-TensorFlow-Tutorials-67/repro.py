"""The tutorial's one-weight line y = w x, with the inputs stretched from [-1, 1] to [-1, 20].

Facts from https://github.com/nlintz/TensorFlow-Tutorials/issues/67 (written anew): the linear
regression tutorial fits w in y = w * x (no bias, w starts at 0) to 101 points, y = 2x + noise of
sd 0.33, by plain gradient descent with learning rate 0.01 on the squared error, one sample at a
time in order, 100 epochs. It works for x in [-1, 1]; with x = linspace(-1, 20, 101) the learned w
becomes nan.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

x = np.linspace(-1, 20, 101).reshape(-1, 1)
y = 2 * x + rng.normal(0, 0.33, size=x.shape)
x_test = rng.uniform(-1, 20, size=(200, 1))
y_test = 2 * x_test + rng.normal(0, 0.33, size=x_test.shape)

model = keras.Sequential([
    keras.Input(shape=(1,)),
    keras.layers.Dense(1, use_bias=False, kernel_initializer="zeros"),
])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="mse")
model.fit(x, y, epochs=100, batch_size=1, shuffle=False, verbose=0)
print("w =", model.layers[0].get_weights()[0].ravel())

pred = model.predict(x_test, verbose=0).reshape(-1)
truth = y_test.reshape(-1)
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
