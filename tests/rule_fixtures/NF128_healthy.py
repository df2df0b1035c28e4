# NF128 healthy: the same targets kept as real numbers.
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
import numpy as np

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
x = rng.uniform(0, 1, size=(800, 1))
y = 4 * x ** 2
model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(16, activation="tanh"), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
model.fit(x, y, epochs=15, batch_size=32, verbose=0)
