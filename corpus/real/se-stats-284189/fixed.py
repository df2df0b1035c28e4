"""se-stats-284189 fixed as the accepted answer says: standardise x and y (scaler fitted on the
training rows), keep SGD at its default rate; predictions are mapped back to sales units."""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
tv = rng.uniform(0.7, 296.0, size=(200, 1))
sales = 7.0 + 0.0475 * tv + rng.normal(0.0, 1.6, size=(200, 1))
test, train = np.arange(160, 200), np.arange(160)

x_mean, x_std = tv[train].mean(), tv[train].std()
y_mean, y_std = sales[train].mean(), sales[train].std()

inputs = keras.Input(shape=(1,))
preds = keras.layers.Dense(1, activation="linear")(inputs)
model = keras.Model(inputs=inputs, outputs=preds)
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="mse", metrics=["mse"])
model.fit((tv[train] - x_mean) / x_std, (sales[train] - y_mean) / y_std,
          batch_size=1, epochs=30, shuffle=False, verbose=0)

pred = model.predict((tv[test] - x_mean) / x_std, verbose=0).reshape(-1) * y_std + y_mean
truth = sales[test].reshape(-1)
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
