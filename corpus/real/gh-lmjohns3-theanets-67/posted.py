import logging
import numpy as np
import theanets

logging.basicConfig(level=logging.INFO)

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype='f')
Y = np.array([[0], [1], [1], [0]], dtype='f')

net = theanets.Regressor(layers=(2, 2, 1))
net.train([X, Y], algo='nag', learning_rate=0.1, momentum=0.9)

logging.info('NN XOR predictions:\n%s', net.predict(X))
