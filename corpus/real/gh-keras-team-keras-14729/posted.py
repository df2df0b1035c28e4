import pandas as pd
from sklearn.preprocessing import LabelEncoder, StandardScaler
from sklearn.model_selection import train_test_split
from tensorflow import keras
from tensorflow.keras import layers
from tensorflow.keras.models import Sequential

frame = pd.read_csv('data.csv', index_col=0)
del frame['Unnamed: 32']

labels = LabelEncoder().fit_transform(frame['diagnosis'].values)
features = frame.drop('diagnosis', axis=1).values

x_tr, x_te, y_tr, y_te = train_test_split(features, labels, test_size=0.3, random_state=0)
sc = StandardScaler().fit(x_tr)
x_tr, x_te = sc.transform(x_tr), sc.transform(x_te)

net = Sequential()
net.add(layers.Flatten())
net.add(layers.Dense(16, input_dim=30, activation='relu', kernel_initializer='uniform'))
net.add(layers.Dropout(0.1))
net.add(layers.Dense(16, activation='relu', kernel_initializer='uniform'))
net.add(layers.Dropout(0.1))
net.add(layers.Dense(1, activation='sigmoid', kernel_initializer='uniform'))

# one sigmoid unit, trained with the multi-class cross-entropy
net.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.categorical_crossentropy, metrics=['accuracy'])
net.fit(x_tr, y_tr, epochs=100, batch_size=100)
print(net.evaluate(x_te, y_te))
