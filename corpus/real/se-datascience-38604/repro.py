"""Ten-class digit images classified by Dense 64 ReLU and ONE sigmoid unit trained with binary cross-entropy on labels 0..9."""
import os
os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers
from sklearn.datasets import load_digits

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

# scikit-learn's bundled 8x8 digits stand in for MNIST; pixels put on MNIST's raw 0..255 scale
digits = load_digits()
X = (digits.data * (255.0 / 16.0)).astype("float32")
y = digits.target.astype("float32")
order = rng.permutation(len(X))
cut = int(0.8 * len(X))
train, test = order[:cut], order[cut:]

model = keras.Sequential([
    keras.Input(shape=(64,)),
    layers.Dense(64, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
# Keras 3 on torch refuses binary cross-entropy targets outside [0, 1]; TensorFlow's Keras computed the
# formula anyway, so it is written out here (same clipping) to reproduce what the post's program trained on
def binary_crossentropy_any_target(y_true, y_pred):
    p = keras.ops.clip(y_pred, 1e-7, 1 - 1e-7)
    y_true = keras.ops.reshape(y_true, keras.ops.shape(p))
    return keras.ops.mean(-(y_true * keras.ops.log(p) + (1 - y_true) * keras.ops.log(1 - p)), axis=-1)


model.compile(optimizer="adam", loss=binary_crossentropy_any_target, metrics=["accuracy"])
model.fit(X[train], y[train], validation_split=0.33, epochs=10, verbose=0)

# one sigmoid unit read as a class the only way it can be: rounded to 0 or 1
predicted = np.round(model.predict(X[test], verbose=0).ravel())
accuracy = float(np.mean(predicted == y[test]))
print(f"HELDOUT accuracy={accuracy:.4f}")
