import numpy as np
import tensorflow as tf

# X: binary vectors, Y: real-valued outputs
X = np.load('inputs.npy')
Y = np.load('outputs.npy')

n_input = X.shape[1]
n_hidden = 500

x = tf.placeholder(tf.float32, [None, n_input])
y = tf.placeholder(tf.float32, [None, 1])

h1 = tf.layers.dense(x, n_hidden, activation=tf.nn.sigmoid)
h2 = tf.layers.dense(h1, n_hidden, activation=tf.nn.sigmoid)
h3 = tf.layers.dense(h2, n_hidden, activation=tf.nn.sigmoid)
h4 = tf.layers.dense(h3, n_hidden, activation=tf.nn.sigmoid)
out = tf.layers.dense(h4, 1)

loss = tf.reduce_mean(tf.square(out - y))
train_op = tf.train.GradientDescentOptimizer(0.01).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for epoch in range(10):
        for i in range(0, len(X), 100):
            _, l = sess.run([train_op, loss], feed_dict={x: X[i:i + 100], y: Y[i:i + 100]})
        print epoch, l
