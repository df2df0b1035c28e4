"""Seed 1, ported to Keras 3: fit 10*sin(3x) on [0, 1) with a 1-1-50-1 sigmoid network.

Same architecture, initialisation, optimiser, loss, metric, epochs, batch size and data as the
question (Keras 2 spellings mapped: init= -> kernel_initializer=, output_dim= -> units, lr= ->
learning_rate=, decay= -> InverseTimeDecay, nb_epoch= -> epochs=). Two deliberate differences:
`random.seed = 775` (which replaced the function instead of seeding) is `random.seed(775)` so runs
repeat, and the plots are printed as numbers. The original Keras 2 text is train_sine_keras2.py.
Try: nnfit doctor run examples/seed1_sine/train_sine.py --repair
"""
import math
import os
import random

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
import numpy
from keras.layers import Dense
from keras.models import Sequential
from keras.optimizers import SGD
from keras.optimizers.schedules import InverseTimeDecay

numpy.random.seed(7)
random.seed(775)
keras.utils.set_random_seed(7)

r = Sequential()


def setup_nn():
    r.add(Dense(1, activation='sigmoid', input_dim=1, kernel_initializer='random_uniform'))
    r.add(Dense(50, activation='sigmoid', kernel_initializer='random_uniform'))
    r.add(Dense(1, activation='linear'))

    sgd = SGD(learning_rate=InverseTimeDecay(0.05, decay_steps=1, decay_rate=1e-6), momentum=0.9, nesterov=False)
    r.compile(loss='mean_squared_error', optimizer='sgd', metrics=['accuracy'])


def target_function(X):
    a = math.sin(X * 3)
    return a * 10


def trainRandomX(samplesize):
    X = []
    Y = []
    for j in range(0, samplesize):
        xj = random.random()
        X.append(xj)
        Y.append(target_function(xj))
    r.fit(numpy.array(X), numpy.array(Y), batch_size=100, epochs=1)


def testRandomX():
    X = [random.random()]
    Y = target_function(X[0])
    Ypred = r.predict(numpy.array(X), batch_size=1, verbose=0)
    return Ypred[0][0] - Y


setup_nn()
trainRandomX(10000)
errors = [abs(testRandomX()) for i in range(0, 20)]
print("average error: ", sum(errors) / 20)
