"""A one-unit linear Keras regression of y = 10 x on ten points, RMSprop lr 0.01 for 2000 epochs (the answer)."""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras.layers import Dense
from keras.models import Sequential

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

x = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], dtype="float32")
y = np.array([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], dtype="float32")
# held out: points between and just beyond the training inputs (the post asks for 11, 12, 13)
x_test = np.concatenate([rng.uniform(1, 10, size=17), [11, 12, 13]]).astype("float32")
y_test = 10 * x_test

model = Sequential()
model.add(keras.Input(shape=(1,)))
model.add(Dense(units=1))
model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.01), loss="mse")
model.fit(x, y, epochs=2000, verbose=0)         # enough steps for the loss to reach its minimum

predicted = model.predict(x_test, verbose=0).ravel().astype(np.float64)
truth = y_test.astype(np.float64)
r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
