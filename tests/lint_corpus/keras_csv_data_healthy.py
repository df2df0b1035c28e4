# expect: none
# Data from a CSV file (ranges unknown to a static reader): nothing may be guessed about it.
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
import pandas as pd
from sklearn.preprocessing import StandardScaler

df = pd.read_csv("measurements.csv")
X = StandardScaler().fit_transform(df[["a", "b", "c"]].values)
y = df["target"].values
model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(X, y, epochs=100, batch_size=32, validation_split=0.2)
