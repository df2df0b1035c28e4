"""so-58887284 fixed as the answer says: the sigmoid can only give values in (0, 1), so learn the
target mapped into that range (here its negation) and map the prediction back."""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras

keras.utils.set_random_seed(0)


def target(x):
    return -1.0 / (np.exp(10.0 * x) + 1.0)


x = np.linspace(-1.0, 1.0, 111).reshape(-1, 1)
y = target(x)
order = np.random.default_rng(0).permutation(len(x))
test, train = order[:22], order[22:]

model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mean_absolute_error"])
model.fit(x[train], -y[train], epochs=300, batch_size=32, verbose=0)

pred = -model.predict(x[test], verbose=0).reshape(-1)
truth = y[test].reshape(-1)
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
