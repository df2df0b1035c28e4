"""Five-class image-feature classifier; the training rows come grouped by class, Keras fit with validation_split."""
import os
os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

n_per_class, d, classes = 400, 32, 5
centres = rng.normal(scale=1.2, size=(classes, d))
x = np.concatenate([centres[k] + rng.normal(size=(n_per_class, d)) for k in range(classes)]).astype("float32")
y = np.repeat(np.arange(classes), n_per_class)

# a random 20 % is kept apart for testing; the rest stays in class order, as it was read from disk
order = rng.permutation(len(x))
test = np.sort(order[:400])
train = np.sort(order[400:])
x_train, y_train = x[train], keras.utils.to_categorical(y[train], classes)

model = keras.Sequential([
    keras.Input(shape=(d,)),
    layers.Dense(64, activation="relu"),
    layers.Dense(64, activation="relu"),
    layers.Dense(classes, activation="softmax"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=10, batch_size=32, validation_split=0.2, shuffle=True, verbose=2)

accuracy = float(np.mean(model.predict(x[test], verbose=0).argmax(1) == y[test]))
print(f"HELDOUT accuracy={accuracy:.4f}")
