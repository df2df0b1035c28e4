from sklearn import datasets
from sklearn.preprocessing import LabelEncoder
from sklearn.model_selection import train_test_split
from keras.models import Sequential
from keras.layers import Dense
import pandas as pd

iris = datasets.load_iris()
frame = pd.DataFrame(data=iris.data)
frame.columns = iris.feature_names
frame['Target'] = iris.target

X = frame[frame.columns[:-1]]
y = frame[frame.columns[-1]]
codes = LabelEncoder().fit_transform(y)
y = pd.get_dummies(codes).values

X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3)

model = Sequential()
model.add(Dense(1000, activation='tanh', input_shape=((frame.shape[1] - 1),)))
model.add(Dense(500, activation='tanh'))
model.add(Dense(250, activation='tanh'))
model.add(Dense(125, activation='tanh'))
model.add(Dense(64, activation='tanh'))
model.add(Dense(32, activation='tanh'))
model.add(Dense(9, activation='tanh'))
model.add(Dense(y.shape[1], activation='softmax'))
model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
model.fit(X_train, y_train)
score, acc = model.evaluate(X_test, y_test, verbose=0)
print(score, acc)
