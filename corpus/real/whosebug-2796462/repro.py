"""A binary Conv1D classifier whose output layer is Dense(1) + softmax: it predicts class 1 for every row.

Facts from a Stack Overflow question read through its translation at
https://whosebug.com/question/2796462/Why-does-a-binary-Keras-CNN-always-predict-1 (written anew): about
6000 windows of shape (10, 4) (four standardised price series, values near -1.06), a 0/1 label;
Conv1D(16, 4, same) -> BatchNormalization -> LeakyReLU -> Dropout(0.2) -> Conv1D(8, 4, same) -> BN ->
LeakyReLU -> Dropout(0.2) -> Flatten -> Dense(64) -> BN -> LeakyReLU -> Dense(1) -> softmax; Adam,
binary_crossentropy, accuracy, batch 128, ReduceLROnPlateau on val_acc, the test set as validation_data.
Every prediction is 1 (confusion matrix [[0, 362], [0, 608]]). The price data are not available: windows
of a random walk from levels in [-1.1, -1.0] (steps of 0.05) are synthesised, labelled 1 when the last three steps rise above the first
seven (about 61 % ones). 20 epochs here instead of 100 to keep the run short.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

n_rows, steps, channels = 6000, 10, 4
level = rng.uniform(-1.1, -1.0, size=(n_rows, 1, 1))
walk = np.cumsum(rng.normal(0.0, 0.05, size=(n_rows, steps, 1)), axis=1)
windows = (level + walk + rng.normal(0.0, 0.01, size=(n_rows, steps, channels))).astype("float32")
rise = windows[:, 7:, :].mean(axis=(1, 2)) - windows[:, :7, :].mean(axis=(1, 2))
labels = (rise > -0.025).astype("float32")

order = rng.permutation(n_rows)
train, test = order[:4800], order[4800:]

model = keras.Sequential([
    keras.Input(shape=(steps, channels)),
    layers.Conv1D(16, 4, padding="same"), layers.BatchNormalization(), layers.LeakyReLU(), layers.Dropout(0.2),
    layers.Conv1D(8, 4, padding="same"), layers.BatchNormalization(), layers.LeakyReLU(), layers.Dropout(0.2),
    layers.Flatten(),
    layers.Dense(64), layers.BatchNormalization(), layers.LeakyReLU(),
    layers.Dense(1),
    layers.Activation("softmax"),
])
reduce_lr = keras.callbacks.ReduceLROnPlateau(monitor="val_accuracy", factor=0.9, patience=30, min_lr=1e-6)
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(windows[train], labels[train], epochs=20, batch_size=128, verbose=0,
          validation_data=(windows[test], labels[test]), callbacks=[reduce_lr], shuffle=True)

predicted = model.predict(windows[test], verbose=0).ravel() > 0.5
accuracy = float(np.mean(predicted == (labels[test] > 0.5)))
print(f"HELDOUT accuracy={accuracy:.4f}")
