"""An LSTM binary classifier whose single output unit uses softmax, trained with binary cross-entropy.

Facts from https://stackoverflow.com/questions/47241622 (written anew): binary feature vectors with a
binary class label; train_test_split 80/20; Sequential LSTM(128, return_sequences=False, stateful=True,
batch_input_shape=(200, steps, features)) then Dense(1, activation='softmax'); binary_crossentropy,
adam, accuracy; batch_size 200, 1 epoch, shuffle=True. Accuracy stays near 55 % while an MLP reaches
97 %. Here: 2500 sequences of 8 steps x 8 binary features, label 1 when more than half of the bits are
set; the post's labels were 1/-1, taken as 1/0 here; LSTM(32), not stateful, 10 epochs (CPU budget).
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

n, steps, features = 2500, 8, 8
C = rng.integers(0, 2, size=(n, steps, features)).astype("float32")
r = (C.reshape(n, -1).sum(axis=1) > steps * features / 2).astype("float32")
order = rng.permutation(n)
train, test = order[:2000], order[2000:]

model = keras.Sequential([
    keras.Input(shape=(steps, features)),
    keras.layers.LSTM(32, return_sequences=False),
    keras.layers.Dense(1, activation="softmax"),      # softmax over one unit is always 1.0
])
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(C[train], r[train], batch_size=200, epochs=10, shuffle=True, verbose=0)

prob = model.predict(C[test], verbose=0).reshape(-1)
accuracy = float(np.mean((prob > 0.5) == (r[test] > 0.5)))
print(f"HELDOUT accuracy={accuracy:.4f}")
