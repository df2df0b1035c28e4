# expect: NF103, NF124
# Keras 3: Adam with learning rate 0.05 and single-sample batches.
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
import numpy as np

X = np.random.rand(500)
y = 3 * X ** 2 - 1
model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(16, activation="tanh"), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05), loss="mse")
model.fit(X, y, epochs=100, batch_size=1)
