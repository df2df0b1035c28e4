"""A one-unit sigmoid LSTM classifier trained with categorical cross-entropy: the loss has no gradient.

Facts from https://stats.stackexchange.com/questions/565956 (written anew): sequences of 5 time steps of
10 label-encoded categorical features, a 0/1 target of shape (n, 1); LSTM(256,
recurrent_activation='hard_sigmoid') -> Dense(1, sigmoid), Adam, accuracy. With
loss='categorical_crossentropy' the model predicts a single class (26 % accuracy); with
binary_crossentropy it reaches 98 %. The data (430000 rows) are not available: 4000 sequences of
categories 0-4 are synthesised, the target is 1 when two features of the last step add up to 3 or more
(about 76 % ones). The post gives no epoch count or batch size: 10 epochs of batch 32 here.
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
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(x[train], y[train], epochs=10, batch_size=32, verbose=0)

predicted = model.predict(x[test], verbose=0).ravel() > 0.5
accuracy = float(np.mean(predicted == (y[test].ravel() > 0.5)))
print(f"HELDOUT accuracy={accuracy:.4f}")
