import numpy as np
from keras.models import Sequential
from keras.layers import Dense

x_data = [1, 2, 3, 4]
y_data = [0, -1, -2, -3]

model = Sequential()
model.add(Dense(1, input_dim=1))

# plain SGD, learning rate left at its default
model.compile(loss='mse', optimizer='sgd')
model.summary()

model.fit(x_data, y_data, epochs=100)

print(model.predict(np.array([5])))
