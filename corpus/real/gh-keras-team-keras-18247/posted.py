import pandas as pd
from keras.models import Sequential
from keras.layers import Dense, Flatten, BatchNormalization
from keras.optimizers import Adam

df = pd.read_csv('branch_debits.csv', index_col='date', parse_dates=True)   # one column per branch_id
df.interpolate(method='time', axis=0, inplace=True)
df.fillna(0, inplace=True)                    # weekends and gazetted holidays

def windows(col, lags=7):
    values = df[col].values
    X = [values[i:i + lags] for i in range(len(values) - lags)]
    y = values[lags:]
    return pd.DataFrame(X).values, y

for branch in df.columns:
    X, y = windows(branch)
    net = Sequential()
    net.add(BatchNormalization())
    net.add(Dense(32, activation='relu'))
    net.add(Dense(64, activation='relu'))
    net.add(Dense(128, activation='relu'))
    net.add(Flatten())
    net.add(Dense(1, activation='relu'))
    net.compile(loss='mean_squared_error', optimizer=Adam())
    net.fit(X, y, epochs=30, batch_size=31, verbose=0)
    print(branch, net.predict(X[-5:]).ravel())    # all zeros for some branches
