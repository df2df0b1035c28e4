"""gh-keras-team-keras-112 fixed as the thread says: enough updates (batch_size=4, many epochs) and
a sigmoid output unit, trained as in the working reply (SGD lr 0.1, momentum 0.9, nesterov, MSE).

Facts from https://github.com/keras-team/keras/issues/112 (written anew): the poster builds Dense(2)-sigmoid,
Dense(1)-softmax, compiles with categorical_crossentropy and plain SGD and fits the four XOR rows for
nb_epoch=5, batch_size=32; predict_proba is always 1.0 and the class always 0, also after 400 or 4000 epochs
with binary_crossentropy. The maintainer's reply: a batch of 32 over 4 samples is one update per epoch,
5 updates in all, far too few. A later reply in the thread gives a working net: the same 2-2-1 shape with a
sigmoid output, SGD(lr=0.1, decay=1e-6, momentum=0.9, nesterov=True), mean squared error, batch_size=4 and
10000 epochs. The held-out points are ours: the four corners jittered by Gaussian noise (sd 0.15), labelled
by the XOR of their corner.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
y = np.array([[0], [1], [1], [0]], dtype="float32")

corner = rng.integers(0, 4, size=400)
x_test = (x[corner] + rng.normal(0.0, 0.15, size=(400, 2))).astype("float32")
y_test = y[corner].ravel()

model = keras.Sequential([
    keras.Input(shape=(2,)),
    layers.Dense(2, activation="sigmoid"),
    layers.Dense(1, activation="sigmoid"),
])
sgd = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
model.compile(loss="mean_squared_error", optimizer=sgd)
history = model.fit(x, y, epochs=1500, batch_size=4, verbose=0)
print(f"loss first={history.history['loss'][0]:.4f} last={history.history['loss'][-1]:.4f}")
print("train predictions", model.predict(x, verbose=0).ravel())

p = model.predict(x_test, verbose=0).ravel()
accuracy = float(np.mean((p > 0.5) == (y_test > 0.5)))
print(f"HELDOUT accuracy={accuracy:.4f}")
