# expect: NF117
# Keras 2 script: old module paths, Dropout(p=), optimiser lr=, fit_generator with nb_epoch.
import numpy as np
from keras.layers.core import Dense, Dropout
from keras.models import Sequential
from keras.optimizers import Adam


def batches(n):
    while True:
        x = np.random.uniform(-1, 1, size=(32, 4))
        yield x, x.sum(axis=1)


model = Sequential()
model.add(Dense(32, input_dim=4, activation="relu"))
model.add(Dropout(p=0.1))
model.add(Dense(32, activation="relu"))
model.add(Dense(1))
model.compile(loss="mse", optimizer=Adam(lr=0.001))
model.fit_generator(batches(32), samples_per_epoch=3200, nb_epoch=50)
