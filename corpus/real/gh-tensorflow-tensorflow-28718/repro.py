"""Transfer-learning head (pooled features of a frozen image model -> Dense(1) with no activation) compiled
with binary_crossentropy, which expects probabilities, not raw scores.

Facts from https://github.com/tensorflow/tensorflow/issues/28718 (written anew): the TensorFlow 2.0
"Transfer learning using pretrained ConvNets" tutorial (cats vs dogs) puts a frozen MobileNetV2 base,
GlobalAveragePooling2D and a Dense(1) layer without activation ("treated as a logit") in a model compiled
with RMSprop(lr=0.0001), loss='binary_crossentropy' (from_logits=False) and accuracy, trained 10 epochs,
batch 32. The images and the pretrained base cannot be used here: each image becomes a 1280-value
non-negative pooled feature vector (MobileNetV2's pooled size), rectified Gaussian noise shifted along one
random direction by the class, 1600 training and 400 held-out images.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

n_images, n_features = 2000, 1280
labels = rng.integers(0, 2, n_images)                      # 0 = cat, 1 = dog
direction = rng.normal(size=n_features) / np.sqrt(n_features)
pooled = np.maximum(rng.normal(size=(n_images, n_features)) + 6.0 * np.outer(2 * labels - 1, direction), 0)
pooled = pooled.astype("float32")
x_train, y_train = pooled[:1600], labels[:1600].astype("float32")
x_test, y_test = pooled[1600:], labels[1600:]

model = keras.Sequential([
    keras.Input(shape=(n_features,)),
    layers.Dense(1),                                        # raw score, no sigmoid
])
model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-4),
              loss="binary_crossentropy",                   # reads the raw score as a probability
              metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=10, batch_size=32, verbose=0)
print(f"final training loss {history.history['loss'][-1]:.3f}")

scores = model.predict(x_test, verbose=0).ravel()
accuracy = float(np.mean((scores > 0.5) == y_test))       # the loss treats the output as a probability
print(f"HELDOUT accuracy={accuracy:.4f}")
