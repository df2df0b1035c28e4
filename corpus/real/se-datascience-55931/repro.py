"""A 1-5-1 sigmoid network asked whether a number is above 5, trained with model.fit's defaults.

Facts from https://datascience.stackexchange.com/questions/55931 (written anew, ported from
TensorFlow.js to Keras 3): a sequential model with a dense layer of 5 sigmoid units on one input and a
dense sigmoid output unit, compiled with mean squared error and the 'sgd' optimiser, fitted with
model.fit(xs, ys) and no options on the numbers 1..9 (label 1 above 5, else 0). The predictions do not
even follow the trend. TensorFlow.js's fit runs 1 epoch with batches of 32 unless told otherwise, and
its 'sgd' uses a learning rate of 0.01. Our data: x uniform in [0, 10] (unscaled, as in the post),
label x > 5; 200 training rows, 100 held out.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
import keras

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
x = rng.uniform(0.0, 10.0, size=(300, 1)).astype("float32")
y = (x[:, 0] > 5.0).astype("float32").reshape(-1, 1)
train, test = np.arange(200), np.arange(200, 300)

model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(5, activation="sigmoid"),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="mse")
model.fit(x[train], y[train], batch_size=32, epochs=1, verbose=0)   # TF.js fit() defaults

pred = (model.predict(x[test], verbose=0)[:, 0] > 0.5).astype("float32")
accuracy = float(np.mean(pred == y[test, 0]))
print(f"HELDOUT accuracy={accuracy:.4f}")
