"""`doctor lint` on column-major NumPy networks written by hand: X of shape (features, samples),
`Z1 = np.dot(W1, X) + b1` (or `W1 @ X`), W1 of shape (hidden, features), b1 (hidden, 1), the loss
divided by m = X.shape[1], `dW1 = np.dot(dZ1, X.T) / m`. The weight is the left operand, so the samples
lie along the data's last axis. Each program is written here anew, read and never run; each test
fails on the reader as it was before (no data recorded, the layers read backwards, or a broadcast
finding from the misread orientation). The last test guards the row-major reading (X @ W) beside it.
"""
from __future__ import annotations

import os
import textwrap

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.lint import analyse_source, lint_source  # noqa: E402


def names(text: str) -> set[str]:
    return {f.message.split(":", 1)[0] for f in lint_source(textwrap.dedent(text))}


def run_of(text: str):
    return analyse_source(textwrap.dedent(text))


# a two-layer classifier: tanh hidden layer, sigmoid output, cross-entropy, full-batch gradient descent
CLASSIFIER = """
import numpy as np
X = np.random.rand(3, 500){scale}
Y = (X.sum(axis=0, keepdims=True) > 1.5).astype(float)
m = X.shape[1]

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

W1 = np.random.randn(5, 3) * 0.1
b1 = np.zeros((5, 1))
W2 = np.random.randn(1, 5) * 0.1
b2 = np.zeros((1, 1))
alpha = 0.1
for it in range(3000):
    A1 = np.tanh(np.dot(W1, X) + b1)
    A2 = sigmoid(np.dot(W2, A1) + b2)
    cost = -(1.0 / m) * np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))
    dZ2 = A2 - Y
    dW2 = (1.0 / m) * np.dot(dZ2, A1.T)
    db2 = (1.0 / m) * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.dot(W2.T, dZ2) * (1 - A1 ** 2)
    dW1 = (1.0 / m) * np.dot(dZ1, X.T)
    db1 = (1.0 / m) * np.sum(dZ1, axis=1, keepdims=True)
    W1 = W1 {sign} alpha * dW1
    b1 = b1 {sign} alpha * db1
    W2 = W2 {sign} alpha * dW2
    b2 = b2 {sign} alpha * db2
"""


def test_column_major_data_recorded_one_row_per_sample():
    run = run_of(CLASSIFIER.format(scale="", sign="-"))
    assert run.data.n_samples == 500
    assert len(run.data.inputs) == 3
    assert [(c.min, c.max) for c in run.data.inputs] == [(0.0, 1.0)] * 3
    assert [(c.min, c.max) for c in run.data.targets] == [(0.0, 1.0)]
    assert run.data.is_regression is False


def test_column_major_clean_classifier_read_and_not_flagged():
    text = CLASSIFIER.format(scale="", sign="-")
    assert run_of(text).config.epochs == 3000
    assert names(text) == set()


def test_column_major_gradient_ascent_found():
    assert "wrong-update-rule" in names(CLASSIFIER.format(scale="", sign="+"))


def test_column_major_unscaled_inputs_found():
    assert "unscaled-inputs" in names(CLASSIFIER.format(scale=" * 5000", sign="-"))


FEATURE_ROWS = """
import numpy as np
sizes = np.random.uniform(500, 4000, (1, 300))
rooms = np.random.randint(1, 8, (1, 300))
X = np.vstack([sizes, rooms])
Y = (sizes > 2000).astype(float)
m = X.shape[1]
W1 = np.random.randn(10, 2) * 0.01
b1 = np.zeros((10, 1))
W2 = np.random.randn(1, 10) * 0.01
b2 = np.zeros((1, 1))
lr = 0.01
for epoch in range(5000):
    Z1 = W1 @ X + b1
    A1 = np.maximum(0, Z1)
    A2 = 1 / (1 + np.exp(-(W2 @ A1 + b2)))
    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T / m
    dZ1 = (W2.T @ dZ2) * (Z1 > 0)
    dW1 = dZ1 @ X.T / m
    W1 -= lr * dW1
    W2 -= lr * dW2
"""


def test_feature_rows_stacked_keep_their_own_ranges():
    run = run_of(FEATURE_ROWS)
    assert run.data.n_samples == 300
    assert [(c.min, c.max) for c in run.data.inputs] == [(500.0, 4000.0), (1.0, 7.0)]
    assert "unscaled-inputs" in names(FEATURE_ROWS)


REGRESSION = """
import numpy as np
x = np.linspace(-1, 1, 200)
X = x.reshape(1, -1)
Y = ({a} * x ** 2 + {c}).reshape(1, -1)
m = X.shape[1]
W1 = np.random.randn(16, 1) * 0.5
b1 = np.zeros((16, 1))
W2 = np.random.randn(1, 16) * 0.5
b2 = np.zeros((1, 1))
lr = {lr}
for step in range(5000):
    Z1 = np.dot(W1, X) + b1
    A1 = np.tanh(Z1)
    Z2 = np.dot(W2, A1) + b2
    loss = np.sum((Z2 - Y) ** 2) / m
    dZ2 = 2 * (Z2 - Y) / m
    dW2 = np.dot(dZ2, A1.T)
    db2 = np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.dot(W2.T, dZ2) * (1 - A1 ** 2)
    dW1 = np.dot(dZ1, X.T)
    db1 = np.sum(dZ1, axis=1, keepdims=True)
    W1 = W1 - lr * dW1
    b1 = b1 - lr * db1
    W2 = W2 - lr * dW2
    b2 = b2 - lr * db2
"""


def test_row_of_samples_from_reshape_and_unscaled_targets():
    text = REGRESSION.format(a=5000, c=300, lr=0.01)
    run = run_of(text)
    assert run.data.n_samples == 200
    assert [(c.min, c.max) for c in run.data.targets] == [(300.0, 5300.0)]
    assert "unscaled-targets" in names(text)


def test_column_major_weights_read_as_units_by_inputs():
    # (16, 1) then (1, 16) chains either way round; `W1 @ X` says each weight is (units, inputs)
    run = run_of(REGRESSION.format(a=1, c=0, lr=0.05))
    assert [(la.input_units, la.units) for la in run.layers if la.kind == "dense"] == [(1, 16), (16, 1)]


def test_rate_through_back_propagated_mean_delta():
    # dZ2 = 2 (Z2 - Y) / m carries the mean into every dW: plain SGD at that rate, judged as such
    assert "learning-rate-too-high" in names(REGRESSION.format(a=1, c=0, lr=50.0))
    assert names(REGRESSION.format(a=1, c=0, lr=0.05)) == set()


TRANSPOSED = """
import numpy as np
data = np.random.uniform(-1, 1, (600, 3))
data[:, 2] = data[:, 2] * 900
labels = (data[:, 0] > 0).astype(float).reshape(-1, 1)
X = data.T
Y = labels.T
m = X.shape[1]
W1 = np.random.randn(8, 3) * 0.1
b1 = np.zeros((8, 1))
W2 = np.random.randn(1, 8) * 0.1
b2 = np.zeros((1, 1))
for i in range(5000):
    A1 = np.tanh(np.dot(W1, X) + b1)
    A2 = 1 / (1 + np.exp(-(np.dot(W2, A1) + b2)))
    dZ2 = A2 - Y
    dW2 = np.dot(dZ2, A1.T) / m
    dZ1 = np.dot(W2.T, dZ2) * (1 - A1 ** 2)
    dW1 = np.dot(dZ1, X.T) / m
    W1 = W1 - 0.1 * dW1
    W2 = W2 - 0.1 * dW2
"""


def test_rows_transposed_for_the_network_keep_their_columns():
    run = run_of(TRANSPOSED)
    assert run.data.n_samples == 600
    assert [(c.min, c.max) for c in run.data.inputs] == [(-1.0, 1.0), (-1.0, 1.0), (-900.0, 900.0)]
    assert [(c.min, c.max) for c in run.data.targets] == [(0.0, 1.0)]


MATRIX_VECTOR = """
import numpy as np
import torch
grid = np.linspace(-10, 10, 100)
curve = grid ** 3
crit = torch.nn.MSELoss()
W = torch.tensor(np.random.normal(0, 0.1, (20, 80))).requires_grad_()
b = torch.zeros(1, requires_grad=True)
X = torch.tensor(curve[:80])
T = torch.tensor(curve[80:])
for i in range(100):
    out = W @ X + b
    loss = crit(out, T)
    loss.backward()
    with torch.no_grad():
        W -= W.grad * 1e-3
        b -= b.grad * 1e-3
        W.grad.zero_()
        b.grad.zero_()
"""


def test_weight_times_vector_is_one_sample_and_no_broadcast():
    run = run_of(MATRIX_VECTOR)
    assert run.fit.loss_broadcast is None
    assert run.data.n_samples == 1
    assert len(run.data.inputs) == 80
    assert "target-shape-broadcast" not in names(MATRIX_VECTOR)
    assert "unscaled-inputs" in names(MATRIX_VECTOR)


ROW_MAJOR = """
import numpy as np
X = np.linspace(-3, 3, 256).reshape(-1, 1)
Y = np.sin(X)
n = X.shape[0]
W1 = np.random.randn(1, 20)
b1 = np.zeros((1, 20))
W2 = np.random.randn(20, 1) * 0.2
b2 = np.zeros((1, 1))
for epoch in range(20000):
    H = np.tanh(X @ W1 + b1)
    out = H @ W2 + b2
    d_out = 2 * (out - Y) / n
    dW2 = H.T @ d_out
    dH = (d_out @ W2.T) * (1 - H ** 2)
    dW1 = X.T @ dH
    W1 -= 0.05 * dW1
    W2 -= 0.05 * dW2
"""


def test_row_major_network_still_read_rows_first():
    run = run_of(ROW_MAJOR)
    assert run.data.n_samples == 256
    assert [(la.input_units, la.units) for la in run.layers if la.kind == "dense"] == [(1, 20), (20, 1)]
    assert names(ROW_MAJOR) == set()


DICT_PARAMETERS = """
import numpy as np

def forward(X, parameters):
    Z1 = np.dot(parameters["W1"], X) + parameters["b1"]
    A1 = np.tanh(Z1)
    A2 = 1 / (1 + np.exp(-(np.dot(parameters["W2"], A1) + parameters["b2"])))
    return A2, A1

def backward(parameters, A1, A2, X, Y):
    m = X.shape[1]
    dZ2 = A2 - Y
    dW2 = np.dot(dZ2, A1.T) / m
    dZ1 = np.dot(parameters["W2"].T, dZ2) * (1 - np.power(A1, 2))
    dW1 = np.dot(dZ1, X.T) / m
    return {{"dW1": dW1, "dW2": dW2}}

def update(parameters, grads, learning_rate={lr}):
    W1 = parameters["W1"] - learning_rate * grads["dW1"]
    W2 = parameters["W2"] - learning_rate * grads["dW2"]
    return {{"W1": W1, "b1": parameters["b1"], "W2": W2, "b2": parameters["b2"]}}

temps = np.random.uniform(200, 400, (1, 500))
pressure = np.random.uniform(90000, 110000, (1, 500))
X = np.concatenate([temps, pressure], axis=0)
Y = (temps > 300).astype(float)
parameters = {{"W1": np.random.randn(4, 2) * 0.01, "b1": np.zeros((4, 1)),
               "W2": np.random.randn(1, 4) * 0.01, "b2": np.zeros((1, 1))}}
for i in range(10000):
    A2, A1 = forward(X, parameters)
    grads = backward(parameters, A1, A2, X, Y)
    parameters = update(parameters, grads)
"""


def test_feature_rows_concatenated_and_dict_parameters_updated():
    text = DICT_PARAMETERS.format(lr=0.05)
    run = run_of(text)
    assert run.data.n_samples == 500
    assert [(c.min, c.max) for c in run.data.inputs] == [(200.0, 400.0), (90000.0, 110000.0)]
    assert run.config.optimizer is not None and run.config.optimizer.learning_rate == 0.05
    assert "unscaled-inputs" in names(text)
