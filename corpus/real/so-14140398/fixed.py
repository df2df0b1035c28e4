"""so-14140398 fixed as the comment under the question says: the network's output lies between 0 and 1,
so train it on a scaled target (y / 100 for x in [0, 10]) and multiply its answer by 100. The inputs need
no scaling (the commenter's correction). Same data and held-out rows.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
import keras

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
x = rng.uniform(0.0, 10.0, size=(400, 1)).astype("float32")
y = (x[:, 0] ** 2).astype("float32")
train, test = np.arange(300), np.arange(300, 400)
Y_RANGE = 100.0                                    # largest possible target for x in [0, 10]

model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(4, activation="sigmoid"),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="mse")
model.fit(x[train], y[train] / Y_RANGE, batch_size=10, epochs=80, verbose=0)

pred = model.predict(x[test], verbose=0)[:, 0] * Y_RANGE
truth = y[test]
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
