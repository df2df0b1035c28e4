"""`doctor lint` on more idioms of posted programs (session 17's probes from public threads outside the
corpus): a table built point by point with np.append, a NumPy network class whose weight sizes are its
own attributes (`np.random.randn(self.inputLayerSize, self.hiddenLayerSize)`), Keras 0.x's
fit(show_accuracy=True), hidden layers without activation in front of a ReLU output, and a squared
error returned by the script's own loss function (`def squared_loss(y_hat, y)`, then `l.sum()`).
Each program is written here anew, read and never run; each test fails on the reader as it was before.
"""
from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.findings import Severity  # noqa: E402
from tests.test_lint_s15 import codes, findings  # noqa: E402 - the same small readers


# ---- np.append: four rows added one by one to an empty (0, 2) array ---------------------------------

APPENDED = """
import numpy as np
import tensorflow.keras as keras
pts = np.empty((0, 2), float)
lab = np.empty((0, 1), float)
pts = np.append(pts, [[0, 0]], axis=0)
lab = np.append(lab, 0)
pts = np.append(pts, [[1, 0]], axis=0)
lab = np.append(lab, 0)
pts = np.append(pts, [[0, 1]], axis=0)
lab = np.append(lab, 1)
pts = np.append(pts, [[1, 1]], axis=0)
lab = np.append(lab, 1)
net = keras.models.Sequential()
net.add(keras.layers.Dense(1, input_dim=2, activation='sigmoid'))
net.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])
net.fit(pts, lab, epochs=EPOCHS)
"""


def test_rows_added_with_np_append_are_counted_for_the_update_count():
    found = [f for f in findings(APPENDED.replace("EPOCHS", "20")) if f.code == "NF102"]
    assert found and found[0].severity == Severity.ERROR
    assert found[0].evidence["n_samples"] == 4 and found[0].evidence["updates"] == 20
    assert "NF102" not in codes(APPENDED.replace("EPOCHS", "3000"))


def test_np_append_without_axis_flattens_and_keeps_the_range():
    from nnfit.doctor.lint import lint_source  # noqa: F401 - the reader the other tests use
    from nnfit.doctor.static.analysis import analyse

    run = analyse(APPENDED.replace("EPOCHS", "20"))
    assert run.data.n_samples == 4
    assert [(c.min, c.max) for c in run.data.inputs] == [(0.0, 1.0), (0.0, 1.0)]
    assert [(c.min, c.max) for c in run.data.targets] == [(0.0, 1.0)]


# ---- a NumPy network class sized by its own attributes ------------------------------------------------

SIZED_BY_SELF = """
import numpy as np
class Net(object):
    def __init__(self):
        self.nIn = 1
        self.nHidden = 40
        self.nOut = 1
        self.make()
    def make(self):
        self.w1 = np.random.randn(self.nIn, self.nHidden) * 0.3
        self.b1 = np.zeros((1, self.nHidden))
        self.w2 = np.random.randn(self.nHidden, self.nOut) * 0.3
        self.b2 = np.zeros((1, self.nOut))
    def sigmoid(self, z):
        return 1 / (1 + np.exp(-z))
    def forward(self, X):
        self.h = self.sigmoid(np.dot(X, self.w1) + self.b1)
        self.out = OUTPUT
        return self.out
    def backward(self, X, y, lr):
        d2 = (self.out - y) * DERIV
        d1 = np.dot(d2, self.w2.T) * self.h * (1 - self.h)
        self.w2 -= lr * np.dot(self.h.T, d2) / len(X)
        self.w1 -= lr * np.dot(X.T, d1) / len(X)
X = np.random.uniform(-1, 1, (300, 1))
y = np.sin(3 * X)
net = Net()
for i in range(3000):
    net.forward(X)
    net.backward(X, y, 0.5)
print(np.mean((net.forward(X) - y) ** 2))
"""


def test_numpy_class_weights_sized_by_instance_attributes_are_layers():
    sig = SIZED_BY_SELF.replace("OUTPUT", "self.sigmoid(np.dot(self.h, self.w2) + self.b2)").replace("DERIV", "self.out * (1 - self.out)")
    found = [f for f in findings(sig) if f.code == "NF107"]
    assert found and found[0].severity == Severity.ERROR and "sigmoid" in found[0].message
    lin = SIZED_BY_SELF.replace("OUTPUT", "np.dot(self.h, self.w2) + self.b2").replace("DERIV", "1")
    assert "NF107" not in codes(lin)


# ---- Keras 0.x: fit(..., show_accuracy=True) ------------------------------------------------------------

SHOWN = """
import numpy as np
from keras.models import Sequential
from keras.layers.core import Dense, Activation
X = np.random.rand(500, 3)
Y = LABELS
m = Sequential()
m.add(Dense(16, input_dim=3))
m.add(Activation('relu'))
m.add(Dense(1))
m.add(Activation(OUT))
m.compile(loss=LOSS, optimizer='rmsprop')
m.fit(X, Y, nb_epoch=200, batch_size=16, show_accuracy=True)
"""


def test_show_accuracy_on_a_regression_is_an_accuracy_metric():
    reg = SHOWN.replace("LABELS", "X[:, 0] * 2 - X[:, 1]").replace("OUT", "'linear'").replace("LOSS", "'mse'")
    assert "NF108" in codes(reg)
    assert "NF108" not in codes(reg.replace(", show_accuracy=True", ""))
    cls = SHOWN.replace("LABELS", "(X[:, 0] > 0.5).astype('float32')").replace("OUT", "'sigmoid'") \
        .replace("LOSS", "'binary_crossentropy'")
    assert "NF108" not in codes(cls)


# ---- hidden layers without activation, then a ReLU output --------------------------------------------

LINEAR_STACK = """
import numpy as np
import tensorflow as tf
x = np.linspace(-1, 1, 500)
y = 2 * x ** 2 - 0.5
m = tf.keras.Sequential([
    tf.keras.layers.Dense(32HIDDEN),
    tf.keras.layers.Dense(8HIDDEN),
    tf.keras.layers.Dense(1, activation="OUT"),
])
m.compile(loss="mse", optimizer="adam")
m.fit(x, y, epochs=300, batch_size=32)
"""


def test_linear_hidden_stack_before_a_monotone_output_is_one_linear_map():
    found = [f for f in findings(LINEAR_STACK.replace("HIDDEN", "").replace("OUT", "relu")) if f.code == "NF115"]
    assert found and "2 hidden layer(s) without activation" in found[0].message and "relu output" in found[0].message
    assert "NF115" not in codes(LINEAR_STACK.replace("HIDDEN", ', activation="tanh"').replace("OUT", "relu"))
    assert "NF115" in codes(LINEAR_STACK.replace("HIDDEN", "").replace("OUT", "linear"))


# ---- the script's own squared-error function, reduced with .sum() -------------------------------------

OWN_SQUARED_LOSS = """
import torch
x = torch.linspace(0, SCALE, 400).reshape(-1, 1)
y = 3 * x + 2
w = torch.normal(0, 0.01, size=(1, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)
def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2
lr = 0.03
for epoch in range(200):
    for i in range(0, 400, 10):
        X, Y = x[i:i + 10], y[i:i + 10]
        l = squared_loss(torch.matmul(X, w) + b, Y)
        l.sum().backward()
        with torch.no_grad():
            for p in (w, b):
                p -= lr * p.grad / 10
                p.grad.zero_()
"""


def test_squared_loss_returned_by_own_function_is_a_squared_error():
    found = [f for f in findings(OWN_SQUARED_LOSS.replace("SCALE", "100")) if f.code == "NF103"]
    assert found and "squared error" in found[0].message
    assert "NF103" not in codes(OWN_SQUARED_LOSS.replace("SCALE", "1"))
