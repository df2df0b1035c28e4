"""Keras binary classifier (breast-cancer features) with one sigmoid output trained on binary cross-entropy."""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np
import torch

torch.set_num_threads(1)
import keras
from keras import layers
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

keras.utils.set_random_seed(0)

data = load_breast_cancer()  # 569 rows, 30 features, bundled with scikit-learn
X = data.data
y = (data.target == 0).astype("float32")  # 1 = malignant, as a label encoder of "B"/"M" gives
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
scaler = StandardScaler()
X_train = scaler.fit_transform(X_train).astype("float32")
X_test = scaler.transform(X_test).astype("float32")

model = keras.Sequential([
    keras.Input(shape=(30,)),
    layers.Flatten(),
    layers.Dense(16, activation="relu", kernel_initializer="random_uniform"),
    layers.Dropout(0.1),
    layers.Dense(16, activation="relu", kernel_initializer="random_uniform"),
    layers.Dropout(0.1),
    layers.Dense(1, activation="sigmoid", kernel_initializer="random_uniform"),
])
model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.binary_crossentropy,
              metrics=["accuracy"])
model.fit(X_train, y_train.reshape(-1, 1), batch_size=100, epochs=100, verbose=0)

prob = model.predict(X_test, verbose=0).ravel()
acc = float(((prob > 0.5).astype("float32") == y_test).mean())
print(f"HELDOUT accuracy={acc:.4f}")
