import numpy as np
import tensorflow as tf

datapoint_size = 1000
batch_size = 1
steps = 10000
actual_W = 2
actual_b = 10
learn_rate = 0.0001
log_file = "/tmp/feature_1_batch_1"

x = tf.placeholder(tf.float32, [None, 1], name="x")
W = tf.Variable(tf.zeros([1, 1]), name="W")
b = tf.Variable(tf.zeros([1]), name="b")
y = tf.matmul(x, W) + b
y_ = tf.placeholder(tf.float32, [None, 1], name="y_")
cost = tf.reduce_mean(tf.square(y_ - y))
train_step = tf.train.GradientDescentOptimizer(learn_rate).minimize(cost)

all_xs = np.transpose([[i % 10 for i in range(datapoint_size)]])
all_ys = np.transpose([[actual_W * (i % 10) + actual_b for i in range(datapoint_size)]])

sess = tf.Session()
sess.run(tf.initialize_all_variables())
for i in range(steps):
    start = (i * batch_size) % (datapoint_size - batch_size)
    xs = all_xs[start:start + batch_size]
    ys = all_ys[start:start + batch_size]
    if i % 10 != 0:
        sess.run(train_step, feed_dict={x: xs, y_: ys})
    print("After %d iteration:" % i)
    print("W: %f" % sess.run(W))
    print("b: %f" % sess.run(b))
