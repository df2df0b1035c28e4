"""`doctor lint` on hand-written NumPy / torch networks whose weights are held in Python lists
(`self.weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])]`, `w.append(...)` in a loop)
and applied by one loop (`for w, b in zip(self.weights, self.biases): a = sigmoid(np.dot(w, a) + b)`): one
layer per list item, shapes from the sizes the script passes, activations from the loop. A network that
folds its bias into a column of ones is not called bias-free. Each program is written here anew, read and
never run; each test fails on the reader as it was before.
"""
from __future__ import annotations

import os
import textwrap

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.lint import analyse_source, lint_source  # noqa: E402


def findings(text: str):
    return lint_source(textwrap.dedent(text))


def codes(text: str) -> set[str]:
    return {f.code for f in findings(text)}


def layers(text: str):
    return [la for la in analyse_source(textwrap.dedent(text)).layers if la.kind == "dense"]


SIGMOID_OUT = """
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class Network:
    def __init__(self, sizes):
        self.biases = [np.zeros((1, y)) for y in sizes[1:]]
        self.weights = [np.random.randn(x, y) for x, y in zip(sizes[:-1], sizes[1:])]

    def forward(self, a):
        self.acts = [a]
        for w, b in zip(self.weights, self.biases):
            a = sigmoid(np.dot(a, w) + b)
            self.acts.append(a)
        return a

    def backward(self, X, y, lr):
        out = self.acts[-1]
        d = (out - y) * out * (1 - out)
        self.weights[-1] -= lr * np.dot(self.acts[-2].T, d) / len(X)


X = np.random.uniform(-1, 1, (300, 1))
y = np.sin(3 * X)
net = Network([1, 16, 1])
for i in range(1000):
    net.forward(X)
    net.backward(X, y, 0.5)
print(np.mean((net.forward(X) - y) ** 2))
"""


def test_list_comprehension_weights_are_layers_with_sigmoid_output():
    dense = layers(SIGMOID_OUT)
    assert [(la.input_units, la.units) for la in dense] == [(1, 16), (16, 1)]
    assert all(la.activation == "sigmoid" and la.use_bias is True for la in dense)
    got = findings(SIGMOID_OUT)
    nf107 = [f for f in got if f.code == "NF107"]
    assert nf107 and "sigmoid" in nf107[0].message and "weights[1]" in nf107[0].message
    assert "NF119" not in {f.code for f in got}


APPENDED_NO_BIAS = """
import numpy as np

sizes = (1, 32, 1)
x = np.random.uniform(-1, 1, (500, 1))
y = np.sin(3 * x) + 2.0
weights = []
for i in range(len(sizes) - 1):
    weights.append(np.random.randn(sizes[i], sizes[i + 1]) * 0.1)

lr = 0.01
for epoch in range(300):
    acts = [x]
    out = x
    for w in weights:
        out = np.tanh(out.dot(w))
        acts.append(out)
    err = out - y
    weights[-1] -= lr * acts[-2].T.dot(err * (1 - out ** 2))
"""


def test_appended_weights_without_biases_are_bias_free_layers():
    dense = layers(APPENDED_NO_BIAS)
    assert [(la.input_units, la.units) for la in dense] == [(1, 32), (32, 1)]
    assert all(la.activation == "tanh" and la.use_bias is False for la in dense)
    assert "NF119" in codes(APPENDED_NO_BIAS)


ONES_COLUMN = """
import numpy as np

x = np.random.uniform(-1, 1, (500, 1))
y = np.sin(3 * x)
X = np.hstack([np.ones((500, 1)), x])
weights = [np.random.randn(2, 8) * 0.1, np.random.randn(8, 1) * 0.1]

lr = 0.01
for epoch in range(300):
    out = X
    for w in weights:
        out = np.tanh(out.dot(w))
    err = out - y
    weights[-1] -= lr * err.mean()
"""


def test_bias_folded_into_ones_column_is_not_called_missing():
    dense = layers(ONES_COLUMN)
    assert [(la.input_units, la.units) for la in dense] == [(2, 8), (8, 1)]
    assert all(la.use_bias is None for la in dense)
    assert "NF119" not in codes(ONES_COLUMN)


RELU_LINEAR_OUT = """
import numpy as np


class Net:
    def __init__(self, n_in, n_hidden, n_layers):
        self.weights = [np.random.randn(n_in, n_hidden) * 0.1]
        for _ in range(n_layers - 1):
            self.weights.append(np.random.randn(n_hidden, n_hidden) * 0.1)
        self.weights.append(np.random.randn(n_hidden, 1) * 0.1)
        self.biases = [np.zeros((1, n_hidden)) for _ in range(n_layers)] + [np.zeros((1, 1))]

    def relu(self, z):
        return np.maximum(0, z)

    def forward(self, X):
        self.a = [X]
        for i in range(len(self.weights)):
            z = np.dot(self.a[-1], self.weights[i]) + self.biases[i]
            self.a.append(self.relu(z) if i < len(self.weights) - 1 else z)
        return self.a[-1]


X = np.random.uniform(-1, 1, (100, 3))
y = X.sum(axis=1, keepdims=True)
net = Net(3, 10, 2)
print(net.forward(X))
"""


def test_loop_appended_weights_with_hidden_and_output_activations():
    dense = layers(RELU_LINEAR_OUT)
    assert [(la.input_units, la.units) for la in dense] == [(3, 10), (10, 10), (10, 1)]
    assert [la.activation for la in dense] == ["relu", "relu", "linear"]
    assert all(la.use_bias is True for la in dense)


COLUMN_MAJOR = """
import numpy as np

SIZES = [2, 5, 3]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class Network:
    def __init__(self, sizes):
        self.biases = [np.random.randn(y, 1) for y in sizes[1:]]
        self.weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a) + b)
        return a


net = Network(SIZES)
print(net.feedforward(np.random.randn(2, 10)))
"""


def test_column_major_weights_sized_by_a_constant_list():
    dense = layers(COLUMN_MAJOR)
    assert [(la.input_units, la.units) for la in dense] == [(2, 5), (5, 3)]
    assert all(la.activation == "sigmoid" and la.use_bias is True for la in dense)
