import numpy as np
np.random.seed(456)
import tensorflow as tf
tf.set_random_seed(456)

d = 1
N = 50
w_true = 5
b_true = 2
noise_scale = .1
x_np = np.random.rand(N, d)
noise = np.random.normal(scale=noise_scale, size=(N, d))
y_np = np.reshape(w_true * x_np  + b_true + noise, (-1))

n_hidden = 15
with tf.name_scope("placeholders"):
  x = tf.placeholder(tf.float32, (N, d))
  y = tf.placeholder(tf.float32, (N,))
with tf.name_scope("layer-1"):
  W = tf.Variable(tf.random_normal((d, n_hidden)))
  b = tf.Variable(tf.random_normal((n_hidden,)))
  x_1 = tf.nn.relu(tf.matmul(x, W) + b)
with tf.name_scope("output"):
  W = tf.Variable(tf.random_normal((n_hidden, 1)))
  b = tf.Variable(tf.random_normal((1,)))
  y_pred = tf.matmul(x_1, W) + b
with tf.name_scope("loss"):
  l = tf.reduce_sum((y - y_pred)**2)
with tf.name_scope("optim"):
  train_op = tf.train.AdamOptimizer(.001).minimize(l)

n_steps = 200
with tf.Session() as sess:
  sess.run(tf.global_variables_initializer())
  for i in range(n_steps):
    feed_dict = {x: x_np, y: y_np}
    _, loss = sess.run([train_op, l], feed_dict=feed_dict)
    print("step %d, loss: %f" % (i, loss))
  y_pred_np = sess.run(y_pred, feed_dict={x: x_np})
