"""Malignant/benign classifier on the breast-cancer table bundled with scikit-learn; Keras MLP, sigmoid output."""
import os
os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers
from sklearn.datasets import load_breast_cancer

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

data = load_breast_cancer()
x = data.data.astype("float32")
y = data.target.astype("float32").reshape(-1, 1)
order = rng.permutation(len(x))
train, test = order[:455], order[455:]
mean, std = x[train].mean(axis=0), x[train].std(axis=0)
x = (x - mean) / std

model = keras.Sequential([
    keras.Input(shape=(30,)),
    layers.Dense(16, activation="relu"),
    layers.Dense(16, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(x[train], y[train], epochs=30, batch_size=32, verbose=2)

predicted = model.predict(x[test], verbose=0) > 0.5
accuracy = float(np.mean(predicted == (y[test] > 0.5)))
print(f"HELDOUT accuracy={accuracy:.4f}")
