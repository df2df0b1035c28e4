# Seed 1 as asked (Keras 2 API; the plotting is left out). Plain Keras 3 rejects init=, output_dim=,
# lr=, decay= and nb_epoch=; `nnfit doctor run` maps each one and reports it (NF117).
# Try: nnfit doctor run examples/seed1_sine/train_sine_keras2.py
import math
import random

import numpy

numpy.random.seed(7)
random.seed = 775
from keras.layers import Dense
from keras.models import Sequential
from keras.optimizers import SGD

r = Sequential()


def setup_nn():
    r.add(Dense(1, activation='sigmoid', input_dim=1, init='uniform'))
    r.add(Dense(50, activation='sigmoid', input_dim=1, init='uniform'))
    r.add(Dense(output_dim=1, activation='linear', input_dim=50))

    sgd = SGD(lr=0.05, decay=1e-6, momentum=0.9, nesterov=False)
    r.compile(loss='mean_squared_error', optimizer='sgd', metrics=['accuracy'])


def target_function(X):
    a = math.sin(X*3)
    return a*10


def trainRandomX(samplesize):
    X = []
    Y = []
    for j in range(0, samplesize):
        xj = random.random()
        X.append(xj)
        Y.append(target_function(xj))
    r.fit(X, Y, batch_size=100, nb_epoch=1)
    return


def testRandomX():
    X = [random.random()]
    Y = target_function(X[0])
    X = numpy.array(X)
    Ypred = r.predict(X, batch_size=1)
    error = Ypred[0][0] - Y
    print("error: ", error)
    return [X, Ypred[0][0]]


setup_nn()
trainRandomX(10000)
for i in range(0, 20):
    XY = testRandomX()
