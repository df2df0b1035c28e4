import numpy as np
import tensorflow as tf

# fires (X) and thefts (Y) per 1000 housing units, one row per area
data = np.loadtxt('fire_theft.txt')
n_samples = data.shape[0]

X = tf.placeholder(tf.float32, name='X')
Y = tf.placeholder(tf.float32, name='Y')

w = tf.Variable(0.0, name='weights_1')
u = tf.Variable(0.0, name='weights_2')
b = tf.Variable(0.0, name='bias')

Y_predicted = X * X * w + X * u + b
loss = tf.square(Y - Y_predicted, name='loss')

optimizer = tf.train.GradientDescentOptimizer(learning_rate=0.001).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(100):
        total_loss = 0
        for x, y in data:
            _, l = sess.run([optimizer, loss], feed_dict={X: x, Y: y})
            total_loss += l
        print 'Epoch {0}: {1}'.format(i, total_loss / n_samples)
    w_value, u_value, b_value = sess.run([w, u, b])
    print w_value, u_value, b_value
