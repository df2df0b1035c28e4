# The question's model in its own idiom (Keras 2, a build function, input_dim repeated on the second
# layer); X and Y come from the poster's house data, Y standardized with sklearn's StandardScaler.
from keras.models import Sequential
from keras.layers import Dense
from sklearn.preprocessing import StandardScaler
import math


def build_model():
    model = Sequential()
    model.add(Dense(36, input_dim=36, activation='relu'))
    model.add(Dense(18, input_dim=36, activation='relu'))
    model.add(Dense(1, activation='sigmoid'))
    model.compile(loss='mse', optimizer='sgd', metrics=['mae', 'mse'])
    return model


sc = StandardScaler()
Y_scaled = sc.fit_transform(Y.reshape(-1, 1))
model = build_model()
model.fit(X, Y_scaled, nb_epoch=60, batch_size=32)
mse = model.evaluate(X, Y_scaled)[2]
print(math.sqrt(sc.inverse_transform([mse])))
