"""Wide & deep Keras regressor on housing-like features whose layers are fed the raw, unnormalised inputs.

Facts from https://github.com/ageron/handson-ml3/pull/20 (written anew): in the book's wide & deep example
(a functional Keras model: the first five features go through a "wide" path, the last six through two
Dense(30, relu) layers, the two are concatenated into a Dense(1) output; Normalization layers, Adam with
learning rate 1e-3, MSE, 20 epochs on the California housing data) the inputs reaching the layers were not
normalised, which the contributor notes degrades the performance; the author accepts the fix that routes
the inputs through the normalisation layers. The housing data are not downloaded here; ours: 2000 rows of
8 features on the housing data's scales (income 0.5-15, age 1-52, rooms, bedrooms, population up to
35000, occupancy, latitude 32-42, longitude -124 to -114), a nonlinear target of size 0.5 to 5, a fifth
held out.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

n = 2000
income = rng.uniform(0.5, 15.0, n)
age = rng.uniform(1.0, 52.0, n)
rooms = rng.normal(5.4, 1.2, n)
bedrooms = rng.normal(1.1, 0.15, n)
population = rng.uniform(3.0, 35000.0, n)
occupancy = rng.normal(3.0, 0.8, n)
latitude = rng.uniform(32.0, 42.0, n)
longitude = rng.uniform(-124.0, -114.0, n)
x_all = np.stack([income, age, rooms, bedrooms, population, occupancy, latitude, longitude], 1).astype("float32")
y_all = (0.5 + 0.3 * income + 0.01 * age + 0.15 * (rooms - 5.4) - 0.00002 * population
         + 0.6 * np.exp(-((latitude - 37.5) ** 2 + (longitude + 122.0) ** 2) / 4.0)
         + 0.1 * rng.normal(size=n)).astype("float32")

order = rng.permutation(n)
test, train = order[:400], order[400:]
x_wide, x_deep = x_all[:, :5], x_all[:, 2:]

input_wide = keras.Input(shape=(5,))
input_deep = keras.Input(shape=(6,))
norm_layer_wide = layers.Normalization()
norm_layer_deep = layers.Normalization()
norm_wide = norm_layer_wide(input_wide)
norm_deep = norm_layer_deep(input_deep)
hidden1 = layers.Dense(30, activation="relu")(input_deep)        # raw inputs, not norm_deep
hidden2 = layers.Dense(30, activation="relu")(hidden1)
concat = layers.concatenate([input_wide, hidden2])                # raw inputs, not norm_wide
output = layers.Dense(1)(concat)
model = keras.Model(inputs=[input_wide, input_deep], outputs=[output])

model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=1e-3))
norm_layer_wide.adapt(x_wide[train])
norm_layer_deep.adapt(x_deep[train])
history = model.fit((x_wide[train], x_deep[train]), y_all[train], epochs=20, batch_size=32, verbose=0)
print(f"training loss first={history.history['loss'][0]:.4f} last={history.history['loss'][-1]:.4f}")

predicted = model.predict((x_wide[test], x_deep[test]), verbose=0).ravel().astype(np.float64)
truth = y_all[test].astype(np.float64)
r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
