# expect: NF117
# tf.keras 2.x code: Adam(lr=...) is rejected by Keras 3.
import numpy as np
import tensorflow as tf

X = np.random.uniform(-1, 1, (2000, 4))
y = X @ np.array([0.5, -0.2, 0.1, 0.3])
model = tf.keras.Sequential([tf.keras.layers.Dense(32, activation="relu", input_shape=(4,)),
                             tf.keras.layers.Dense(1, activation="linear")])
model.compile(optimizer=tf.keras.optimizers.Adam(lr=0.001), loss="mse")
model.fit(X, y, epochs=100, batch_size=32)
