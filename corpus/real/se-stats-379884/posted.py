from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Dense, ReLU
from tensorflow import keras
import numpy as np
import matplotlib.pyplot as plt

batch = 1000

def tests():
    while True:
        test = np.random.randn(batch)
        X = test
        Y = test.copy()
        Y[Y < 0] = 0
        yield X, Y

model = Sequential([Dense(1, input_dim=1, activation=None, use_bias=False)])
model.add(ReLU())
model.set_weights([[[-10]]])

model.compile(loss='mean_squared_error', optimizer='sgd')

class LossHistory(keras.callbacks.Callback):
    def on_train_begin(self, logs={}):
        self.losses = []
        self.weights = []

    def on_epoch_end(self, batch, logs={}):
        self.losses.append(logs.get('loss'))
        w = model.get_weights()
        self.weights.append([x.flatten()[0] for x in w])

history = LossHistory()
model.fit_generator(tests(), steps_per_epoch=100, epochs=20, callbacks=[history])

fig, (ax1, ax2) = plt.subplots(2, 1, True, num='Learning')
ax1.semilogy(history.losses)
ax2.plot(history.weights)
plt.show()
