import numpy as np
import pandas as pd
from sklearn.preprocessing import LabelEncoder
from keras.models import Sequential
from keras.layers import LSTM, Dense

# X_train: (430000, 5, 10) label-encoded categorical features, y_train: (430000, 1) with classes 0 and 1
n_timesteps, n_features, n_outputs = X_train.shape[1], X_train.shape[2], y_train.shape[1]

model = Sequential()
model.add(LSTM(256, input_shape=(n_timesteps, n_features), recurrent_activation='hard_sigmoid'))
model.add(Dense(n_outputs, activation='sigmoid'))
model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
model.fit(X_train, y_train, epochs=10, batch_size=32, verbose=1)
print(model.evaluate(X_test, y_test))
