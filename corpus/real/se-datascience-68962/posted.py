import tensorflow as tf
import numpy as np

celsius_q    = np.array([-40, -28, -17, -5, 6, 18, 30, 41, 53, 65, 76, 88, 100], dtype=float)
fahrenheit_a = np.array([c * 1.8 + 32 for c in celsius_q], dtype=float)

l0 = tf.keras.layers.Dense(units=1, input_shape=[1])
model = tf.keras.Sequential([l0])
model.compile(loss='mean_squared_error', optimizer=tf.keras.optimizers.Adam(0.01))
history = model.fit(celsius_q, fahrenheit_a, epochs=500, verbose=False)
print("Finished training the model")
print("These are the layer variables: {}".format(l0.get_weights()))
print(model.predict([100.0]))
