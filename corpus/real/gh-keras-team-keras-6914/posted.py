import numpy as np
import pandas as pd
import keras
from keras.models import Sequential
from keras.layers import Dense, Dropout
from keras.optimizers import RMSprop

train = pd.read_csv('../input/train.csv')
x_train = train.drop('label', axis=1).values.astype('float32')   # pixels 0..255
y_train = keras.utils.to_categorical(train['label'].values, 10)

model = Sequential()
model.add(Dense(512, activation='relu', input_shape=(784,)))
model.add(Dropout(0.2))
model.add(Dense(512, activation='relu'))
model.add(Dropout(0.2))
model.add(Dense(10, activation='softmax'))
model.compile(loss='categorical_crossentropy', optimizer=RMSprop(), metrics=['accuracy'])
history = model.fit(x_train, y_train, batch_size=128, epochs=20, verbose=1, validation_split=0.1)
