"""Idioms the static reader reads (session 20): synthetic data made with literal coefficients, torch
initialisation over `model.parameters()` or a list of layers, layers kept in a literal list or a
ModuleList grown by append, nn.Sequential().add_module in a loop. Small self-written snippets."""
from __future__ import annotations

import pytest

from nnfit.doctor.lint import lint_source
from nnfit.doctor.static import analyse


def codes(text: str) -> set[str]:
    return {f.code for f in lint_source(text)}


KERAS_FIT = """
from keras.models import Sequential
from keras.layers import Dense
model = Sequential()
model.add(Dense(8, input_dim=2, activation="relu"))
model.add(Dense(1))
model.compile(loss="mse", optimizer="adam")
model.fit(X, y, epochs=200, batch_size=16)
"""


@pytest.mark.parametrize("product", ["X @ w", "np.dot(X, w)", "X.dot(w)", "np.matmul(X, w)"])
def test_targets_made_with_a_literal_weight_vector_are_read(product):
    text = ("import numpy as np\nX = np.random.rand(400, 2) * 10\nw = np.array([30.0, -12.0])\n"
            f"y = {product} + 5.0\n" + KERAS_FIT)
    run = analyse(text)
    t = run.data.targets
    assert len(t) == 1 and t[0].min == pytest.approx(-115.0) and t[0].max == pytest.approx(305.0)
    assert "NF106" in codes(text)


def test_ground_truth_coefficients_passed_to_a_data_function_are_read():
    text = """
import torch
def make_data(w, b, n):
    X = torch.normal(0, 1, (n, len(w)))
    return X, (torch.matmul(X, w) + b).reshape(-1, 1)
true_w = torch.tensor([40.0, -25.0])
features, labels = make_data(true_w, 3.0, 500)
net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
for epoch in range(200):
    opt.zero_grad()
    loss = torch.nn.functional.mse_loss(net(features), labels)
    loss.backward()
    opt.step()
"""
    run = analyse(text)
    assert run.data.targets and run.data.targets[0].max > 100


def test_a_weight_vector_the_script_updates_stays_a_weight():
    # hand-written gradient descent: w starts as a literal and is updated, so X.dot(w) is the prediction
    text = """
import numpy as np
X = np.random.rand(200, 2)
y = X[:, 0] * 3.0 + 1.0
w = np.array([0.0, 0.0])
for epoch in range(500):
    pred = X.dot(w)
    grad = X.T.dot(pred - y) / len(X)
    w = w - 0.1 * grad
"""
    run = analyse(text)
    assert run.data.targets and run.data.targets[0].max == pytest.approx(4.0)
    assert run.updates, "the update of w is read as a hand-written step"


TORCH_NET = """
import torch
import torch.nn as nn
X = torch.rand(300, 3)
y = X.sum(1, keepdim=True)
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 16)
        self.fc2 = nn.Linear(16, 1)
{init}
    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))
model = Net()
{after}
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for i in range(2000):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(X), y)
    loss.backward()
    opt.step()
"""


def test_zero_initialisation_over_model_parameters_is_read():
    text = TORCH_NET.format(init="", after="for p in model.parameters():\n    nn.init.zeros_(p)")
    run = analyse(text)
    assert run.initial_weight_std == {"fc1": 0.0, "fc2": 0.0}
    assert run.static.initial_bias == {"fc1": 0.0, "fc2": 0.0}
    assert "NF113" in codes(text)


def test_normal_initialisation_over_model_parameters_sets_no_bias():
    text = TORCH_NET.format(init="", after="for p in model.parameters():\n    nn.init.normal_(p, std=0.01)")
    run = analyse(text)
    assert run.initial_weight_std == {"fc1": 0.01, "fc2": 0.01}
    assert run.static.initial_bias == {}


def test_initialisation_over_a_list_of_layers_in_init_is_read():
    init = ("        for layer in [self.fc1, self.fc2]:\n            nn.init.zeros_(layer.weight)\n"
            "            nn.init.zeros_(layer.bias)")
    text = TORCH_NET.format(init=init, after="")
    run = analyse(text)
    assert run.initial_weight_std == {"fc1": 0.0, "fc2": 0.0}
    assert "NF113" in codes(text)


def test_default_initialisation_gives_no_init_finding():
    text = TORCH_NET.format(init="", after="")
    assert analyse(text).initial_weight_std == {}
    assert not codes(text) & {"NF113", "NF120"}


LOOP_NET = """
import torch
import torch.nn as nn
X = torch.rand(300, 3)
y = X.sum(1, keepdim=True)
class Net(nn.Module):
    def __init__(self):
        super().__init__()
{build}
        self.out = nn.Linear(16, 1)
    def forward(self, x):
        for layer in {layers}:
            x = torch.tanh(layer(x))
        return self.out(x)
model = Net()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for i in range(3000):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(X), y)
    loss.backward()
    opt.step()
"""


@pytest.mark.parametrize("build,layers", [
    ("        self.fc1 = nn.Linear(3, 16)\n        self.fc2 = nn.Linear(16, 16)", "[self.fc1, self.fc2]"),
    ("        self.hidden = nn.ModuleList()\n        for i in range(2):\n"
     "            self.hidden.append(nn.Linear(3 if i == 0 else 16, 16))", "self.hidden"),
])
def test_hidden_layers_applied_in_a_forward_loop_keep_their_activation(build, layers):
    text = LOOP_NET.format(build=build, layers=layers)
    run = analyse(text)
    assert [(la.units, la.activation) for la in run.layers] == [(16, "tanh"), (16, "tanh"), (1, "linear")]
    found = codes(text)
    assert "NF115" not in found and "NF133" not in found     # neither a linear model nor a width crash


def test_sequential_grown_by_add_module_in_a_loop():
    text = """
import torch
import torch.nn as nn
X = torch.rand(300, 3)
y = X.sum(1, keepdim=True)
model = nn.Sequential()
model.add_module("fc0", nn.Linear(3, 32))
model.add_module("act0", nn.Tanh())
for i in range(2):
    model.add_module("fc%d" % (i + 1), nn.Linear(32, 32))
    model.add_module("act%d" % (i + 1), nn.Tanh())
model.add_module("out", nn.Linear(32, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for i in range(3000):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(X), y)
    loss.backward()
    opt.step()
"""
    run = analyse(text)
    assert [(la.units, la.activation) for la in run.layers] == [(32, "tanh")] * 3 + [(1, "linear")]
    assert "NF115" not in codes(text)
