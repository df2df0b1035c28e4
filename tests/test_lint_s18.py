"""`doctor lint` on more idioms of hand-written networks (session 18's probes from public threads outside the
corpus): an activation's slope taken on the wrong side of the activation (a derivative helper that applies
the logistic again to an array that already holds it, chosen directly or through an activation table; the
logistic's slope written out on a layer no sigmoid followed), a weight's gradient built from another array
than the one the weight multiplies, weight sizes passed to the constructor or to `initialize(n_x, n_y, n_h)`
(a Coursera-style parameters dict), a column-major network's output activation, literal weight matrices,
and a network class's own backward() method (not autograd's).
Each program is written here anew, read and never run; each test fails on the reader as it was before.
"""
from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.findings import Severity  # noqa: E402
from tests.test_lint_s15 import codes, findings  # noqa: E402 - the same small readers


def _nf118(text: str) -> list:
    return [f for f in findings(text) if f.code == "NF118"]


# ---- a slope helper written on z, called with the activation: the logistic's slope taken twice -------------

TWICE = """
import numpy as np

def logistic(v):
    return 1.0 / (1.0 + np.exp(-v))

def logistic_slope(v):
    s = logistic(v)
    return s * (1.0 - s)

class Net:
    def __init__(self, x, y):
        self.x, self.y = x, y
        self.w_in = np.random.randn(2, 5) * 0.5
        self.b_in = np.zeros((1, 5))
        self.w_out = np.random.randn(5, 1) * 0.5
        self.b_out = np.zeros((1, 1))
        self.out = np.zeros(y.shape)

    def forward(self):
        self.hid = logistic(self.x @ self.w_in + self.b_in)
        self.out = logistic(self.hid @ self.w_out + self.b_out)

    def backward(self, rate):
        g_out = (self.out - self.y) * logistic_slope(self.out)
        g_hid = g_out @ self.w_out.T * logistic_slope(self.hid)
        self.w_out -= rate * self.hid.T @ g_out
        self.b_out -= rate * g_out.sum(axis=0, keepdims=True)
        self.w_in -= rate * self.x.T @ g_hid
        self.b_in -= rate * g_hid.sum(axis=0, keepdims=True)

x = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = np.array([[0.], [1.], [1.], [0.]])
net = Net(x, y)
for step in range(4000):
    net.forward()
    net.backward(0.5)
"""


def test_slope_helper_on_an_activation_that_is_already_applied_is_a_wrong_gradient():
    found = _nf118(TWICE)
    assert [f.location.line for f in found] == [25, 26]
    assert all(f.severity == Severity.ERROR for f in found)
    assert found[0].evidence["static"] == "slope-twice" and found[0].evidence["parameter"] == "self.out"
    assert "a * (1 - a)" in found[0].fix
    # the same helper called with the weighted sums: right
    right = TWICE.replace("self.hid = logistic(self.x @ self.w_in + self.b_in)",
                          "self.z_hid = self.x @ self.w_in + self.b_in\n        self.hid = logistic(self.z_hid)") \
        .replace("self.out = logistic(self.hid @ self.w_out + self.b_out)",
                 "self.z_out = self.hid @ self.w_out + self.b_out\n        self.out = logistic(self.z_out)") \
        .replace("logistic_slope(self.out)", "logistic_slope(self.z_out)") \
        .replace("logistic_slope(self.hid)", "logistic_slope(self.z_hid)")
    assert not _nf118(right)


def test_a_slope_written_on_the_activation_called_with_the_weighted_sum_is_a_wrong_gradient():
    text = TWICE.replace("    s = logistic(v)\n    return s * (1.0 - s)", "    return v * (1.0 - v)") \
        .replace("self.hid = logistic(self.x @ self.w_in + self.b_in)",
                 "self.z_hid = self.x @ self.w_in + self.b_in\n        self.hid = logistic(self.z_hid)") \
        .replace("logistic_slope(self.hid)", "logistic_slope(self.z_hid)")
    found = _nf118(text)
    assert [f.evidence["static"] for f in found] == ["slope-of-weighted-sum"]
    assert found[0].evidence["parameter"] == "self.z_hid"
    # written on the activation and called with it: right
    assert not _nf118(text.replace("logistic_slope(self.z_hid)", "logistic_slope(self.hid)"))


# ---- the activation chosen by name: self.act / self.act_prime set together ---------------------------------

TABLE = """
import numpy as np

def sig(x):
    return 1.0 / (1.0 + np.exp(-x))

def sig_prime(x):
    return sig(x) * (1.0 - sig(x))

def th(x):
    return np.tanh(x)

def th_prime(a):
    return 1.0 - a ** 2

class MLP:
    def __init__(self, sizes, kind="tanh"):
        if kind == "logistic":
            self.act = sig
            self.act_prime = sig_prime
        elif kind == "tanh":
            self.act = th
            self.act_prime = th_prime
        self.W = [np.random.randn(a, b) for a, b in zip(sizes[:-1], sizes[1:])]

    def train(self, X, y, lr=0.1, epochs=2000):
        for _ in range(epochs):
            outs = [X]
            for W in self.W:
                outs.append(self.act(outs[-1] @ W))
            delta = (y - outs[-1]) * self.act_prime(outs[-1])
            for k in range(len(self.W) - 1, -1, -1):
                grad = outs[k].T @ delta
                if k:
                    delta = delta @ self.W[k].T * self.act_prime(outs[k])
                self.W[k] += lr * grad

X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = np.array([[0.], [1.], [1.], [0.]])
MLP([2, 3, 1], KIND).train(X, y)
"""


def test_an_activation_table_counts_the_branch_the_script_chooses():
    found = _nf118(TABLE.replace("KIND", "'logistic'"))
    assert {f.evidence["parameter"] for f in found} == {"outs[-1]", "outs[k]"}
    assert all(f.evidence["helper"] == "self.act_prime" for f in found)
    # tanh chosen: its slope is written on the activation, as the code calls it
    assert not _nf118(TABLE.replace("KIND", "'tanh'"))


# ---- the logistic's slope written out on a layer the forward pass left linear -----------------------------

LINEAR_FORWARD = """
import numpy as np

class Doubler:
    def __init__(self, n_hidden, rate):
        self.rate = rate
        self.w1 = np.random.normal(0.0, 1.0, (n_hidden, 1))
        self.w2 = np.random.normal(0.0, n_hidden ** -0.5, (1, n_hidden))

    def train(self, x, t):
        x = np.array(x, ndmin=2).T
        t = np.array(t, ndmin=2).T
        h = np.dot(self.w1, x)
        o = np.dot(self.w2, h)
        e = t - o
        eh = np.dot(self.w2.T, e)
        self.w2 += self.rate * np.dot(e * o * (1.0 - o), h.T)
        self.w1 += self.rate * np.dot(eh * h * (1.0 - h), x.T)

net = Doubler(10, 0.1)
for epoch in range(500):
    for v in range(1, 11):
        net.train([v / 10], [2 * v / 10])
"""


def test_the_logistic_slope_on_a_layer_without_activation_is_a_wrong_gradient():
    found = _nf118(LINEAR_FORWARD)
    assert [f.evidence["parameter"] for f in found] == ["o", "h"]
    assert all(f.evidence["static"] == "slope-of-weighted-sum" for f in found)
    # the same slope on a layer the forward pass does squash: right
    squashed = LINEAR_FORWARD.replace("h = np.dot(self.w1, x)", "h = 1 / (1 + np.exp(-np.dot(self.w1, x)))") \
        .replace("o = np.dot(self.w2, h)", "o = 1 / (1 + np.exp(-np.dot(self.w2, h)))")
    assert not _nf118(squashed)


# ---- a weight's gradient from another array than the one it multiplies; sizes given to __init__ ------------

COLUMN_NET = """
import numpy as np

class Wave:
    def __init__(self, units, lr):
        self.W1 = np.random.randn(units, 1) * 0.5
        self.b1 = np.zeros((units, 1))
        self.W2 = np.random.randn(1, units) * 0.5
        self.b2 = np.zeros((1, 1))
        self.lr = lr

    def forward(self, X):
        self.Z1 = np.dot(self.W1, X) + self.b1
        self.A1 = np.tanh(self.Z1)
        self.A2 = np.dot(self.W2, self.A1) + self.b2
        return self.A2

    def backward(self, X, Y):
        m = X.shape[1]
        dZ2 = self.A2 - Y
        dW2 = np.dot(dZ2, self.GRAD_INPUT.T) / m
        db2 = np.sum(dZ2, axis=1, keepdims=True) / m
        dZ1 = np.dot(self.W2.T, dZ2) * (1 - np.power(self.A1, 2))
        dW1 = np.dot(dZ1, X.T) / m
        db1 = np.sum(dZ1, axis=1, keepdims=True) / m
        self.W2 -= self.lr * dW2
        self.b2 -= self.lr * db2
        self.W1 -= self.lr * dW1
        self.b1 -= self.lr * db1

X = np.linspace(-3, 3, 300).reshape(1, -1)
Y = np.sin(X)
net = Wave(16, 0.1)
for epoch in range(4000):
    net.forward(X)
    net.backward(X, Y)
"""


def test_gradient_built_from_the_pre_activation_instead_of_the_hidden_output_is_wrong():
    found = _nf118(COLUMN_NET.replace("GRAD_INPUT", "Z1"))
    assert len(found) == 1 and found[0].evidence["static"] == "gradient-of-other-array"
    assert found[0].evidence["parameter"] == "W2" and found[0].location.line == 21
    assert "A1" in found[0].fix
    assert not _nf118(COLUMN_NET.replace("GRAD_INPUT", "A1"))


def test_constructor_sizes_give_the_layers_and_a_column_major_sigmoid_output_is_read():
    from nnfit.doctor.static.analysis import analyse

    run = analyse(__import__("textwrap").dedent(COLUMN_NET.replace("GRAD_INPUT", "A1")), "wave.py")
    assert [(layer.name, layer.input_units, layer.units) for layer in run.layers] == [("W1", 1, 16), ("W2", 16, 1)]
    squashed = COLUMN_NET.replace("GRAD_INPUT", "A1").replace(
        "self.A2 = np.dot(self.W2, self.A1) + self.b2",
        "self.A2 = 1 / (1 + np.exp(-(np.dot(self.W2, self.A1) + self.b2)))")
    found = [f for f in findings(squashed) if f.code == "NF107"]
    assert found and found[0].evidence["activation"] == "sigmoid"


# ---- a parameters dict built by initialize(n_x, n_y, n_h) (Coursera style) --------------------------------

PARAM_DICT = """
import numpy as np

X = np.random.uniform(-1, 1, (1, 500))
Y = np.sin(3 * X)

def initialize(n_x, n_y, n_h):
    return {"W1": np.random.randn(n_h, n_x) * 0.1, "b1": np.zeros((n_h, 1)),
            "W2": np.random.randn(n_y, n_h) * 0.1, "b2": np.zeros((n_y, 1))}

def forward(X, p):
    Z1 = np.dot(p["W1"], X) + p["b1"]
    A1 = np.tanh(Z1)
    Z2 = np.dot(p["W2"], A1) + p["b2"]
    A2 = 1 / (1 + np.exp(-Z2))
    return A1, A2

def backward(X, p, A1, A2, Y):
    m = X.shape[1]
    dZ2 = A2 - Y
    dW2 = np.dot(dZ2, A1.T) / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = np.dot(p["W2"].T, dZ2) * (1 - A1 ** 2)
    dW1 = np.dot(dZ1, X.T) / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}

p = initialize(1, 1, 8)
for i in range(3000):
    A1, A2 = forward(X, p)
    g = backward(X, p, A1, A2, Y)
    for k in ("W1", "b1", "W2", "b2"):
        p[k] = p[k] - 0.5 * g["d" + k]
"""


def test_a_parameters_dict_from_initialize_gives_the_layers_and_the_sigmoid_output():
    found = [f for f in findings(PARAM_DICT) if f.code == "NF107"]
    assert found and found[0].severity == Severity.ERROR and found[0].evidence["target_min"] < 0
    assert "NF118" not in codes(PARAM_DICT)
    assert "NF118" in codes(PARAM_DICT.replace("dW2 = np.dot(dZ2, A1.T)", "dW2 = np.dot(dZ2, A2.T)"))


# ---- literal weight matrices; the network class's own backward() -----------------------------------------

LITERAL = """
import numpy as np

class Gate:
    def act(self, z):
        return 1.0 / (1.0 + np.exp(-z))

    def fit(self, X, y, rounds=3000, lr=0.5):
        w_hidden = np.array([[0.4, -0.2], [0.3, 0.6]])
        w_out = np.array([[0.7], [-0.5]])
        for r in range(rounds):
            h = self.act(X @ w_hidden)
            o = self.act(h @ w_out)
            d_o = (o - y) * o * (1 - o)
            d_h = d_o @ w_out.T * h * (1 - h)
            w_out -= lr * h.T @ d_o
            w_hidden -= lr * X.T @ d_h
        return w_hidden, w_out

X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = np.array([[0.], [1.], [1.], [0.]])
Gate().fit(X, y)
"""


def test_literal_weight_matrices_are_layers_without_bias():
    found = [f for f in findings(LITERAL) if f.code == "NF119"]
    assert found and set(found[0].evidence["layers"]) == {"w_hidden", "w_out"}


OWN_BACKWARD = """
import numpy as np

X = np.array([[0.2, 0.9], [0.1, 0.5], [0.3, 0.6]])
y = np.array([[0.92], [0.86], [0.89]])

class Net:
    def __init__(self):
        self.W1 = np.random.randn(2, 3)
        self.b1 = np.zeros((1, 3))
        self.W2 = np.random.randn(3, 1)
        self.b2 = np.zeros((1, 1))

    def sigmoid(self, s):
        return 1 / (1 + np.exp(-s))

    def forward(self, X):
        self.h = self.sigmoid(X @ self.W1 + self.b1)
        return self.sigmoid(self.h @ self.W2 + self.b2)

    def backward(self, X, y, o):
        d_o = (y - o) * o * (1 - o)
        d_h = d_o @ self.W2.T * self.h * (1 - self.h)
        self.W2 += self.h.T @ d_o
        self.b2 += d_o.sum(axis=0, keepdims=True)
        self.W1 += X.T @ d_h
        self.b1 += d_h.sum(axis=0, keepdims=True)

net = Net()
for i in range(1000):
    o = net.forward(X)
    net.backward(X, y, o)
"""


def test_a_network_class_own_backward_method_is_not_an_unused_autograd_backward():
    assert "NF109" not in codes(OWN_BACKWARD)
    assert not [f for f in findings(OWN_BACKWARD) if f.severity == Severity.ERROR]
