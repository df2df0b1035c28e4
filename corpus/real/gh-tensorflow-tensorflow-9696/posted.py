import matplotlib.pyplot as plt
import pandas as pd
import numpy as np
from sklearn.model_selection import train_test_split
import sklearn.metrics as metrics
from utils import encode_numeric_zscore, to_xy

dataset = pd.read_csv('data/boston-housing.csv', dtype=np.float32)

for col in dataset.columns:
    if col != 'medv':
        encode_numeric_zscore(dataset, col)

features, target = to_xy(dataset, 'medv')

X_train, X_test, Y_train, Y_test = train_test_split(features, target, test_size=0.25, random_state=42)

from tensorflow.contrib.keras.api.keras.models import Sequential
from tensorflow.contrib.keras.api.keras.layers import Dense, Dropout
from tensorflow.contrib.keras.api.keras.wrappers.scikit_learn import KerasRegressor


def build_nn():
    model = Sequential()
    model.add(Dense(75, input_shape=(13,), activation="relu", kernel_initializer="normal"))
    model.add(Dense(1, kernel_initializer="normal"))
    model.compile(loss="mean_squared_error", optimizer="adam")
    return model

estimator = KerasRegressor(build_fn=build_nn, nb_epoch=100, batch_size=32, verbose=1)
estimator.fit(X_train, Y_train)
pred = estimator.predict(X_test)
score = np.sqrt(metrics.mean_squared_error(pred, Y_test))
print("Score (RMSE): {}".format(score))
