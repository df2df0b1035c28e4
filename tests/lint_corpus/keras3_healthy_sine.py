# expect: none
# Keras 3, healthy: scaled inputs, linear output, enough updates, default Adam.
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
import numpy as np

rng = np.random.default_rng(0)
X = rng.uniform(0, 1, size=(2000, 1))
y = np.sin(3 * X)

model = keras.Sequential([
    keras.Input(shape=(1,)),
    keras.layers.Dense(64, activation="tanh"),
    keras.layers.Dense(64, activation="tanh"),
    keras.layers.Dense(1),
])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="mse", metrics=["mae"])
model.fit(X, y, epochs=300, batch_size=32, verbose=0)
