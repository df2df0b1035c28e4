# expect: NF102, NF103
# Hyper-parameters kept in a dict: 2 epochs of batch 128 on 1000 samples, SGD at 0.8.
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
import numpy as np

params = {"lr": 0.8, "epochs": 2, "batch": 128, "hidden": 32}
X = np.random.uniform(-1, 1, (1000, 1))
y = X ** 2
model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(params["hidden"], activation="tanh"),
                          keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=params["lr"]), loss="mse")
model.fit(X, y, epochs=params["epochs"], batch_size=params["batch"])
