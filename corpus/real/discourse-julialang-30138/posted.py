# The post is Julia/Flux (Chain of Dense layers without activations, trained point by point with
# Flux.train! on x in -10:10, y = x^2); lint reads Python, so this is the same loop in the Keras 2 idiom.
import numpy as np
from keras.models import Sequential
from keras.layers import Dense
from keras.optimizers import Adam

xs = np.arange(-10, 10.1, 0.1)
data = [(np.array([[x]]), np.array([[x ** 2]])) for x in xs]

model = Sequential()
model.add(Dense(10, input_dim=1))
model.add(Dense(1))
model.compile(optimizer=Adam(lr=0.001), loss='mse')

for epoch in range(10):
    for x, y in data:            # one point at a time, always in the same order
        model.train_on_batch(x, y)
print(model.predict(np.array([[3.0]])))
