import numpy as np
import tensorflow as tf

x = np.random.uniform(-1, 1, (1024, 2)).astype(np.float32)
y = (2 * x[:, 0] - x[:, 1] + np.random.normal(0, 0.1, 1024)).astype(np.float32)
dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(1024).batch(16)

class MyKerasModel(tf.keras.Model):
    def __init__(self):
        super(MyKerasModel, self).__init__()
        self.d1 = tf.keras.layers.Dense(64, activation='relu')
        self.d2 = tf.keras.layers.Dense(64, activation='relu')
        self.out = tf.keras.layers.Dense(1)

    def call(self, x):
        return self.out(self.d2(self.d1(x)))

model = MyKerasModel()
optimizer = tf.keras.optimizers.Adam(1e-3)

@tf.function
def train_step(model, optimizer, x, y):
    with tf.GradientTape() as tape:
        y_pred = model(x)
        loss = tf.reduce_mean(tf.square(y - y_pred))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return loss

for epoch in range(10):
    for x_batch, y_batch in dataset:
        loss = train_step(model, optimizer, x_batch, y_batch)
    print(epoch, loss.numpy())
