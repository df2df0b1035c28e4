import numpy as np
from keras.models import Sequential
from keras.layers import Dense
from sklearn.metrics import roc_auc_score

data = np.loadtxt('data.csv', delimiter=',')
X, y = data[:, :-1], data[:, -1]          # about 95% of y is 0, 5% is 1
X_train, y_train = X[:3200], y[:3200]
X_val, y_val = X[3200:], y[3200:]

model = Sequential()
model.add(Dense(32, input_dim=X.shape[1], activation='relu'))
model.add(Dense(16, activation='relu'))
model.add(Dense(1, activation='sigmoid'))
model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
model.fit(X_train, y_train, nb_epoch=10, batch_size=32, validation_data=(X_val, y_val))
print roc_auc_score(y_val, model.predict_proba(X_val))
