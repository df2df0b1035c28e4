# The question's code is not shown (it follows two linked back-propagation examples); the set-up it
# describes, in the Keras 2 idiom: 1 input, 4 hidden units, 1 output, sigmoid units, trained on y = x*x.
from keras.models import Sequential
from keras.layers import Dense
from keras.optimizers import SGD
import numpy as np

x = np.random.uniform(0, 10, size=(300, 1))
y = x * x
model = Sequential()
model.add(Dense(4, input_dim=1, activation='sigmoid'))
model.add(Dense(1, activation='sigmoid'))
model.compile(loss='mean_squared_error', optimizer=SGD(lr=0.5))
model.fit(x, y, batch_size=10, nb_epoch=80)
print model.predict(np.array([[2.0]]))   # 0.99999...
