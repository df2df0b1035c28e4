"""Three-class classifier fit with validation_split=0.33 on rows stored class by class.

Facts from https://github.com/keras-team/keras/issues/7759 (written anew): the same data passed to
model.fit(validation_split=0.33, epochs=100, batch_size=200) either in stored order or after a random
permutation of the rows; training accuracy is close to 1 both times, validation accuracy is close to 1
after the permutation but about 0.36 in stored order. The issue shows neither data nor model: 3000 rows of
20 Gaussian-cluster features in three classes (45 %, 34 %, 21 %) stored class by class, a Dense 32-32 ReLU
softmax classifier with Adam are used; a random fifth of the rows (all classes) is the held-out test set.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

sizes, d = (1350, 1020, 630), 20
centres = rng.normal(scale=1.0, size=(3, d))
x = np.concatenate([centres[k] + rng.normal(size=(m, d)) for k, m in enumerate(sizes)]).astype("float32")
y = np.repeat(np.arange(3), sizes)

order = rng.permutation(len(x))
test, train = np.sort(order[:600]), np.sort(order[600:])  # the training rows keep their stored order
x_train, y_train = x[train], keras.utils.to_categorical(y[train], 3)

model = keras.Sequential([
    keras.Input(shape=(d,)),
    layers.Dense(32, activation="relu"),
    layers.Dense(32, activation="relu"),
    layers.Dense(3, activation="softmax"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, validation_split=0.33, epochs=100, batch_size=200, verbose=0)
print(f"train acc={history.history['accuracy'][-1]:.3f} val acc={history.history['val_accuracy'][-1]:.3f}")

accuracy = float(np.mean(model.predict(x[test], verbose=0).argmax(1) == y[test]))
print(f"HELDOUT accuracy={accuracy:.4f}")
