# expect: NF105, NF106
# A multiplication table built with comprehensions, fed raw (inputs up to 99, targets up to 9801).
import numpy as np
from tensorflow.keras import Sequential
from tensorflow.keras.layers import Dense

X = np.array([[i, j] for i in range(100) for j in range(100)], dtype=float)
y = np.array([i * j for i in range(100) for j in range(100)], dtype=float)
model = Sequential([Dense(64, activation="relu", input_shape=(2,)), Dense(64, activation="relu"), Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(X, y, epochs=100, batch_size=32)
