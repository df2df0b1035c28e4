"""Fitting y = x^2 with Dense layers that have no activation: a composition of linear maps stays linear.

Facts from https://discourse.julialang.org/t/simple-flux-model-not-learning/30138 (written anew, ported
from Flux to Keras 3). Only the replies are in the search index: the model is trained to output the
square of its input, x in [-10, 10], iterating through the data points one at a time in order, and its
layers have no non-linear activation. The question's exact layers and optimiser are not shown: we use
Dense(10) -> Dense(1) without activations, Adam (Flux's ADAM default, 1e-3), batch size 1, the ordered
grid of 201 points never shuffled, 10 epochs; 100 points drawn at random from [-10, 10] are held out.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
import keras

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
x_train = np.linspace(-10, 10, 201, dtype="float32").reshape(-1, 1)   # ordered, as iterated in the post
y_train = x_train[:, 0] ** 2
x_test = rng.uniform(-10, 10, size=(100, 1)).astype("float32")
y_test = x_test[:, 0] ** 2

model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(10), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="mse")
model.fit(x_train, y_train, batch_size=1, epochs=10, shuffle=False, verbose=0)

pred = model.predict(x_test, verbose=0)[:, 0]
r2 = 1.0 - np.sum((y_test - pred) ** 2) / np.sum((y_test - y_test.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
