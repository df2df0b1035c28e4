"""Seed 4, in Keras 3 (the question: Keras 2.0.8, Python 2.7): a 2-3-5-3-5-1 ReLU network asked to
multiply two integers in [0, 500). Same data, architecture, optimiser ('adam'), loss, metric
('accuracy'), epochs (10) and batch size (10); the Python 2 prints became print().
Try: nnfit doctor run examples/seed4_product/train_product.py --repair
"""
import os
from math import sqrt

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
import numpy as np
from keras.layers import Dense
from keras.models import Sequential

np.random.seed(0)
keras.utils.set_random_seed(0)


def create_data(low, high, examples):
    train_data = []
    label_data = []

    a = np.random.randint(low=low, high=high, size=examples, dtype='int')
    b = np.random.randint(low=low, high=high, size=examples, dtype='int')

    for i in range(0, examples):
        train_data.append([a[i], b[i]])
        label_data.append((a[i] * b[i]))

    train_data = np.array(train_data)
    label_data = np.array(label_data)

    return train_data, label_data


X, y = create_data(0, 500, 10000)

model = Sequential()
model.add(Dense(3, input_dim=2))
model.add(Dense(5, activation='relu'))
model.add(Dense(3, activation='relu'))
model.add(Dense(5, activation='relu'))
model.add(Dense(1, activation='relu'))

model.compile(optimizer='adam', loss='mean_squared_error', metrics=['accuracy'])
model.fit(X, y, epochs=10, batch_size=10)

test_data, _ = create_data(0, 500, 10)
results = model.predict(test_data, batch_size=2)

sq_error = []
for i in range(0, len(test_data)):
    print('test value:', test_data[i], 'result:', results[i][0], 'error:',
          '%.2f' % (results[i][0] - (test_data[i][0] * test_data[i][1])))
    sq_error.append((results[i][0] - (test_data[i][0] * test_data[i][1])))

print('\n total rmse error: ', sqrt(abs(np.sum(np.array(sq_error)))))
