"""`doctor lint` on idioms the tuning corpus did not show (issue 13, item 6): one test per idiom the
static reader was taught to read. Each program is read, never run; every test fails on the reader as
it was before (the finding is missing, or a false one appears).

Fixtures: tests/fixtures/lint_s9/ (a CSV beside a script that names it by a Windows path; a paste with
its line numbers).
"""
from __future__ import annotations

import os
import textwrap
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.lint import analyse_source, lint_file, lint_source  # noqa: E402
from nnfit.doctor.static.comments import describe  # noqa: E402

HERE = Path(__file__).resolve().parent / "fixtures" / "lint_s9"


def codes(text: str, path: str | None = None) -> list[str]:
    return [f.code for f in lint_source(textwrap.dedent(text), path)]


# ---- shapes through X @ w when w is not a literal -------------------------------------------------

TORCH_LOADER = """
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
X_np = np.random.rand(1000, 6).astype(np.float32)
y_np = (X_np @ WEIGHTS / 10.0).astype(np.float32)
loader = DataLoader(TensorDataset(torch.from_numpy(X_np), torch.from_numpy(y_np)), batch_size=32, shuffle=True)
net = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 1))
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
for epoch in range(50):
    for xb, yb in loader:
        opt.zero_grad()
        loss = nn.MSELoss()(net(xb), yb)
        loss.backward()
        opt.step()
"""


def test_matrix_times_a_computed_vector_is_one_dimensional():
    # np.arange(1, 7): a vector whose entries are not literals; the product is (n,), the targets broadcast
    run = analyse_source(TORCH_LOADER.replace("WEIGHTS", "np.arange(1, 7)"))
    assert run.fit.loss_broadcast == ((32, 1), (32,))
    assert "NF125" in codes(TORCH_LOADER.replace("WEIGHTS", "np.arange(1, 7)"))
    # (n, 6) @ (6, 1): a column, nothing broadcasts
    assert "NF125" not in codes(TORCH_LOADER.replace("WEIGHTS", "np.random.rand(6, 1)"))


# ---- `from torch.optim import SGD`: the rate is the second positional argument ---------------------

def test_positional_rate_of_a_from_imported_torch_optimizer():
    text = """
    import torch
    from torch import nn
    from torch.optim import SGD
    X = torch.rand(500, 1) * 2 - 1
    Y = 3 * X - 1
    lin = nn.Linear(1, 1)
    opt = SGD(lin.parameters(), 1e-7)
    for _ in range(2000):
        opt.zero_grad()
        l = nn.MSELoss()(lin(X), Y)
        l.backward()
        opt.step()
    """
    run = analyse_source(textwrap.dedent(text))
    assert run.config.optimizer.learning_rate == 1e-7
    assert "NF104" in codes(text)


# ---- torch.nn.functional losses: nll_loss, and the bare names of `from ... functional import` -------

def test_functional_nll_loss_without_log_softmax():
    text = """
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    X = torch.randn(800, 10)
    y = torch.argmax(X[:, :4], dim=1)
    net = nn.Sequential(nn.Linear(10, 50), nn.ReLU(), nn.Linear(50, 4))
    optim = torch.optim.Adam(net.parameters(), lr=0.001)
    for epoch in range(300):
        optim.zero_grad()
        loss = F.nll_loss(net(X), y)
        loss.backward()
        optim.step()
    """
    assert "NF126" in codes(text)
    fixed = text.replace("nn.Linear(50, 4))", "nn.Linear(50, 4), nn.LogSoftmax(dim=1))")
    assert "NF126" not in codes(fixed)


def test_bare_functional_loss_name():
    text = """
    import torch
    import torch.nn as nn
    from torch.nn.functional import mse_loss
    x = torch.rand(300, 2)
    y = x[:, :1] * 40 + 60
    net = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    for i in range(1000):
        opt.zero_grad()
        loss = mse_loss(net(x), y)
        loss.backward()
        opt.step()
    """
    run = analyse_source(textwrap.dedent(text))
    assert run.config.loss == "mse"
    assert "NF107" in codes(text)


# ---- class shares of labels thresholded from a random draw -----------------------------------------

KERAS_THRESHOLD = """
import numpy as np
from tensorflow import keras
X = DRAW
y = (X[:, 0] > CUT).astype(int)
model = keras.Sequential([keras.layers.Dense(16, activation="relu", input_shape=(10,)),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(X, y, epochs=20, batch_size=64)
"""


def test_labels_from_a_threshold_on_a_normal_draw_are_imbalanced():
    text = KERAS_THRESHOLD.replace("DRAW", "np.random.randn(5000, 10)").replace("CUT", "2.3")
    run = analyse_source(text)
    ones = run.data.class_counts["1"] / sum(run.data.class_counts.values())
    assert 0.005 < ones < 0.02          # P(z > 2.3) = 1.07 %
    assert "NF131" in codes(text)
    balanced = KERAS_THRESHOLD.replace("DRAW", "np.random.randn(5000, 10)").replace("CUT", "0.0")
    assert "NF131" not in codes(balanced)


def test_labels_from_a_threshold_on_a_uniform_draw():
    rare = KERAS_THRESHOLD.replace("DRAW", "np.random.rand(4000, 10)").replace("CUT", "0.98")
    assert "NF131" in codes(rare)
    half = KERAS_THRESHOLD.replace("DRAW", "np.random.rand(4000, 10)").replace("CUT", "0.5")
    assert "NF131" not in codes(half)
    # a column computed from two draws is not uniform: no share is claimed for it
    summed = KERAS_THRESHOLD.replace("DRAW", "np.random.rand(4000, 10)").replace("X[:, 0] > CUT", "X[:, 0] + X[:, 1] > 1.96")
    assert analyse_source(summed).data.class_counts is None


# ---- Python ints in a list comprehension become an int64 tensor ------------------------------------

def test_comprehension_of_python_ints_is_integer_typed():
    template = """
    import torch
    import torch.nn as nn
    x = torch.tensor([[i / 10.0] for i in range(10)])
    y = torch.tensor(TARGETS)
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(1000):
        optimizer.zero_grad()
        loss = nn.MSELoss()(model(x), y)
        loss.backward()
        optimizer.step()
    """
    assert "NF128" in codes(template.replace("TARGETS", "[[int(3 * i / 10.0)] for i in range(10)]"))
    assert analyse_source(textwrap.dedent(template.replace("TARGETS", "[[i] for i in range(10)]"))).data.target_dtype == "int64"
    assert "NF128" not in codes(template.replace("TARGETS", "[[3 * i / 10.0] for i in range(10)]"))


# ---- a data file named by the poster's own absolute path lies beside the script --------------------

def test_data_file_named_by_a_windows_path_is_read_beside_the_script():
    found = [f.code for f in lint_file(HERE / "windows_path.py")]
    assert "NF105" in found and "NF106" in found
    # the same program elsewhere, without the file beside it: the data stay unknown
    text = (HERE / "windows_path.py").read_text()
    assert "NF105" not in codes(text, "/nonexistent/dir/windows_path.py")


# ---- hand-written gradient descent in NumPy: the sign of the step, the loss, the loop ---------------

NUMPY_LOOP = """
import numpy as np
X = np.random.rand(200, 2)
y = (X[:, :1] + X[:, 1:]) / 2
W = np.random.randn(2, 1) * 0.1
b = np.zeros((1, 1))
lr = 0.1
for i in range(1000):
    pred = X.dot(W) + b
    err = RESIDUAL
    dW = X.T.dot(err) / len(X)
    db = err.mean(axis=0, keepdims=True)
    W = W STEP lr * dW
    b = b STEP lr * db
"""


def test_gradient_ascent_by_hand_is_a_wrong_update():
    ascent = NUMPY_LOOP.replace("RESIDUAL", "pred - y").replace("STEP", "+")
    wrong = [f for f in lint_source(ascent) if f.code == "NF116"]
    assert {f.location.line for f in wrong} == {13, 14}
    assert "climbs the loss" in wrong[0].message
    # the same sign flipped twice (y - pred, then +) and the plain form (pred - y, then -) descend
    for residual, step in (("y - pred", "+"), ("pred - y", "-")):
        assert "NF116" not in codes(NUMPY_LOOP.replace("RESIDUAL", residual).replace("STEP", step))
    # a constant factor flips it back: -2 * X.T @ (y - pred) is the gradient itself
    minus_two = NUMPY_LOOP.replace("RESIDUAL", "y - pred").replace("STEP", "-").replace(
        "dW = X.T.dot(err)", "dW = -2 * X.T.dot(err)").replace("db = err.mean", "db = -2 * err.mean")
    assert "NF116" not in codes(minus_two)


def test_backprop_through_own_sigmoid_with_the_wrong_sign():
    text = """
    import numpy as np
    def sigmoid(z):
        return 1 / (1 + np.exp(-z))
    X = np.random.rand(400, 2)
    y = ((X[:, 0] > 0.5) ^ (X[:, 1] > 0.5)).astype(float).reshape(-1, 1)
    W1 = np.random.randn(2, 8) * 0.5
    W2 = np.random.randn(8, 1) * 0.5
    lr = 0.5
    for i in range(5000):
        h = sigmoid(X.dot(W1))
        out = sigmoid(h.dot(W2))
        error = y - out
        d_out = error * out * (1 - out)
        d_h = d_out.dot(W2.T) * h * (1 - h)
        W2 STEP lr * h.T.dot(d_out) / len(X)
        W1 STEP lr * X.T.dot(d_h) / len(X)
    """
    wrong = [f for f in lint_source(textwrap.dedent(text.replace("STEP", "-="))) if f.code == "NF116"]
    assert {f.evidence["parameter"] for f in wrong} == {"W1", "W2"}
    assert "NF116" not in codes(text.replace("STEP", "+="))


def test_hand_loop_on_unscaled_data_reads_the_squared_error_and_its_rate():
    text = """
    import numpy as np
    def predict(X, w, b):
        return X.dot(w) + b
    def train(X, y, lr=0.01, epochs=1000):
        w = np.zeros(X.shape[1])
        b = 0.0
        for _ in range(epochs):
            err = predict(X, w, b) - y
            grad_w = X.T.dot(err) / len(y)
            grad_b = err.mean()
            w = w - lr * grad_w
            b = b - lr * grad_b
        return w, b
    X = np.random.uniform(0, 100, (300, 2))
    y = X[:, 0] * 0.5 + X[:, 1] * 0.2
    w, b = train(X, y, lr=0.01)
    """
    run = analyse_source(textwrap.dedent(text))
    assert run.config.loss == "mse" and run.config.epochs == 1000
    assert "NF103" in codes(text)
    assert "NF103" not in codes(text.replace("np.random.uniform(0, 100, (300, 2))", "np.random.rand(300, 2)"))


# ---- pasted text: a gutter of line numbers, HTML character references ------------------------------

def test_code_pasted_with_line_numbers():
    findings = lint_file(HERE / "line_numbers.py")
    out = [f for f in findings if f.code == "NF107"]
    assert out and out[0].location.line == 9 and out[0].location.column == 14
    assert any(f.code == "NF121" and "line numbers" in f.message for f in findings)


def test_html_character_references():
    text = """
    import torch
    import torch.nn as nn
    X = torch.rand(200, 3)
    y = (X[:, 0] &gt; 0.5).float().unsqueeze(1)
    model = nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    crit = nn.BCEWithLogitsLoss()
    for epoch in range(500):
        opt.zero_grad()
        loss = crit(model(X), y)
        loss.backward()
        opt.step()
    """
    run = analyse_source(textwrap.dedent(text))
    assert [(t.min, t.max) for t in run.data.targets] == [(0.0, 1.0)]    # the line with `&gt;` is read
    assert any(p["kind"] == "web-characters" and p["line"] == 5 for p in run.syntax_problems)
    found = codes(text)
    assert "NF126" in found and "NF121" in found


# ---- what the comments say about data the script does not show -------------------------------------

def test_comment_facts_are_parsed():
    d = describe(" (n, 64, 64, 3), class 0 first, then 1, ... 4")
    assert d.ordered and d.ndim == 4 and d.lo is None
    assert (describe(" pixels 0..255").lo, describe(" pixels 0..255").hi) == (0.0, 255.0)
    assert describe(" prices between 50000 and 900000").hi == 900000.0
    assert describe(" 2-layer net, 5-fold CV").lo is None
    assert not describe(" sorted by date, then shuffled").ordered


def test_comment_says_rows_are_ordered():
    text = """
    import numpy as np
    from keras.models import Sequential
    from keras.layers import Dense
    X = np.load('features.npy')   # (n, 20), class 0 first, then 1, 2
    y = np.load('labels.npy')
    model = Sequential()
    model.add(Dense(32, input_dim=20, activation='relu'))
    model.add(Dense(3, activation='softmax'))
    model.compile(loss='sparse_categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
    model.fit(X, y, epochs=20, batch_size=32, validation_split=0.2)
    """
    assert "NF127" in codes(text)
    assert "NF127" not in codes(text.replace("class 0 first, then 1, 2", "rows in random order"))


def test_comment_describes_undefined_data_of_a_fragment():
    text = """
    from keras.models import Sequential
    from keras.layers import Dense
    # X_train: (5000, 8) house features, values between 0 and 10000
    # y_train: sale prices, 100000 to 900000
    model = Sequential()
    model.add(Dense(64, input_dim=8, activation='relu'))
    model.add(Dense(1))
    model.compile(loss='mse', optimizer='adam')
    model.fit(X_train, y_train, epochs=100, batch_size=32)
    """
    found = codes(text)
    assert "NF105" in found and "NF106" in found
    assert "NF105" not in codes(text.replace("# X_train: (5000, 8) house features, values between 0 and 10000\n", ""))


def test_code_wins_over_a_comment():
    text = """
    import numpy as np
    from keras.models import Sequential
    from keras.layers import Dense
    X = np.random.rand(2000, 3)        # values 0-1000 in the real data, scaled here
    y = X.sum(axis=1) / 3
    model = Sequential()
    model.add(Dense(16, input_dim=3, activation='relu'))
    model.add(Dense(1))
    model.compile(loss='mse', optimizer='adam')
    model.fit(X, y, epochs=100, batch_size=32)
    """
    assert "NF105" not in codes(text)


# ---- Keras layers that scale the inputs inside the model -------------------------------------------

RESCALED = """
import numpy as np
from tensorflow import keras
X = np.random.randint(0, 256, (2000, 64)).astype('float32')
y = (X[:, 0] > 127).astype('float32')
model = keras.Sequential([
    FIRST
    keras.layers.Dense(32, activation='relu'),
    keras.layers.Dense(1, activation='sigmoid'),
])
model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])
model.fit(X, y, epochs=30, batch_size=32)
"""


def test_rescaling_or_normalization_layer_scales_the_inputs():
    assert "NF105" in codes(RESCALED.replace("FIRST", "keras.layers.InputLayer(input_shape=(64,)),"))
    assert "NF105" not in codes(RESCALED.replace("FIRST", "keras.layers.Rescaling(1.0 / 255, input_shape=(64,)),"))
    norm = RESCALED.replace("FIRST", "norm,").replace("model = keras.Sequential",
                                                       "norm = keras.layers.Normalization()\nnorm.adapt(X)\nmodel = keras.Sequential")
    assert "NF105" not in codes(norm)


# ---- torch CrossEntropyLoss on one output unit -----------------------------------------------------

def test_cross_entropy_over_one_unit():
    text = """
    import torch
    import torch.nn as nn
    X = torch.randn(600, 3)
    y = (X[:, 0] > 0).long()
    model = nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Linear(16, UNITS))
    crit = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for ep in range(300):
        opt.zero_grad()
        loss = crit(model(X), y)
        loss.backward()
        opt.step()
    """
    one = codes(text.replace("UNITS", "1"))
    assert "NF130" in one
    assert "NF125" not in one          # (n, 1) scores and (n,) class indices: CrossEntropyLoss's own shapes
    assert "NF130" not in codes(text.replace("UNITS", "2"))


# ---- scikit-learn's MLPRegressor / MLPClassifier ---------------------------------------------------

SKLEARN = """
import numpy as np
from sklearn.neural_network import MLPRegressor
X = np.random.uniform(0, 1000, (2000, 3))
y = np.sin(X[:, 0] / 300.0) + X[:, 1] / 1000.0
SCALE
reg = MLPRegressor(hidden_layer_sizes=(50, 50), max_iter=ITER)
reg.fit(X, y)
"""


def test_sklearn_mlp_is_read_as_a_network():
    run = analyse_source(SKLEARN.replace("SCALE", "").replace("ITER", "5"))
    assert [(la.input_units, la.units, la.activation) for la in run.layers] == [(3, 50, "relu"), (50, 50, "relu"),
                                                                               (50, 1, "linear")]
    assert (run.config.optimizer.name, run.config.optimizer.learning_rate) == ("adam", 0.001)
    assert (run.config.epochs, run.config.batch_size, run.config.loss) == (5, 200, "mse")
    found = codes(SKLEARN.replace("SCALE", "").replace("ITER", "5"))
    assert "NF105" in found and "NF102" in found
    scaled = SKLEARN.replace("SCALE", "from sklearn.preprocessing import StandardScaler\nX = StandardScaler().fit_transform(X)")
    assert "NF105" not in codes(scaled.replace("ITER", "500")) and "NF102" not in codes(scaled.replace("ITER", "500"))


def test_sklearn_mlp_classifier_rate():
    text = """
    import numpy as np
    from sklearn.neural_network import MLPClassifier
    X = np.random.rand(1000, 4)
    y = (X[:, 0] + X[:, 1] > 1).astype(int)
    clf = MLPClassifier(hidden_layer_sizes=(20,), solver='sgd', learning_rate_init=1e-7, max_iter=500)
    clf.fit(X, y)
    """
    run = analyse_source(textwrap.dedent(text))
    assert run.layers[-1].activation == "sigmoid" and run.config.loss == "binary_crossentropy"
    assert "NF104" in codes(text)


# ---- TFLearn ------------------------------------------------------------------------------------------

def test_tflearn_network_and_its_default_loss():
    text = """
    import numpy as np
    import tflearn
    X = np.random.rand(1000, 3)
    Y = (X.sum(axis=1) / 3).reshape(-1, 1)
    net = tflearn.input_data(shape=[None, 3])
    net = tflearn.fully_connected(net, 32, activation='relu')
    net = tflearn.fully_connected(net, 1, activation='linear')
    net = tflearn.regression(net, optimizer='adam', learning_rate=0.01LOSS)
    model = tflearn.DNN(net)
    model.fit(X, Y, n_epoch=50, batch_size=32, show_metric=True)
    """
    run = analyse_source(textwrap.dedent(text.replace("LOSS", "")))
    assert [(la.input_units, la.units) for la in run.layers] == [(3, 32), (32, 1)]
    assert run.config.loss == "categorical_crossentropy" and run.config.epochs == 50
    assert "NF110" in codes(text.replace("LOSS", ""))          # the default loss on a regression
    assert "NF110" not in codes(text.replace("LOSS", ", loss='mean_square'"))


# ---- np.where labels, meshgrid rows, ModuleList forward loops ---------------------------------------

def test_np_where_labels_keep_the_threshold_shares():
    text = KERAS_THRESHOLD.replace("DRAW", "np.random.normal(0, 1, (6000, 10))").replace(
        "y = (X[:, 0] > CUT).astype(int)", "y = np.where(X[:, 2] > 2.0, 1, 0)")
    assert "NF131" in codes(text)
    assert "NF131" not in codes(text.replace("> 2.0", "> 0.0"))


def test_meshgrid_rows_are_ordered_along_the_second_axis():
    text = """
    import numpy as np
    from keras.models import Sequential
    from keras.layers import Dense
    g = np.linspace(-1, 1, 50)
    xx, yy = np.meshgrid(g, g)
    X = np.column_stack([xx.ravel(), yy.ravel()])
    z = np.sin(3 * X[:, 0]) * np.cos(3 * X[:, 1])
    SHUFFLE
    model = Sequential()
    model.add(Dense(64, input_dim=2, activation='tanh'))
    model.add(Dense(1))
    model.compile(loss='mse', optimizer='adam')
    model.fit(X, z, epochs=100, batch_size=32, validation_split=0.2)
    """
    assert "NF127" in codes(text.replace("SHUFFLE", ""))
    assert "NF127" not in codes(text.replace("SHUFFLE", "idx = np.random.permutation(len(X))\n    X, z = X[idx], z[idx]"))


def test_forward_loop_over_a_module_list():
    text = """
    import torch
    import torch.nn as nn
    class Deep(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 32), nn.Linear(32, 32), nn.Linear(32, 1)])
        def forward(self, x):
            for layer in self.layers[:-1]:
                x = torch.relu(layer(x))
            return torch.sigmoid(self.layers[-1](x))
    X = torch.rand(500, 2) * 2 - 1
    y = X[:, :1] * 3 - X[:, 1:] * 2
    model = Deep()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for i in range(2000):
        opt.zero_grad()
        loss = nn.MSELoss()(model(X), y)
        loss.backward()
        opt.step()
    """
    run = analyse_source(textwrap.dedent(text))
    assert [la.activation for la in run.layers] == ["relu", "relu", "sigmoid"]
    found = codes(text)
    assert "NF107" in found and "NF115" not in found


# ---- zero_grad() between backward() and step() -----------------------------------------------------

ZERO_ORDER = """
import torch
import torch.nn as nn
X = torch.rand(400, 3)
y = X.sum(1, keepdim=True)
model = nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Linear(16, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.05)
other = torch.optim.SGD(model.parameters(), lr=0.05)
for epoch in range(500):
    loss = nn.MSELoss()(model(X), y)
    FIRST
    SECOND
    THIRD
"""


def test_zero_grad_between_backward_and_step():
    bad = ZERO_ORDER.replace("FIRST", "loss.backward()").replace("SECOND", "opt.zero_grad()").replace("THIRD", "opt.step()")
    def at_step(text: str) -> bool:      # (the unused `other` optimiser is an NF109 of its own, at line 8)
        return any(f.code == "NF109" and f.location.line == 13 for f in lint_source(text))

    assert at_step(bad)
    good = ZERO_ORDER.replace("FIRST", "opt.zero_grad()").replace("SECOND", "loss.backward()").replace("THIRD", "opt.step()")
    assert not at_step(good)
    after = ZERO_ORDER.replace("FIRST", "loss.backward()").replace("SECOND", "opt.step()").replace("THIRD", "opt.zero_grad()")
    assert not at_step(after)
    another = ZERO_ORDER.replace("FIRST", "loss.backward()").replace("SECOND", "other.zero_grad()").replace("THIRD", "opt.step()")
    assert not at_step(another)


# ---- tutorial tables loaded by name, not beside the script -----------------------------------------

def test_tutorial_tables_known_by_name():
    churn = """
    import pandas as pd
    from keras.models import Sequential
    from keras.layers import Dense
    dataset = pd.read_csv('Churn_Modelling.csv')
    X = dataset[['CreditScore', 'Age', 'Tenure', 'Balance', 'NumOfProducts', 'EstimatedSalary']].values
    y = dataset['Exited'].values
    model = Sequential()
    model.add(Dense(16, activation='relu', input_dim=6))
    model.add(Dense(1, activation='sigmoid'))
    model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])
    model.fit(X, y, batch_size=10, epochs=100)
    """
    run = analyse_source(textwrap.dedent(churn), "/nonexistent/train.py")
    assert run.data.n_samples == 10000 and run.data.class_counts == {"0": 7963, "1": 2037}
    assert "NF105" in codes(churn, "/nonexistent/train.py")
    fraud = """
    import pandas as pd
    from tensorflow import keras
    data = pd.read_csv('creditcard.csv')
    X = data.drop(['Class', 'Time'], axis=1).values
    y = data['Class'].values
    model = keras.Sequential([keras.layers.Dense(32, activation='relu', input_shape=(29,)),
                              keras.layers.Dense(1, activation='sigmoid')])
    model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])
    model.fit(X, y, epochs=5, batch_size=256)
    """
    assert "NF131" in codes(fraud, "/nonexistent/train.py")


# ---- string labels: np.random.choice of names, np.where(..., 'yes', 'no'), .map({...}), get_dummies -----

def test_string_labels_keep_their_class_counts():
    recoded = """
    import numpy as np
    import pandas as pd
    from keras.models import Sequential
    from keras.layers import Dense
    df = pd.DataFrame({'a': np.random.rand(5000), 'b': np.random.rand(5000)})
    df['label'] = np.where(df['a'] > 0.97, 'yes', 'no')
    y = df['label'].map({'yes': 1, 'no': 0}).values
    X = df[['a', 'b']].values
    model = Sequential()
    model.add(Dense(8, input_dim=2, activation='relu'))
    model.add(Dense(1, activation='sigmoid'))
    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
    model.fit(X, y, epochs=20, batch_size=32)
    """
    assert analyse_source(textwrap.dedent(recoded)).data.class_counts == {"1": 150, "0": 4850}
    assert "NF131" in codes(recoded)
    assert "NF131" not in codes(recoded.replace("> 0.97", "> 0.5"))
    dummies = """
    import numpy as np
    import pandas as pd
    from keras.models import Sequential
    from keras.layers import Dense
    X = np.random.rand(900, 4)
    labels = pd.Series(np.random.choice(['cat', 'dog', 'bird'], 900))
    Y = pd.get_dummies(labels).values
    model = Sequential()
    model.add(Dense(16, input_dim=4, activation='relu'))
    model.add(Dense(UNITS, activation='softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
    model.fit(X, Y, epochs=30, batch_size=16)
    """
    assert "NF130" in codes(dummies.replace("UNITS", "2"))
    assert "NF130" not in codes(dummies.replace("UNITS", "3"))


def test_valid_numbers_are_not_a_gutter_and_shapes_go_by_position():
    assert "NF121" not in codes("1\n2\n3\n4\n")
    text = """
    import torch
    import torch.nn as nn
    def make(n):
        return torch.rand(n, 2)
    X = make(N)
    y = X.sum(1, keepdim=True)
    net = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    for e in range(3000):
        opt.zero_grad()
        loss = nn.MSELoss()(net(X), y)
        loss.backward()
        opt.step()
    """
    # torch.rand(n, 2) with n unknown: an unknown number of rows of 2 columns, not 2 rows
    run = analyse_source(textwrap.dedent(text.replace("N", "int(input())")))
    assert run.data.n_samples != 2 and len(run.data.inputs) == 2


# ---- what the script will raise: the first layer's width, float class-index targets ------------------

WIDTH = """
import torch
import torch.nn as nn
X = DATA
y = torch.rand(1000, 1)
model = nn.Sequential(nn.Linear(IN, 16), nn.ReLU(), nn.Linear(16, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for i in range(500):
    opt.zero_grad()
    loss = nn.MSELoss()(model(X), y)
    loss.backward()
    opt.step()
"""


def test_first_layer_width_against_the_data():
    assert "NF133" in codes(WIDTH.replace("DATA", "torch.rand(1000, 8)").replace("IN", "10"))
    assert "NF133" not in codes(WIDTH.replace("DATA", "torch.rand(1000, 8)").replace("IN", "8"))
    # a 3-D batch of sets (n, 50, 2) into Linear(2, ...): the last axis is the width, nothing to report
    assert "NF133" not in codes(WIDTH.replace("DATA", "torch.randn(1000, 50, 2)").replace("IN", "2"))
    keras = """
    import numpy as np
    from keras.models import Sequential
    from keras.layers import Dense
    X = np.random.rand(1000, 5)
    y = X.sum(axis=1)
    model = Sequential()
    model.add(Dense(16, input_dim=IN, activation='relu'))
    model.add(Dense(1))
    model.compile(loss='mse', optimizer='adam')
    model.fit(X, y, epochs=50, batch_size=32)
    """
    assert "NF133" in codes(keras.replace("IN", "4")) and "NF133" not in codes(keras.replace("IN", "5"))


def test_one_dimensional_torch_samples_into_linear():
    text = """
    import torch
    import torch.nn as nn
    x = torch.linspace(-2, 2, 200)SHAPE
    y = x ** 2
    model = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 1))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for i in range(1000):
        opt.zero_grad()
        loss = nn.MSELoss()(model(x), y)
        loss.backward()
        opt.step()
    """
    found = [f for f in lint_source(textwrap.dedent(text.replace("SHAPE", ""))) if f.code == "NF133"]
    assert found and "1-D vector" in found[0].message
    assert "NF133" not in codes(text.replace("SHAPE", ".unsqueeze(1)"))


def test_float_targets_for_cross_entropy():
    text = """
    import numpy as np
    import torch
    import torch.nn as nn
    X = np.random.randn(900, 4).astype(np.float32)
    labels = np.argmax(X[:, :3], axis=1).astype(DTYPE)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(labels)
    model = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 3))
    opt = torch.optim.Adam(model.parameters(), lr=0.005)
    crit = nn.CrossEntropyLoss()
    for e in range(300):
        opt.zero_grad()
        loss = crit(model(Xt), yt)
        loss.backward()
        opt.step()
    """
    assert "NF132" in codes(text.replace("DTYPE", "np.float32"))
    assert "NF132" not in codes(text.replace("DTYPE", "np.int64"))


def test_squeezed_predictions_against_column_targets():
    text = """
    import torch
    import torch.nn as nn
    X = torch.rand(600, 3)
    y = (X.sum(1) > 1.5).float().view(-1, 1)
    model = nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Linear(16, 1))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for i in range(500):
        opt.zero_grad()
        out = model(X)SQUEEZE
        loss = nn.MSELoss()(out, y)
        loss.backward()
        opt.step()
    """
    assert analyse_source(textwrap.dedent(text.replace("SQUEEZE", ".squeeze()"))).fit.loss_broadcast == ((600,), (600, 1))
    assert "NF125" in codes(text.replace("SQUEEZE", ".squeeze()"))
    assert "NF125" not in codes(text.replace("SQUEEZE", ""))


def test_comment_describes_the_raw_data_a_fragment_then_scales():
    text = """
    from keras.models import Sequential
    from keras.layers import Dense
    # X_train: (60000, 784) pixels 0-255
    X_train = X_train SCALE
    model = Sequential()
    model.add(Dense(64, input_dim=784, activation='relu'))
    model.add(Dense(10, activation='softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
    model.fit(X_train, Y_train, epochs=10, batch_size=128)
    """
    assert "NF105" not in codes(text.replace("SCALE", "/ 255.0"))
    assert "NF105" in codes(text.replace("SCALE", "* 1.0"))


def test_unclosed_bracket_is_closed_where_it_opened():
    text = """
    import numpy as np
    from keras.models import Sequential
    from keras.layers import Dense
    X = np.random.uniform(0, 800, (1000, 2))
    y = (X[:, 0] > X[:, 1]).astype(int)
    model = Sequential()
    model.add(Dense(8, input_dim=2, activation='relu')
    model.add(Dense(1, activation='sigmoid'))
    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
    model.fit(X, y, epochs=50, batch_size=16)
    """
    findings = lint_source(textwrap.dedent(text))
    assert "NF105" in [f.code for f in findings]                      # the rest of the script is read
    assert [f.location.line for f in findings if f.code == "NF121"] == [8]   # one error, where the bracket opened
    # a bracket whose contents follow, indented, is not closed early
    multi = text.replace("model = Sequential()\n    model.add(Dense(8, input_dim=2, activation='relu')\n    model.add(Dense(1, activation='sigmoid'))",
                         "model = Sequential([\n        Dense(8, input_dim=2, activation='relu'),\n        Dense(1, activation='sigmoid')])")
    assert [la.units for la in analyse_source(textwrap.dedent(multi)).layers] == [8, 1]


def test_sort_values_orders_the_rows():
    text = """
    import numpy as np
    import pandas as pd
    from keras.models import Sequential
    from keras.layers import Dense
    df = pd.DataFrame({'x': np.random.rand(3000), 'z': np.random.rand(3000)})
    df['y'] = np.sin(3 * df['x']) + df['z']
    df = df.sort_values('x')SAMPLE
    X, Y = df[['x', 'z']].values, df['y'].values
    model = Sequential()
    model.add(Dense(32, input_dim=2, activation='tanh'))
    model.add(Dense(1))
    model.compile(loss='mse', optimizer='adam')
    model.fit(X, Y, epochs=50, batch_size=32, validation_split=0.2)
    """
    assert "NF127" in codes(text.replace("SAMPLE", ""))
    assert "NF127" not in codes(text.replace("SAMPLE", ".sample(frac=1)"))


def test_tf_data_batches_in_dataset_order():
    text = """
    import numpy as np
    import tensorflow as tf
    x = np.linspace(-1, 1, 4000).reshape(-1, 1).astype('float32')
    y = np.sin(4 * x).astype('float32')
    ds = tf.data.Dataset.from_tensor_slices((x, y))PIPE
    model = tf.keras.Sequential([tf.keras.layers.Dense(64, activation='tanh', input_shape=(1,)), tf.keras.layers.Dense(1)])
    model.compile(optimizer='adam', loss='mse')
    model.fit(ds, epochs=30)
    """
    assert "NF129" in codes(text.replace("PIPE", ".batch(32)"))
    assert "NF129" not in codes(text.replace("PIPE", ".shuffle(4000).batch(32)"))
