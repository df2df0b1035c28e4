# The post is TensorFlow.js; lint reads Python, so this is the same set-up in the Keras 2 idiom of its
# time: 1-5-1 sigmoid network, MSE, 'sgd', fit() with the library's defaults (TF.js: 1 epoch, batch 32).
from keras.models import Sequential
from keras.layers import Dense
import numpy as np

model = Sequential()
model.add(Dense(5, activation='sigmoid', input_shape=(1,)))
model.add(Dense(1, activation='sigmoid'))
model.compile(loss='mean_squared_error', optimizer='sgd')
xs = np.array([[1], [2], [3], [4], [5], [6], [7], [8], [9]])
ys = np.array([[0], [0], [0], [0], [0], [1], [1], [1], [1]])
model.fit(xs, ys, nb_epoch=1)
print model.predict(xs)
