import numpy
from keras.models import Sequential
from keras.layers.core import Dense, Activation

model = Sequential()
model.add(Dense(2, 2))
model.add(Activation('sigmoid'))
model.add(Dense(2, 1))
model.add(Activation('softmax'))

X = numpy.array([[0, 0], [0, 1], [1, 0], [1, 1]])
y = numpy.array([[0], [1], [1], [0]])

model.compile(loss='categorical_crossentropy', optimizer='sgd')
model.fit(X, y, nb_epoch=5, batch_size=32)

print model.predict_classes(X)
print model.predict_proba(X)
