import pickle
import numpy as np
from sklearn.preprocessing import LabelBinarizer
from keras.models import Sequential
from keras.layers.core import Dense, Activation, Flatten

with open('small_train_traffic.p', mode='rb') as f:
    data = pickle.load(f)
X_train, y_train = data['features'], data['labels']

X_normalized = np.array(X_train / 255.0 - 0.5)
y_one_hot = LabelBinarizer().fit_transform(y_train)

model = Sequential()
model.add(Flatten(input_shape=(32, 32, 3)))
model.add(Dense(128))
model.add(Activation('relu'))
model.add(Dense(5))
model.add(Activation('softmax'))

# Compile and train the network for 2 epochs.
model.compile('adam', 'categorical_crossentropy', ['accuracy'])
history = model.fit(X_normalized, y_one_hot, batch_size=128, nb_epoch=2, validation_split=0.2, verbose=2)
