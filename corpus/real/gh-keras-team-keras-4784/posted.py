import numpy as np
from keras.models import Sequential
from keras.layers import Dense, Activation

# X: rows of numeric features, Y: 0/1 labels (about 72 % ones)
np.random.seed(0)
X = np.random.randn(4000, 12)
w = np.random.randn(12)
s = X.dot(w) + 0.8 * np.sin(2.0 * X[:, 0]) + 0.5 * X[:, 1] * X[:, 2]
Y = (s > np.percentile(s, 27.53)).astype('float32')

model = Sequential()
model.add(Dense(output_dim=64, input_dim=12))
model.add(Activation('relu'))
model.add(Dense(output_dim=64))
model.add(Activation('relu'))
model.add(Dense(output_dim=32))
model.add(Activation('relu'))
model.add(Dense(output_dim=16))
model.add(Activation('relu'))
model.add(Dense(output_dim=1))
model.add(Activation('softmax'))

model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
model.fit(X, Y, nb_epoch=100, batch_size=128)
