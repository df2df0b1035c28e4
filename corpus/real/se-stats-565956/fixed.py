"""se-stats-565956 fixed as the answer says: with one output unit, categorical cross-entropy keeps only
-y log p, which is minimised by p = 1 whatever the input (Keras even renormalises the single output to 1,
so the gradient is zero); a one-unit sigmoid output needs binary cross-entropy.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

n_rows, n_timesteps, n_features = 4000, 5, 10
x = rng.integers(0, 5, size=(n_rows, n_timesteps, n_features)).astype("float32")
y = ((x[:, -1, 0] + x[:, -1, 3]) >= 3).astype("float32").reshape(-1, 1)

order = rng.permutation(n_rows)
train, test = order[:3200], order[3200:]

model = keras.Sequential([
    keras.Input(shape=(n_timesteps, n_features)),
    layers.LSTM(256, recurrent_activation="hard_sigmoid"),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(x[train], y[train], epochs=10, batch_size=32, verbose=0)

predicted = model.predict(x[test], verbose=0).ravel() > 0.5
accuracy = float(np.mean(predicted == (y[test].ravel() > 0.5)))
print(f"HELDOUT accuracy={accuracy:.4f}")
