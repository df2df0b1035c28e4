"""Ten-class images on the raw 0..255 pixel scale classified by Dense 128 ReLU, Dense 128 ReLU, softmax; Adam; early stopping."""
import os
os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers
from sklearn.datasets import load_digits

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

# scikit-learn's bundled 8x8 digits stand in for Fashion-MNIST; pixels on the raw 0..255 scale
digits = load_digits()
X = (digits.data * (255.0 / 16.0)).astype("float32")
labels = digits.target
order = rng.permutation(len(X))
cut = int(0.8 * len(X))
train, test = order[:cut], order[cut:]
y = keras.utils.to_categorical(labels, 10)

model = keras.Sequential([
    keras.Input(shape=(64,)),
    layers.Dense(128, activation="relu"),
    layers.Dense(128, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(X[train], y[train], epochs=20, validation_data=(X[test], y[test]),
          callbacks=[keras.callbacks.EarlyStopping(patience=3)], verbose=0)

predicted = np.argmax(model.predict(X[test], verbose=0), axis=1)
accuracy = float(np.mean(predicted == labels[test]))
print(f"HELDOUT accuracy={accuracy:.4f}")
