# The post's TensorFlow 1 graph builder, in its own idiom: an architecture list, sigmoid hidden layers,
# identity output, Xavier weights, zero biases, MSE, GradientDescentOptimizer(0.5), 100 points.
import numpy as np
import tensorflow as tf


def build(arch=[1, 3, 3, 1], act=tf.nn.sigmoid,
          w_init=tf.contrib.layers.xavier_initializer(), b_init=tf.zeros_initializer(),
          loss_fn=tf.losses.mean_squared_error, opt=tf.train.GradientDescentOptimizer(0.5)):
    X = tf.placeholder(tf.float32, [None, arch[0]])
    h = X
    for units in arch[1:-1]:
        h = tf.contrib.layers.fully_connected(h, units, activation_fn=act,
                                              weights_initializer=w_init, biases_initializer=b_init)
    out = tf.contrib.layers.fully_connected(h, arch[-1], activation_fn=tf.identity,
                                            weights_initializer=w_init, biases_initializer=b_init)
    Y = tf.placeholder(tf.float32, [None, arch[-1]])
    step = opt.minimize(loss_fn(Y, out))
    return X, out, Y, step


u = np.random.uniform(-1, 1, (100, 1))
xs, ys = 10 + u, 10 + u ** 2 - u          # the same cloud, moved away from 0
X, out, Y, step = build()
sess = tf.Session()
sess.run(tf.global_variables_initializer())
for i in range(3000):
    sess.run(step, feed_dict={X: xs, Y: ys})
print sess.run(out, feed_dict={X: xs})[:5]
