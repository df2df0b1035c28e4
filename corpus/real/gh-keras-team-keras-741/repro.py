"""Seven-tag classifier (each row may carry several tags) with a Keras MLP."""
import os
os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

n, d, tags = 3000, 20, 7
x = rng.normal(size=(n, d)).astype("float32")
directions = rng.normal(size=(d, tags))
y = (x @ directions / np.sqrt(d) > 0.5).astype("float32")     # multi-hot rows, e.g. 1 0 1 0 0 0 0

order = rng.permutation(n)
train, test = order[:2400], order[2400:]

model = keras.Sequential([
    keras.Input(shape=(d,)),
    layers.Dense(64, activation="relu"),
    layers.Dense(64, activation="relu"),
    layers.Dense(tags, activation="softmax"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(x[train], y[train], epochs=15, batch_size=32, verbose=2)

predicted = model.predict(x[test], verbose=0) > 0.5
accuracy = float(np.mean(np.all(predicted == (y[test] > 0.5), axis=1)))   # every tag of the row right
print(f"HELDOUT accuracy={accuracy:.4f}")
