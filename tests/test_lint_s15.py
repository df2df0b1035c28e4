"""`doctor lint` on more idioms of posted programs (session 15's probes from public threads outside the
corpus): a Keras model with several inputs fed `fit([x_a, x_b], y)`, a TF1 graph built on Python lists
with no placeholder, a TF1 learning rate held in a `tf.Variable`, feature rows made by a list
comprehension over a short range, and a loss returned by a method of the script. Each program is
written here anew, read and never run; each test fails on the reader as it was before.
"""
from __future__ import annotations

import os
import textwrap

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.findings import Severity  # noqa: E402
from nnfit.doctor.lint import analyse_source, lint_source  # noqa: E402


def findings(text: str):
    return lint_source(textwrap.dedent(text))


def codes(text: str) -> set[str]:
    return {f.code for f in findings(text)}


TWO_INPUTS = """
import numpy as np
from tensorflow.keras.layers import Input, Dense, concatenate
from tensorflow.keras.models import Model

n = 2400
users = np.random.rand(n, 12).astype('float32')
items = np.random.rand(n, 12).astype('float32')
score = np.random.rand(n, 1).astype('float32')

u_in = Input(shape=(12,))
i_in = Input(shape=(12,))
tower = Dense(12, activation='relu')
joined = concatenate([tower(u_in), tower(i_in)], axis=1)
hidden = Dense(24, activation='relu')(joined)
out = Dense(1)(hidden)
model = Model(inputs=[u_in, i_in], outputs=out)
model.compile(loss='mse', optimizer='adam')
model.fit([users, items], score, epochs=40, batch_size=32)
"""


def test_multi_input_fit_counts_rows_of_each_array_not_the_list():
    run = analyse_source(textwrap.dedent(TWO_INPUTS))
    assert run.data.n_samples == 2400
    assert run.data.inputs and run.data.inputs[0].min >= 0.0 and run.data.inputs[0].max <= 1.0


def test_multi_input_fit_with_enough_updates_has_no_error():
    found = findings(TWO_INPUTS)
    assert "NF102" not in {f.code for f in found}
    assert not [f for f in found if f.severity == Severity.ERROR]


TF1_BOUND_LISTS = """
import tensorflow as tf
xs = [4, 8, 12, 16, 20, 24, 28, 32, 36, 40]
ys = [3, 5, 7, 9, 11, 13, 15, 17, 19, 21]
W = tf.Variable(tf.random_normal([1]))
b = tf.Variable(tf.random_normal([1]))
pred = W * xs + b
cost = tf.reduce_mean(tf.square(pred - ys))
step = tf.train.GradientDescentOptimizer(0.02).minimize(cost)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(2000):
        sess.run(step)
"""


def test_tf1_graph_on_python_lists_reads_inputs_and_targets():
    run = analyse_source(textwrap.dedent(TF1_BOUND_LISTS))
    assert [(c.min, c.max) for c in run.data.inputs] == [(4.0, 40.0)]
    assert [(c.min, c.max) for c in run.data.targets] == [(3.0, 21.0)]
    found = codes(TF1_BOUND_LISTS)
    assert "NF103" in found and "NF105" in found


TF1_RATE_VARIABLE = """
import tensorflow as tf
x_data = [1., 2., 3.]
y_data = [2., 4., 6.]
X = tf.placeholder(tf.float32)
Y = tf.placeholder(tf.float32)
W = tf.Variable(tf.random_uniform([1], -1.0, 1.0))
cost = tf.reduce_mean(tf.square(W * X - Y))
rate = tf.Variable(0.7)
train = tf.train.GradientDescentOptimizer(rate).minimize(cost)
sess = tf.Session()
sess.run(tf.global_variables_initializer())
for step in range(100):
    sess.run(train, feed_dict={X: x_data, Y: y_data})
"""


def test_tf1_learning_rate_in_a_variable_is_its_initial_value():
    run = analyse_source(textwrap.dedent(TF1_RATE_VARIABLE))
    assert run.config.optimizer is not None and run.config.optimizer.learning_rate == 0.7


POLY_ROWS = """
import numpy as np
import torch
deg = 3
rows, labels = [], []
for x in np.linspace(1, 4, 40):
    rows.append([x ** (deg - k) for k in range(deg)])
    labels.append([np.cos(x)])
net = torch.nn.Linear(deg, 1)
opt = torch.optim.SGD(net.parameters(), lr=0.001)
X = torch.Tensor(rows)
Y = torch.Tensor(labels)
for epoch in range(3000):
    opt.zero_grad()
    loss = torch.nn.MSELoss()(net(X), Y)
    loss.backward()
    opt.step()
"""


def test_rows_from_a_comprehension_over_a_short_range_keep_their_width():
    run = analyse_source(textwrap.dedent(POLY_ROWS))
    assert [(round(c.min), round(c.max)) for c in run.data.inputs] == [(1, 64), (1, 16), (1, 4)]
    found = codes(POLY_ROWS)
    assert "NF133" not in found     # the rows are 3 wide, as Linear(3, 1) takes
    assert "NF105" in found


METHOD_LOSS = """
import torch
from torch import nn


class Reg:
    def __init__(self, n, eta=0.05):
        self.w = torch.zeros((n, 1), requires_grad=True)
        self.eta = eta

    def loss(self, x, y):
        return nn.MSELoss()(x @ self.w, y)

    def update(self, x, y, batch_size):
        l = self.loss(x, y)
        l.backward()
        with torch.no_grad():
            self.w -= self.eta * self.w.grad / batch_size
            self.w.grad.zero_()


X = torch.randn(800, 3)
y = X @ torch.tensor([[1.0], [-2.0], [0.5]])
model = Reg(3)
for epoch in range(5):
    for i in range(0, 800, 16):
        model.update(X[i:i + 16], y[i:i + 16], 16)
"""


def test_loss_returned_by_a_method_is_known_to_be_a_batch_mean():
    found = codes(METHOD_LOSS)
    assert "NF104" in found
