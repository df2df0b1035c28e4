"""`doctor lint` on idioms met in posted programs of public threads outside the corpus (session 10's
probes, /tmp/lintprobe10): one test per idiom the static reader was taught to read. Each program is
written here anew, read and never run; each test fails on the reader as it was before (the finding
was missing, or a value was misread).
"""
from __future__ import annotations

import os
import textwrap

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.lint import analyse_source, lint_source  # noqa: E402


def names(text: str) -> set[str]:
    return {f.message.split(":", 1)[0] for f in lint_source(textwrap.dedent(text))}


# ---- Python's random.randrange in a loop that builds the rows --------------------------------------

RANDRANGE_ROWS = """
import random
import numpy as np
from keras.models import Sequential
from keras.layers import Dense
rows = []
for k in range(3000):
    rows.append([random.randrange(0, 40000), 0])
    rows.append([random.randrange(40000, 80000), 1])
data = np.array(rows)
X = data[:, 0:1]
y = data[:, 1]
model = Sequential()
model.add(Dense(8, input_dim=1, activation='relu'))
model.add(Dense(1, activation='sigmoid'))
model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
model.fit(X, y, epochs=20, batch_size=32)
"""


def test_randrange_values_are_read_as_integers_in_their_range():
    run = analyse_source(textwrap.dedent(RANDRANGE_ROWS))
    col = run.data.inputs[0]
    assert (col.min, col.max) == (0, 79999)
    assert "unscaled-inputs" in names(RANDRANGE_ROWS)


def test_randrange_with_one_argument_starts_at_zero():
    text = RANDRANGE_ROWS.replace("random.randrange(0, 40000)", "random.randrange(500)") \
                         .replace("random.randrange(40000, 80000)", "random.randrange(900)")
    col = analyse_source(textwrap.dedent(text)).data.inputs[0]
    assert (col.min, col.max) == (0, 899)


# ---- a hand-written step with no learning-rate factor ----------------------------------------------

NO_RATE_STEP = """
import numpy as np
from sklearn.preprocessing import StandardScaler
a = np.random.uniform(1, 100, size=(500, 1))
b = np.random.uniform(0, 1, size=(500, 1))
X = StandardScaler().fit_transform(np.hstack((a, b)))
y = StandardScaler().fit_transform(3 * a + b)
w = np.random.normal(size=(2, 1), scale=0.1)
for i in range(2000):
    out = X.dot(w)
    err = y - out
    w += X.T.dot(err)
"""


def test_step_without_learning_rate_is_plain_sgd_at_rate_one():
    run = analyse_source(textwrap.dedent(NO_RATE_STEP))
    assert run.config.optimizer is not None and run.config.optimizer.learning_rate == 1.0
    assert "learning-rate-too-high" in names(NO_RATE_STEP)


def test_step_with_a_small_rate_is_not_called_too_high():
    text = NO_RATE_STEP.replace("w += X.T.dot(err)", "w += 0.0005 * X.T.dot(err)")
    assert "learning-rate-too-high" not in names(text)


SIGMOID_DELTA = """
import numpy as np
def sigmoid(x):
    return 1 / (1 + np.exp(-x))
X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
y = np.array([[0, 1, 1, 0]]).T
syn0 = 2 * np.random.random((3, 4)) - 1
syn1 = 2 * np.random.random((4, 1)) - 1
for j in range(60000):
    l1 = sigmoid(np.dot(X, syn0))
    l2 = sigmoid(np.dot(l1, syn1))
    l2_delta = (y - l2) * (l2 * (1 - l2))
    l1_delta = l2_delta.dot(syn1.T) * (l1 * (1 - l1))
    syn1 += l1.T.dot(l2_delta)
    syn0 += X.T.dot(l1_delta)
"""


def test_sigmoid_delta_steps_without_rate_are_not_called_too_high():
    # the classic from-scratch network: its deltas go through the sigmoid's derivative, rate 1 is its
    # ordinary setting
    assert "learning-rate-too-high" not in names(SIGMOID_DELTA)


# ---- x.mm(w).add_(b): a bias added in place to a layer's output ------------------------------------

INPLACE_BIAS = """
import torch
X = torch.Tensor([[1, 2.0], [1, 3.0], [1, 7.0], [1, 9.0]])
y = torch.Tensor([2.0, 3.0, 7.0, 9.0])
w = torch.randn(2, 1, requires_grad=True)
b = torch.randn(1, requires_grad=True)
opt = torch.optim.SGD([w, b], lr=0.01)
for it in range(3000):
    out = X.mm(w).add_(b)
    loss = torch.mean((out - y) ** 2)
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_inplace_bias_keeps_the_prediction_and_its_shape():
    run = analyse_source(textwrap.dedent(INPLACE_BIAS))
    assert run.data.n_samples == 4
    assert "target-shape-broadcast" in names(INPLACE_BIAS)


def test_method_form_add_keeps_the_prediction():
    text = INPLACE_BIAS.replace("X.mm(w).add_(b)", "X.mm(w).add(b)")
    assert "target-shape-broadcast" in names(text)


def test_inplace_bias_with_matching_target_shape_is_quiet():
    text = INPLACE_BIAS.replace("[2.0, 3.0, 7.0, 9.0]", "[[2.0], [3.0], [7.0], [9.0]]")
    assert "target-shape-broadcast" not in names(text)


# ---- x.round(3): the argument is the decimals, not the operand -------------------------------------

ROUNDED = """
import numpy as np
from tensorflow import keras
X = (np.random.rand(400, 3) * 100).round(3)
y = np.random.rand(400, 1)
m = keras.Sequential([keras.layers.Dense(16, activation='relu', input_shape=(3,)), keras.layers.Dense(1)])
m.compile(optimizer='adam', loss='mse')
m.fit(X, y, epochs=100, batch_size=16)
"""


def test_round_with_decimals_keeps_the_values_and_their_float_type():
    run = analyse_source(textwrap.dedent(ROUNDED))
    col = run.data.inputs[0]
    assert (col.min, col.max) == (0, 100)
    found = names(ROUNDED)
    assert "unscaled-inputs" in found and "integer-typed-data" not in found


def test_round_of_a_named_array_is_read_too():
    text = ROUNDED.replace("X = (np.random.rand(400, 3) * 100).round(3)",
                           "raw = np.random.rand(400, 3) * 100\nX = raw.round(2)")
    col = analyse_source(textwrap.dedent(text)).data.inputs[0]
    assert (col.min, col.max) == (0, 100)


def test_step_without_rate_on_a_mean_gradient_is_left_alone():
    # rate 1 on the mean loss's gradient of standardised data can be a stable step: not called too high
    text = NO_RATE_STEP.replace("w += X.T.dot(err)", "w += X.T.dot(err) / len(X)")
    assert "learning-rate-too-high" not in names(text)


# ---- X.sub_(m).div_(s): data standardised in place --------------------------------------------------

INPLACE_SCALE = """
import torch
import torch.nn as nn
X = torch.rand(500, 3) * 1000
y = X.sum(1, keepdim=True) / 3000
X.sub_(X.mean(0)).div_(X.std(0))
model = nn.Sequential(nn.Linear(3, 32), nn.ReLU(), nn.Linear(32, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
crit = nn.MSELoss()
for epoch in range(500):
    opt.zero_grad()
    loss = crit(model(X), y)
    loss.backward()
    opt.step()
"""


def test_inplace_standardisation_is_read_and_not_called_unscaled():
    col = analyse_source(textwrap.dedent(INPLACE_SCALE)).data.inputs[0]
    assert max(abs(col.min), abs(col.max)) < 2
    assert "unscaled-inputs" not in names(INPLACE_SCALE)


def test_inplace_division_by_a_constant_scales_the_data():
    text = INPLACE_SCALE.replace("X.sub_(X.mean(0)).div_(X.std(0))", "X.div_(1000)")
    col = analyse_source(textwrap.dedent(text)).data.inputs[0]
    assert (col.min, col.max) == (0, 1)


def test_unscaled_data_without_the_inplace_step_is_still_called_unscaled():
    text = INPLACE_SCALE.replace("X.sub_(X.mean(0)).div_(X.std(0))\n", "")
    assert "unscaled-inputs" in names(text)


HAND_STEP_INPLACE = """
import torch
X = torch.rand(200, 2)
y = X @ torch.tensor([[2.0], [-1.0]])
w = torch.randn(2, 1, requires_grad=True)
for i in range(500):
    loss = ((X @ w - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w.sub_(0.1 * w.grad)
        w.grad.zero_()
"""


def test_inplace_step_on_a_weight_is_still_a_hand_written_update():
    run = analyse_source(textwrap.dedent(HAND_STEP_INPLACE))
    assert run.config.optimizer is not None and run.config.optimizer.learning_rate == 0.1
