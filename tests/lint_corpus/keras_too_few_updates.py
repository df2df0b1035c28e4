# expect: NF102
# Keras 3: two epochs of batch 512 on 1000 samples: 4 updates.
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
import numpy as np

X = np.random.rand(1000, 1)
y = np.exp(X)
model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(32, activation="tanh"), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(X, y, epochs=2, batch_size=512)
