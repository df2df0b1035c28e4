import numpy as np

x = np.array([[-1.0, 0.0 , 1.0, 2.0, 3.0, 4.0, 5.0]])
y = np.array([[-3.0, -1.0, 1.0, 3.0, 5.0, 7.0, 9.0]])
x = np.reshape(x, (7, 1))
y = np.reshape(y, (7, 1))

from tensorflow import keras
from keras import Model
from keras.layers import Input, Dense

input_1 = Input(shape=(1,))
dense_1 = Dense(4, activation='relu')(input_1)
dense_2 = Dense(2, activation='relu')(dense_1)
dense_3 = Dense(1, activation='relu')(dense_2)
model_2 = Model(inputs=input_1, outputs=dense_3)
model_2.compile(loss=keras.losses.MeanSquaredError(), optimizer=keras.optimizers.Adam(0.001))
model_2.fit(x, y, epochs=500)
print(model_2.predict([10]))
