# expect: NF117
# Keras 2 style with separate Activation layers; otherwise a reasonable setup.
import numpy as np
from keras.layers import Activation, Dense
from keras.models import Sequential
from keras.optimizers import Adam

x = np.random.uniform(-1, 1, size=(3000, 1))
t = np.tanh(3 * x)
model = Sequential()
model.add(Dense(32, input_dim=1))
model.add(Activation('tanh'))
model.add(Dense(32))
model.add(Activation('tanh'))
model.add(Dense(1))
model.compile(loss='mse', optimizer=Adam(lr=0.001))
model.fit(x, t, nb_epoch=200, batch_size=32, verbose=0)
