# expect: NF117, NF121
# A Keras 2 / Python 2 script: print statements, `except E, e`, nb_epoch.
import numpy as np
from keras.models import Sequential
from keras.layers import Dense

X = np.random.uniform(-1, 1, size=(5000, 2))
y = X[:, 0] * X[:, 1]

model = Sequential()
model.add(Dense(32, input_dim=2, activation='tanh'))
model.add(Dense(32, activation='tanh'))
model.add(Dense(1))
model.compile(loss='mse', optimizer='adam')
try:
    model.fit(X, y, nb_epoch=200, batch_size=32)
except ValueError, e:
    print "training failed:", e
print "done"
