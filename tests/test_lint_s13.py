"""`doctor lint` on more idioms of posted programs (session 12's probes from public threads outside the
corpus): bare numpy names (`from numpy.random import randn`, `from pylab import *`), a Python 2 print
after a one-line header, an update through a one-line helper (`W = step(W, dW)`), entry-wise updates,
whole-number quantities under a binary loss, and feature rows built by appends. Each program is
written here anew, read and never run; each test fails on the reader as it was before.
"""
from __future__ import annotations

import os
import textwrap

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.lint import analyse_source, lint_source  # noqa: E402


def names(text: str) -> set[str]:
    return {f.message.split(":", 1)[0] for f in lint_source(textwrap.dedent(text))}


def ranges(text: str) -> list[tuple[float, float]]:
    return [(c.min, c.max) for c in analyse_source(textwrap.dedent(text)).data.inputs]


BARE_RANDN = """
import torch
from numpy.random import uniform
X = uniform(0, 1000, (500, 1))
y = 3 * X + 2
model = torch.nn.Sequential(torch.nn.Linear(1, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
xt, yt = torch.tensor(X).float(), torch.tensor(y).float()
for epoch in range(200):
    opt.zero_grad()
    loss = ((model(xt) - yt) ** 2).mean()
    loss.backward()
    opt.step()
"""


def test_bare_numpy_random_name_is_read_as_numpy():
    assert ranges(BARE_RANDN) == [(0, 1000)]
    assert "unscaled-inputs" in names(BARE_RANDN)


def test_pylab_star_import_gives_numpy_names():
    text = BARE_RANDN.replace("from numpy.random import uniform", "from pylab import *")
    assert ranges(text) == [(0, 1000)]


def test_a_local_function_of_the_same_name_is_not_numpy():
    text = BARE_RANDN.replace("from numpy.random import uniform",
                              "def uniform(lo, hi, shape):\n    return lo + 0 * hi")
    assert ranges(text) != [(0, 1000)]


PRINT_AFTER_HEADER = """
import numpy as np
X = np.linspace(0, 1, 100).reshape(-1, 1)
y = X ** 2
W = np.random.randn(1, 1)
lr = 0.1
for i in range(1000):
    pred = X.dot(W)
    grad = X.T.dot(pred - y) / len(X)
    W -= lr * grad
    if i % 100 == 0: print i, np.mean((pred - y) ** 2)
"""


def test_python2_print_after_a_one_line_header_is_repaired():
    # before, the whole file failed to parse and nothing was read
    assert ranges(PRINT_AFTER_HEADER) == [(0.0, 1.0)]


HELPER_STEP = """
import numpy as np
X = np.linspace(-1, 1, 200).reshape(-1, 1)
y = X ** 2
W1 = np.random.randn(1, 8); W2 = np.random.randn(8, 1)

def step(w, dw, lr=0.1):
    return w - lr * w

for epoch in range(500):
    h = np.tanh(X.dot(W1))
    out = h.dot(W2)
    err = out - y
    dW2 = h.T.dot(err)
    dW1 = X.T.dot(err.dot(W2.T) * (1 - h ** 2))
    W2 = step(W2, dW2)
    W1 = step(W1, dW1)
"""


def test_update_through_a_one_line_helper_is_read_as_written_out():
    assert "wrong-update-rule" in names(HELPER_STEP)
    fixed = HELPER_STEP.replace("return w - lr * w", "return w - lr * dw")
    assert "wrong-update-rule" not in names(fixed)


ENTRYWISE = """
import numpy as np
X = np.linspace(-1, 1, 50).reshape(-1, 1)
y = X ** 2
W1 = np.random.randn(1, 4)
W2 = np.random.randn(4, 1)
lr = 0.05
for epoch in range(300):
    h = np.tanh(X.dot(W1))
    err = h.dot(W2) - y
    dW2 = h.T.dot(err)
    dW1 = X.T.dot(err.dot(W2.T) * (1 - h ** 2))
    for i in range(4):
        W2[i, 0] = W2[i, 0] - lr * W2[i, 0]
        W1[0, i] = W1[0, i] - lr * dW1[0, i]
"""


def test_entrywise_update_of_the_weight_itself_is_a_wrong_update():
    assert "wrong-update-rule" in names(ENTRYWISE)
    fixed = ENTRYWISE.replace("lr * W2[i, 0]", "lr * dW2[i, 0]")
    assert "wrong-update-rule" not in names(fixed)


BINARY_LOSS_ON_PRICES = """
import numpy as np
import keras
X = np.random.uniform(0, 1, (400, 3))
y = np.random.randint(50, 500, (400, 1))
model = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(X, y, epochs=20)
"""


def test_whole_number_quantities_under_a_binary_loss_are_a_regression():
    assert analyse_source(textwrap.dedent(BINARY_LOSS_ON_PRICES)).data.is_regression is True
    labels = BINARY_LOSS_ON_PRICES.replace("randint(50, 500,", "randint(0, 2,")
    assert analyse_source(textwrap.dedent(labels)).data.is_regression is False


APPENDED_ROWS = """
import numpy as np
import torch
rows, targets = [], []
for k in range(300):
    x = k / 3.0
    row = []
    row.append(x ** 2)
    row.append(x)
    rows.append(row)
    targets.append([2 * x ** 2 + x])
X = torch.tensor(rows).float()
y = torch.tensor(targets).float()
model = torch.nn.Linear(2, 1)
opt = torch.optim.SGD(model.parameters(), lr=1e-3)
for epoch in range(100):
    opt.zero_grad()
    loss = ((model(X) - y) ** 2).mean()
    loss.backward()
    opt.step()
"""


def test_feature_rows_built_by_appends_keep_their_columns():
    cols = ranges(APPENDED_ROWS)
    assert len(cols) == 2
    assert cols[0][1] > 9000 and cols[1][1] < 100
