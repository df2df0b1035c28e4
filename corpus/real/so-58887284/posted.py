import numpy as np
import tensorflow as tf
import matplotlib.pyplot as plt

#target function
f = lambda x: - 1./(np.exp(10.*x)+1.)

#training data
x_train = np.linspace(-1, 1, 111)
y_train = f(x_train)
x_test = np.linspace(-1, 1, 11)
y_test = f(x_test)

model = tf.keras.models.Sequential([
    tf.keras.layers.Dense(1, activation='sigmoid', input_shape=(1,), use_bias=True)
])
model.compile(optimizer=tf.keras.optimizers.Adam(0.01),
              loss='mse',
              metrics=['MeanAbsoluteError'])
model.fit(x_train, y_train, epochs=300)

y_pred = model.predict(x_test)
plt.plot(x_test, f(x_test), label='true')
plt.plot(x_test, y_pred, label='predict')
plt.legend()
plt.show()
