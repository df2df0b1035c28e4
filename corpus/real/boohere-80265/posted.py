import numpy as np
from keras.models import Sequential
from keras.layers import Dense

X = np.random.normal(size=(1500, 8))
y = (X[:, 0] + 0.8 * X[:, 1] - 0.5 * X[:, 2] * X[:, 3] > 0.3).astype(int)

model = Sequential()
model.add(Dense(32, input_dim=8, activation='relu'))
model.add(Dense(16, activation='relu'))
model.add(Dense(1, activation='softmax'))
model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
model.fit(X[:1200], y[:1200], nb_epoch=10, batch_size=32)
print model.evaluate(X[1200:], y[1200:])
