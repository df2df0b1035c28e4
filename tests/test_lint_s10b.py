"""`doctor lint` on idioms met in posted programs of public threads outside the corpus (session 10b's
probes, /tmp/lintprobe10b): one test per idiom the static reader was taught to read. Each program is
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


def ranges(text: str) -> list[tuple[float, float]]:
    return [(c.min, c.max) for c in analyse_source(textwrap.dedent(text)).data.inputs]


# ---- the Boston table under the names posts load it by ---------------------------------------------

BOSTON_CSV = """
import pandas as pd
import torch
from torch.nn import Linear
df = pd.read_csv("data/Boston.csv", index_col=0)
x = torch.from_numpy(df.drop("medv", axis=1).to_numpy()).float()
y = torch.from_numpy(df[["medv"]].to_numpy()).float()
model = Linear(x.shape[1], 1)
opt = torch.optim.SGD(model.parameters(), lr=1e-5)
for epoch in range(3000):
    opt.zero_grad()
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    opt.step()
"""


def test_boston_csv_by_name_stands_in_with_the_documented_table():
    cols = ranges(BOSTON_CSV)
    assert len(cols) == 13 and cols[9] == (187, 711)        # tax
    found = names(BOSTON_CSV)
    assert {"unscaled-inputs", "unscaled-targets"} <= found


def test_sklearn_copy_of_boston_has_upper_case_names():
    text = BOSTON_CSV.replace('"data/Boston.csv", index_col=0', "'boston_house_prices.csv', skiprows=[0]") \
                     .replace('"medv"', '"MEDV"')
    assert len(ranges(text)) == 13


def test_an_unknown_csv_name_stays_unknown():
    text = BOSTON_CSV.replace("Boston.csv", "my_measurements.csv")
    assert ranges(text) == []
    assert "unscaled-inputs" not in names(text)


# ---- the concrete-strength table of the course, columns picked with a mask of names ----------------

CONCRETE = """
import pandas as pd
from keras.models import Sequential
from keras.layers import Dense
data = pd.read_csv('https://cocl.us/concrete_data')
cols = data.columns
predictors = data[cols[cols != 'Strength']]
target = data['Strength']
model = Sequential()
model.add(Dense(10, activation='relu', input_shape=(predictors.shape[1],)))
model.add(Dense(1))
model.compile(optimizer='adam', loss='mean_squared_error')
model.fit(predictors, target, epochs=50)
"""


def test_concrete_data_by_name_and_a_mask_of_column_names():
    cols = ranges(CONCRETE)
    assert len(cols) == 8                                   # the mask leaves out Strength
    assert cols[0] == (102, 540) and cols[7] == (1, 365)
    found = names(CONCRETE)
    assert {"unscaled-inputs", "unscaled-targets"} <= found


def test_a_mask_with_equality_keeps_the_one_column():
    text = CONCRETE.replace("cols[cols != 'Strength']", "cols[cols == 'Cement']")
    assert ranges(text) == [(102, 540)]


def test_standardised_concrete_predictors_are_not_unscaled():
    text = CONCRETE.replace("target = data['Strength']",
                            "target = data['Strength']\npredictors = (predictors - predictors.mean()) / predictors.std()")
    assert "unscaled-inputs" not in names(text)


# ---- an array made of a DataFrame, multiplied by a hand-made weight ---------------------------------

FRAME_ARRAY = """
import numpy as np
import pandas as pd
import torch
houses = pd.read_csv('kc_house_data.csv')
labels = houses.pop('price') / 1e5
features = houses[['sqft_living', 'bedrooms', 'grade']]
X = torch.tensor(np.array(features), dtype=torch.float32)
y = torch.tensor(np.array(labels), dtype=torch.float32).reshape(-1, 1)
w = torch.normal(0, 0.01, size=(3, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)
for epoch in range(500):
    l = ((X @ w + b - y) ** 2 / 2).mean()
    l.backward()
    with torch.no_grad():
        w -= 0.0001 * w.grad
        b -= 0.0001 * b.grad
        w.grad.zero_()
        b.grad.zero_()
"""


def test_np_array_of_a_frame_is_data_rows_for_a_hand_made_weight():
    assert ranges(FRAME_ARRAY) == [(290, 13540), (0, 33), (1, 13)]
    assert "unscaled-inputs" in names(FRAME_ARRAY)


def test_np_asarray_of_a_frame_is_positional():
    run = analyse_source(textwrap.dedent(FRAME_ARRAY.replace("np.array(features)", "np.asarray(features)")))
    assert len(run.data.inputs) == 3


def test_loc_with_a_mask_of_column_names_selects_columns():
    text = CONCRETE.replace("data[cols[cols != 'Strength']]", "data.loc[:, data.columns != 'Strength']")
    assert len(ranges(text)) == 8


def test_comprehension_over_column_names_keeps_the_names_it_filters():
    text = CONCRETE.replace("data[cols[cols != 'Strength']]", "data[[c for c in data.columns if c != 'Strength']]")
    assert len(ranges(text)) == 8
    text = CONCRETE.replace("data[cols[cols != 'Strength']]",
                            "data[[c for c in cols if c not in ['Strength', 'Age']]]")
    assert ranges(text)[-1] == (594, 992.6)                 # Fine Aggregate is the last one kept
    assert len(ranges(text)) == 7



# ---- an array filled element by element with chained indexing ---------------------------------------

CHAINED_FILL = """
import numpy as np
from keras.models import Sequential
from keras.layers import Dense
X = np.zeros((400, 2))
Y = np.zeros((400, 1))
for i in range(400):
    for j in range(2):
        X[i][j] = (i % 20) * 0.05
    Y[i][0] = 300 + 2 * i
model = Sequential([Dense(16, activation='tanh', input_shape=(2,)), Dense(1)])
model.compile(optimizer='adam', loss='mse')
model.fit(X, Y, epochs=200, batch_size=32)
"""


def test_chained_index_fill_widens_the_array_range():
    run = analyse_source(textwrap.dedent(CHAINED_FILL))
    t = run.data.targets[0]
    assert t.min <= 300 and t.max >= 1000
    assert "unscaled-targets" in names(CHAINED_FILL)


def test_chained_fill_with_small_values_is_not_unscaled():
    text = CHAINED_FILL.replace("Y[i][0] = 300 + 2 * i", "Y[i][0] = (i % 20) * 0.05")
    assert "unscaled-targets" not in names(text)


# ---- a NumPy network whose gradients have short names (d2, d1, gW1) ---------------------------------

SHORT_GRADIENTS = """
import numpy as np
x = np.random.uniform(-1, 1, (500, 2))
y = x[:, :1] * x[:, 1:2]
W1 = np.random.randn(2, 8) * 0.5
b1 = np.zeros((1, 8))
W2 = np.random.randn(8, 1) * 0.3
b2 = np.zeros((1, 1))
for it in range(40):
    h = np.tanh(x.dot(W1) + b1)
    out = h.dot(W2) + b2
    loss = np.mean((out - y) ** 2)
    d2 = (out - y) / len(x)
    gW2 = h.T.dot(d2)
    d1 = d2.dot(W2.T) * (1 - h ** 2)
    W2 -= 0.5 * gW2
    b2 -= 0.5 * d2.sum(axis=0, keepdims=True)
    W1 -= 0.5 * x.T.dot(d1)
    b1 -= 0.5 * d1.sum(axis=0, keepdims=True)
"""


def test_short_gradient_names_are_read_as_gradient_descent():
    run = analyse_source(textwrap.dedent(SHORT_GRADIENTS))
    assert run.config.optimizer is not None and run.config.optimizer.learning_rate == 0.5
    assert run.config.epochs == 40
    assert "too-few-updates" in names(SHORT_GRADIENTS)


def test_a_summed_short_gradient_is_not_plain_sgd():
    text = SHORT_GRADIENTS.replace("d2 = (out - y) / len(x)", "d2 = out - y")
    run = analyse_source(textwrap.dedent(text))
    assert run.config.optimizer is None or run.config.optimizer.learning_rate != 0.5


# ---- an optimiser class chosen by name with getattr ---------------------------------------------------

GETATTR_OPT = """
import torch
from torch import nn, optim
name = "SGD"
X = torch.rand(200, 2) * 4 - 2
y = X[:, :1] - X[:, 1:]
model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))
opt = getattr(optim, name)(model.parameters(), lr=3.0)
for epoch in range(400):
    opt.zero_grad()
    loss = nn.MSELoss()(model(X), y)
    loss.backward()
    opt.step()
"""


def test_getattr_optimizer_is_read_as_the_named_class():
    run = analyse_source(textwrap.dedent(GETATTR_OPT))
    assert run.config.optimizer.name == "sgd" and run.config.optimizer.learning_rate == 3.0
    assert "learning-rate-too-high" in names(GETATTR_OPT)


def test_getattr_with_a_name_not_known_leaves_the_optimizer_unknown():
    text = GETATTR_OPT.replace('name = "SGD"', "import sys\nname = sys.argv[1]")
    run = analyse_source(textwrap.dedent(text))
    assert run.config.optimizer is None or run.config.optimizer.learning_rate != 3.0
