import tensorflow as tf
import pandas as pd

data = pd.read_csv('multiple_linear_regression_dataset.csv')
X = data[['age', 'experience']].values
Y = data['income'].values

# one neuron, linear activation = linear regression
model = tf.keras.Sequential([
    tf.keras.layers.Input(shape=(X.shape[1],)),
    tf.keras.layers.Dense(1, activation='linear')
])

normalizer = tf.keras.layers.Normalization(axis=-1)
normalizer.adapt(X)
X_norm = normalizer(X)

model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=1e-3),
              loss=tf.keras.losses.MeanSquaredError())
model.fit(X_norm, Y, epochs=200, verbose=1)
