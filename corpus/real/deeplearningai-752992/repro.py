"""Linear regression by one Dense unit on normalised inputs but raw income targets (tens of thousands).

Facts from https://community.deeplearning.ai/t/linear-regression-with-neural-network-need-help-and-advice/752992
(written anew): X has 20 rows and 2 columns (a Kaggle multiple-linear-regression set, income as the
target), the inputs go through a Normalization layer adapted on X, the model is one Dense(1, linear)
unit, Adam(learning_rate=1e-3), MSE, 200 epochs (default batch size, so one step per epoch). The loss
starts around 1e9 and is still falling linearly after 200 epochs. The data are not available: we
synthesise age and years of experience with income = 20000 + 700 * age + 1500 * experience + noise,
20 rows for training (as in the post) and 20 held out.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
import keras

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
age = rng.uniform(22, 60, size=40)
experience = np.clip(age - 22 - rng.uniform(0, 8, size=40), 0, None)
X = np.stack([age, experience], axis=1).astype("float32")
Y = (20000 + 700 * age + 1500 * experience + rng.normal(0, 3000, size=40)).astype("float32")
Xtr, Ytr, Xte, Yte = X[:20], Y[:20], X[20:], Y[20:]

normalizer = keras.layers.Normalization(axis=-1)
normalizer.adapt(Xtr)
Xtr_n = keras.ops.convert_to_numpy(normalizer(Xtr))
Xte_n = keras.ops.convert_to_numpy(normalizer(Xte))

model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, activation="linear")])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="mse")
model.fit(Xtr_n, Ytr, epochs=200, verbose=0)

pred = model.predict(Xte_n, verbose=0)[:, 0]
r2 = 1.0 - np.sum((Yte - pred) ** 2) / np.sum((Yte - Yte.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
