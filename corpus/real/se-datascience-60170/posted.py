from random import randint
from numpy import array
from keras.models import Sequential
from keras.layers import Dense

def random_product_pairs(n_examples, n_numbers, largest):
    X, y = list(), list()
    for i in range(n_examples):
        in_pattern = [randint(1,largest) for _ in range(n_numbers)]
        out_pattern = in_pattern[0] * in_pattern[1]
        X.append(in_pattern)
        y.append(out_pattern)
    X,y = array(X), array(y)
    X = X.astype('float') / float(largest * n_numbers)
    y = y.astype('float') / float(largest * largest)
    return X, y

n_examples = 1000
n_numbers = 2
largest = 1000
n_batch = 100
n_epoch = 500

model = Sequential()
model.add(Dense(20, input_dim=n_numbers))
model.add(Dense(100))
model.add(Dense(1000))
model.add(Dense(100))
model.add(Dense(20))
model.add(Dense(1))
model.compile(loss='mean_squared_error', optimizer='adam')

X, y = random_product_pairs(n_examples, n_numbers, largest)
model.fit(X, y, epochs=n_epoch, batch_size=n_batch, verbose=2)
