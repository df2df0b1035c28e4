from keras.models import Sequential
from keras.layers import Dense
import numpy as np

x_train = np.loadtxt('train_x.csv', delimiter=',')   # 34 technical indicators per day
y_train = np.loadtxt('train_y.csv', delimiter=',')   # 1 = uptrend, 0 = downtrend
x_test = np.loadtxt('test_x.csv', delimiter=',')

model = Sequential()
model.add(Dense(512, activation='relu', input_dim=34))
model.add(Dense(200, activation='relu'))
model.add(Dense(200, activation='relu'))
model.add(Dense(128, activation='relu'))
model.add(Dense(1, activation='softmax'))
model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['binary_accuracy'])
model.fit(x_train, y_train, epochs=2, batch_size=50, verbose=0)
print(model.predict_proba(x_test, batch_size=50))
