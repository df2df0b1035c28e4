import numpy as np
from tensorflow.keras import layers, models

x = np.random.uniform(-20, 20, 1000)
y = 10.0*x

def PolynomialModel():
    inp = layers.Input((1))
    l=layers.Dense(16, activation='tanh')(inp)
    l=layers.Dense(8, activation='tanh')(l)
    l=layers.Dense(4, activation='tanh')(l)
    output=layers.Dense(1, activation='tanh')(l)
    return models.Model(inp,output)

model = PolynomialModel()
model.compile(loss='mean_squared_error', optimizer='adam')
model.fit(x, y, epochs=200)
