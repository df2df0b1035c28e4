# expect: NF106
# A common question: x in [-10, 10) from arange, y = x**2 up to 100, fed raw. The inputs are centred
# and within NF105's limit (|x| <= 10, read from the real corpus); the unscaled target is the fault.
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

x_train = np.arange(-10, 10, 0.1)
y_train = x_train ** 2
model = keras.Sequential()
model.add(layers.Dense(10, input_shape=(1,), activation='relu'))
model.add(layers.Dense(10, activation='relu'))
model.add(layers.Dense(1))
model.compile(optimizer='adam', loss='mse')
model.fit(x_train, y_train, epochs=1000, verbose=0)
