import numpy as np
import tensorflow as tf
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

x, y = load_breast_cancer(return_X_y=True)
x = StandardScaler().fit_transform(x)
y = y.reshape(-1, 1)

model = tf.keras.Sequential([
    tf.keras.layers.Dense(16, activation='relu', input_shape=(30,)),
    tf.keras.layers.Dense(16, activation='relu'),
    tf.keras.layers.Dense(1, activation='sigmoid'),
])
model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
history = model.fit(x, y, epochs=30, batch_size=32, validation_split=0.2)
print(history.history['loss'])   # every value is 0.0
