import numpy
from keras.models import Sequential
from keras.layers import Dense, Activation

data = numpy.loadtxt('data.csv', delimiter=',')
x = data[:, 0:3]
y = data[:, 3:4]

model = Sequential()
model.add(Dense(1, input_dim=3))
model.add(Activation('sigmoid'))
model.compile(loss='mse', optimizer='sgd')
model.fit(x, y, nb_epoch=100, batch_size=61)

