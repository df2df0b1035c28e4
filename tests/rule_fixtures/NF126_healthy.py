# NF126 healthy: the same classifier with a sigmoid output.
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
import numpy as np

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
X = rng.normal(size=(600, 4))
y = (X[:, 0] + X[:, 1] > 0).astype("float32")
model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
model.fit(X, y, epochs=15, batch_size=32, verbose=0)
