"""XOR learned from 1000 random bit pairs with five ReLU hidden units instead of two."""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras.models import Sequential
from keras.layers import Dense

keras.utils.set_random_seed(0)
np.random.seed(0)

x_train = np.random.randint(2, size=(1000, 2))
y_train = np.array([[1 if x[0] != x[1] else 0] for x in x_train])
x_test = np.random.randint(2, size=(100, 2))
y_test = np.array([[1 if x[0] != x[1] else 0] for x in x_test])

model = Sequential()
model.add(keras.Input(shape=(2,)))
model.add(Dense(5, activation="relu"))
model.add(Dense(1, activation="sigmoid"))
model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["binary_accuracy"])
history = model.fit(x_train, y_train, batch_size=4, epochs=10, verbose=0)
print("final loss", round(history.history["loss"][-1], 4))
print(model.predict(np.array([[1, 1], [1, 0], [0, 1], [0, 0]]), verbose=0).ravel())
predicted = (model.predict(x_test, verbose=0).ravel() > 0.5).astype(int)
print(f"HELDOUT accuracy={np.mean(predicted == y_test.ravel()):.4f}")
