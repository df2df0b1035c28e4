from keras.models import Sequential
from keras.layers.core import Dense, Activation
import numpy as np

X_train = np.load('X_train.npy')     # 20 features
Y_train = np.load('Y_train.npy')     # 7 tags, several can be 1 in a row: [1 0 1 0 0 0 0]

model = Sequential()
model.add(Dense(20, 64, init='uniform'))
model.add(Activation('relu'))
model.add(Dense(64, 64, init='uniform'))
model.add(Activation('relu'))
model.add(Dense(64, 7, init='uniform'))
model.add(Activation('softmax'))
model.compile(loss='categorical_crossentropy', optimizer='adam')
model.fit(X_train, Y_train, nb_epoch=15, batch_size=32)
print model.predict(X_train[1:2])
