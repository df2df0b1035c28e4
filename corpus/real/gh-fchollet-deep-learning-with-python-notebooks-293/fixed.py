"""gh-fchollet-deep-learning-with-python-notebooks-293 fixed as the issue says: the torch train_step
calls self.zero_grad() before the backward pass, so each step applies only its own gradient.

Facts from https://github.com/fchollet/deep-learning-with-python-notebooks/issues/293 (written anew):
the chapter 7 notebook ("Customizing fit() with PyTorch") subclasses keras.Model with a train_step that
runs the model, computes SparseCategoricalCrossentropy, calls loss.backward(), collects v.value.grad for
the trainable weights and applies them with self.optimizer.apply under torch.no_grad(); the model is
Input(784) -> Dense(512, relu) -> Dropout(0.5) -> Dense(10, softmax), Adam, fit for 3 epochs on MNIST.
The issue says the torch train_step needs self.zero_grad(), or else the results are terrible. MNIST cannot
be downloaded here: our data are 784-value "images" in [0, 1], ten noisy class templates, 6000 for
training and 2000 held out.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import torch
import keras
from keras import layers

keras.utils.set_random_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(0)

templates = rng.uniform(0.0, 1.0, size=(10, 784)) * (rng.uniform(size=(10, 784)) < 0.3)
labels = rng.integers(0, 10, size=8000)
images = np.clip(templates[labels] * rng.uniform(0.4, 1.0, size=(8000, 1))
                 + rng.normal(0.0, 1.0, size=(8000, 784)), 0.0, 1.0).astype("float32")
train_images, train_labels = images[:6000], labels[:6000]
test_images, test_labels = images[6000:], labels[6000:]

loss_fn = keras.losses.SparseCategoricalCrossentropy()
loss_tracker = keras.metrics.Mean(name="loss")


class CustomModel(keras.Model):
    def train_step(self, data):
        inputs, targets = data
        self.zero_grad()
        predictions = self(inputs, training=True)
        loss = loss_fn(targets, predictions)

        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]

        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)

        loss_tracker.update_state(loss)
        return {"loss": loss_tracker.result()}

    @property
    def metrics(self):
        return [loss_tracker]


inputs = keras.Input(shape=(28 * 28,))
features = layers.Dense(512, activation="relu")(inputs)
features = layers.Dropout(0.5)(features)
outputs = layers.Dense(10, activation="softmax")(features)
model = CustomModel(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam())
history = model.fit(train_images, train_labels, epochs=3, verbose=0)
print("training loss per epoch", [round(v, 4) for v in history.history["loss"]])

predicted = model.predict(test_images, verbose=0).argmax(axis=1)
accuracy = float(np.mean(predicted == test_labels))
print(f"HELDOUT accuracy={accuracy:.4f}")
