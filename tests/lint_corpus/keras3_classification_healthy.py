# expect: none
# Keras 3 binary classification: accuracy is the right metric here.
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
from keras import Input, Sequential
from keras.layers import Dense

X = np.random.normal(0, 1, size=(4000, 2))
y = np.random.randint(0, 2, size=4000)

model = Sequential([Input(shape=(2,)), Dense(16, activation="relu"), Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(X, y, epochs=30, batch_size=64)
