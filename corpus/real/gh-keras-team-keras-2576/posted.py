import matplotlib.pyplot as plt
from sklearn import datasets, cross_validation
from sklearn import linear_model
from keras.models import Sequential
from keras.layers import Input, Dense, Activation

data_reg = datasets.make_regression(n_samples=10000, n_features=100, n_informative=100,
                                    n_targets=1, noise=100, random_state=0)

lm_lr = linear_model.LinearRegression()
lm_lr.fit(data_reg[0], data_reg[1])
plt.scatter(data_reg[1], lm_lr.predict(data_reg[0]))

model = Sequential()
model.add(Dense(1, input_dim=100))
model.compile(loss="mse", optimizer="rmsprop")
model.fit(data_reg[0], data_reg[1], nb_epoch=10, batch_size=16)
plt.scatter(data_reg[1], model.predict(data_reg[0]))
