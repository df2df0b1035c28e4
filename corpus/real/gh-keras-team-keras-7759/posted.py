import random
from math import floor
from keras.models import Sequential
from keras.layers import Dense

# X_data, Y: the table as stored on disk, rows grouped by class

# Expression 1
sample = random.sample(range(len(Y)), int(floor(1.00*len(Y))))
print(sample)
X_sample = X_data[sample, :]
Y_sample = Y[sample]

# Expression 2
X_sample = X_data
Y_sample = Y

model = Sequential()
model.add(Dense(32, input_dim=X_sample.shape[1], activation='relu'))
model.add(Dense(32, activation='relu'))
model.add(Dense(Y_sample.shape[1], activation='softmax'))
model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
model.fit(X_sample, Y_sample, validation_split=0.33, epochs=100, batch_size=200)
