"""`doctor lint` on more idioms of posted programs (session 16's probes from public threads outside the
corpus): a single ReLU unit in front of a wide layer, a TF1 loss handed to minimize() without a
reduction, Python ints fed to a tf.float32 placeholder, a one-neuron NumPy network whose weights are
named `synaptic_weights` with the logistic function written out, and a hand-written NumPy network
multiplying its hidden layer with `@`. Each program is written here anew, read and never run; each
test fails on the reader as it was before.
"""
from __future__ import annotations

import os
import textwrap

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.findings import Severity  # noqa: E402
from nnfit.doctor.lint import analyse_source  # noqa: E402
from tests.test_lint_s15 import codes, findings  # noqa: E402,F401 - the same small readers


# ---- one ReLU unit before a wider layer (its activation given as a separate Activation layer) --------

ONE_RELU = """
import numpy as np
from keras.models import Sequential
from keras.layers import Dense, Activation
x = np.linspace(0.0, 20.0, 400)
y = np.cos(x)
m = Sequential()
m.add(Dense(WIDTH, input_dim=1))
m.add(Activation('relu'))
m.add(Dense(64))
m.add(Activation('tanh'))
m.add(Dense(1))
m.compile(loss='mse', optimizer='adam')
m.fit(x, y, epochs=300, batch_size=16)
"""


def test_single_relu_unit_before_a_wide_layer_is_a_bottleneck():
    found = [f for f in findings(ONE_RELU.replace("WIDTH", "1")) if f.code == "NF101"]
    assert found and found[0].severity == Severity.ERROR
    assert "1 relu unit before a 64-unit layer" in found[0].message
    assert "NF101" not in codes(ONE_RELU.replace("WIDTH", "16"))


# ---- TF1: minimize(tf.square(error)) with no reduce_mean / reduce_sum --------------------------------

TF1_UNREDUCED = """
import tensorflow as tf
w = tf.Variable([0.1], dtype=tf.float32)
c = tf.Variable([0.0], dtype=tf.float32)
xs = tf.placeholder(tf.float32)
ys = tf.placeholder(tf.float32)
diff = w * xs + c - ys
cost = tf.square(diff)
step = tf.train.GradientDescentOptimizer(0.05).minimize(cost)
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    for k in range(60):
        s.run(step, {xs: k, ys: 3 * k + 1})
"""


def test_tf1_loss_without_a_reduction_is_a_squared_error():
    run = analyse_source(textwrap.dedent(TF1_UNREDUCED))
    assert run.config.loss == "mse"
    assert "NF103" in codes(TF1_UNREDUCED)


# ---- TF1: Python ints fed to float placeholders ------------------------------------------------------

TF1_INT_FEED = """
import tensorflow as tf
a = tf.Variable([1.0], dtype=tf.float32)
b = tf.Variable([0.0], dtype=tf.float32)
inp = tf.placeholder(tf.float32)
out = tf.placeholder(DTYPE)
model = a * inp + b
loss = tf.reduce_mean(tf.square(model - out))
train = tf.train.GradientDescentOptimizer(0.02).minimize(loss)
xs = [1, 2, 3, 4, 5, 6]
ys = [3, 5, 7, 9, 11, 13]
sess = tf.Session()
sess.run(tf.global_variables_initializer())
for i in range(2000):
    sess.run(train, {inp: xs, out: ys})
"""


def test_int_lists_fed_to_a_float_placeholder_are_floats():
    assert "NF128" not in codes(TF1_INT_FEED.replace("DTYPE", "tf.float32"))
    assert "NF128" not in codes(TF1_INT_FEED.replace("DTYPE", '"float"'))
    run = analyse_source(textwrap.dedent(TF1_INT_FEED.replace("DTYPE", "tf.float32")))
    assert run.data.target_dtype == "float32"


# ---- NumPy: `synaptic_weights`, the logistic function written out on the output ----------------------

ONE_NEURON = """
import numpy as np
inputs = np.array([[3, 1, 0], [0, 2, 2], [1, 1, 1], [2, 0, 3]])
targets = np.array([[4, 4, 3, 5]]).T
np.random.seed(0)
synaptic_weights = 2 * np.random.random((3, 1)) - 1
for it in range(5000):
    guess = 1 / (1 + np.exp(-(np.dot(inputs, synaptic_weights))))
    synaptic_weights += np.dot(inputs.T, (targets - guess) * guess * (1 - guess))
"""


def test_numpy_one_neuron_with_written_out_sigmoid_cannot_reach_its_targets():
    run = analyse_source(textwrap.dedent(ONE_NEURON))
    assert [(la.name, la.units, la.input_units, la.activation) for la in run.layers] == \
        [("synaptic_weights", 1, 3, "sigmoid")]
    found = [f for f in findings(ONE_NEURON) if f.code == "NF107"]
    assert found and "targets span [3, 5]" in found[0].message
    # a linear output reaches them: nothing to say about the output's range
    assert "NF107" not in codes(ONE_NEURON.replace("1 / (1 + np.exp(-(np.dot(inputs, synaptic_weights))))",
                                                   "np.dot(inputs, synaptic_weights)"))


# ---- NumPy: a hidden layer multiplied by the next weight with `@` -----------------------------------

XOR = """
import numpy as np
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
y = np.array([[0], [1], [1], [0]])
np.random.seed(3)
HW = np.random.uniform(size=(2, 6))
HB = np.random.uniform(size=(1, 6))
OW = np.random.uniform(size=(6, 1))
OB = np.random.uniform(size=(1, 1))
def sigmoid(z):
    return 1 / (1 + np.exp(-z))
for _ in range(8000):
    h = sigmoid(X @ HW + HB)
    o = sigmoid(h @ OW + OB)
    d_o = (y - o) * o * (1 - o)
    d_h = d_o.dot(OW.T) * h * (1 - h)
    OW += h.T.dot(d_o) * 0.5
    OB += np.sum(d_o, axis=0, keepdims=True) * 0.5
    HW += X.T.dot(d_h) * 0.5
    HB += np.sum(d_h, axis=0, keepdims=True) * 0.5
"""


def _xor(w1: str, b1: str, w2: str, b2: str) -> str:
    return XOR.replace("HW", w1).replace("HB", b1).replace("OW", w2).replace("OB", b2)


def test_numpy_hidden_layer_times_weight_is_no_graph_layer():
    # `h @ W2` of a NumPy network's own layer output was read as a TF graph layer taking 6 inputs, and
    # the 2-column data then "crashed" it (NF133) although the script runs and learns XOR
    text = _xor("W1", "b1", "W2", "b2")
    assert not [f for f in findings(text) if f.severity == Severity.ERROR]
    run = analyse_source(textwrap.dedent(text))
    assert [(la.input_units, la.units) for la in run.layers] == [(2, 6), (6, 1)]


def test_numpy_weights_and_biases_named_by_their_layer():
    text = _xor("hidden_weights", "hidden_bias", "output_weights", "output_bias")
    run = analyse_source(textwrap.dedent(text))
    assert [(la.name, la.input_units, la.units) for la in run.layers] == \
        [("hidden_weights", 2, 6), ("output_weights", 6, 1)]
    assert all(la.use_bias for la in run.layers)
    assert not [f for f in findings(text) if f.severity == Severity.ERROR]
