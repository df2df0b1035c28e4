"""`doctor lint` on networks and data built the way larger scripts build them: layers collected in a list
by a loop (nn.Sequential(*layers)), nn.Sequential(OrderedDict(...)), Keras layers added in a loop over
widths, an activation class handed to a builder function, a map-style Dataset class of the script's own.
Each script is written here for the idiom; the assertion is what the static reader must recover."""
from __future__ import annotations

import os

os.environ.setdefault("NNFIT_LINT_STRICT", "1")

from nnfit.doctor import lint as L
from nnfit.doctor.static import analyse


def dense(text: str) -> list[tuple]:
    return [(la.input_units, la.units, la.activation) for la in analyse(text).layers if la.kind == "dense"]


def codes(text: str) -> set[str]:
    return {f.code for f in L.lint_source(text)}


LAYER_LIST = """\
import torch
from torch import nn

def build(widths, act=nn.Tanh):
    parts = []
    for n_in, n_out in zip(widths[:-1], widths[1:]):
        parts.append(nn.Linear(n_in, n_out))
        parts.append(act())
    parts += [nn.Linear(widths[-1], 1), nn.Sigmoid()]
    return nn.Sequential(*parts)

inputs = torch.rand(128, 2)
targets = 40.0 * inputs[:, :1] + 3.0
net = build([2, 24, 12])
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
for step in range(3000):
    opt.zero_grad()
    loss = nn.functional.mse_loss(net(inputs), targets)
    loss.backward()
    opt.step()
"""


def test_layers_collected_by_a_loop_are_the_network_in_order():
    assert dense(LAYER_LIST) == [(2, 24, "tanh"), (24, 12, "tanh"), (12, 1, "sigmoid")]


def test_sigmoid_output_of_a_loop_built_network_is_checked_against_the_targets():
    assert "NF107" in codes(LAYER_LIST)     # targets reach 43; a sigmoid stops at 1


ORDERED = """\
from collections import OrderedDict
import torch
import torch.nn as nn

feats = torch.rand(300, 1) * 2.0 - 1.0
label = feats * 0.0 + 7.5
model = nn.Sequential(OrderedDict([
    ("hidden", nn.Linear(1, 10)),
    ("relu", nn.ReLU()),
    ("head", nn.Linear(10, 1)),
    ("squash", nn.Tanh()),
]))
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
criterion = nn.MSELoss()
for epoch in range(2000):
    optimizer.zero_grad()
    criterion(model(feats), label).backward()
    optimizer.step()
"""


def test_sequential_of_an_ordered_dict_keeps_its_activations():
    assert dense(ORDERED) == [(1, 10, "relu"), (10, 1, "tanh")]
    found = codes(ORDERED)
    assert "NF107" in found          # a tanh output cannot reach 7.5
    assert "NF115" not in found      # the ReLU makes it nonlinear


KERAS_WIDTHS = """\
import numpy as np
from keras import Sequential
from keras.layers import Dense

grid = np.linspace(0.0, 1.0, 400).reshape(-1, 1)
wave = np.cos(6.0 * grid[:, 0])
net = Sequential()
net.add(Dense(48, activation="tanh", input_shape=(1,)))
for width in [48, 24, 8]:
    net.add(Dense(width, activation="tanh"))
net.add(Dense(units=1))
net.compile(optimizer="adam", loss="mse")
net.fit(grid, wave, epochs=300, batch_size=20)
"""


def test_keras_layers_added_in_a_loop_over_widths():
    assert dense(KERAS_WIDTHS) == [(1, 48, "tanh"), (48, 48, "tanh"), (48, 24, "tanh"), (24, 8, "tanh"), (8, 1, "linear")]


DATASET_CLASS = """\
import numpy as np
import torch
from torch.utils.data import Dataset, DataLoader

class Readings(Dataset):
    def __init__(self, count):
        self.a = np.random.uniform(-1.0, 1.0, size=(count, 3)).astype(np.float32)
        self.b = (self.a[:, :1] * 250.0 + 900.0).astype(np.float32)

    def __len__(self):
        return len(self.a)

    def __getitem__(self, k):
        return self.a[k], self.b[k]

batches = DataLoader(Readings(640), batch_size=64, shuffle=True)
net = torch.nn.Sequential(torch.nn.Linear(3, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
for epoch in range(50):
    for xb, yb in batches:
        opt.zero_grad()
        torch.nn.MSELoss()(net(xb), yb).backward()
        opt.step()
"""


def test_a_dataset_class_of_the_script_gives_the_data_it_serves():
    run = analyse(DATASET_CLASS)
    assert run.data.n_samples == 640
    assert len(run.data.inputs) == 3
    assert run.data.targets and run.data.targets[0].max > 100
    assert run.config.batch_size == 64
    assert "NF106" in codes(DATASET_CLASS)


RECURRENT = """\
import torch
import torch.nn as nn

class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.cell = nn.GRU(input_size=4, hidden_size=16, batch_first=True)
        self.proj = nn.Linear(16, 1)

    def forward(self, seq):
        states, _ = self.cell(seq)
        return self.proj(states[:, -1])

seq = torch.randn(32, 12, 4)
tgt = seq.mean(dim=1)[:, :1]
m = Tagger()
opt = torch.optim.Adam(m.parameters(), lr=1e-3)
for it in range(500):
    opt.zero_grad()
    nn.MSELoss()(m(seq), tgt).backward()
    opt.step()
"""


def test_a_recurrent_network_is_not_called_a_linear_model():
    assert "NF115" not in codes(RECURRENT)


SETTINGS = """\
from dataclasses import dataclass
from types import SimpleNamespace
import torch
import torch.nn as nn

@dataclass
class Options:
    rate: float = 0.001
    rounds: int = 10
    width: int = 8

extra = SimpleNamespace(momentum=0.9, step=0.7)
opts = Options(rounds=1200, rate=4.0)
xs = torch.rand(100, 2)
ys = xs.sum(1, keepdim=True)
net = nn.Sequential(nn.Linear(2, opts.width), nn.Tanh(), nn.Linear(opts.width, 1))
opt = torch.optim.Adam(net.parameters(), lr=opts.rate)
sgd = torch.optim.SGD(net.parameters(), lr=extra.step, momentum=extra.momentum)
for r in range(opts.rounds):
    opt.zero_grad()
    nn.functional.mse_loss(net(xs), ys).backward()
    opt.step()
"""


def test_settings_from_a_dataclass_and_a_namespace():
    run = analyse(SETTINGS)
    assert run.config.optimizer.learning_rate == 4.0      # the instance's field, not the class default
    assert run.config.epochs == 1200
    assert dense(SETTINGS)[0][:2] == (2, 8)               # the class default where none is given
    assert {o.learning_rate for o in run.config.optimizers_built} == {4.0, 0.7}


MODULE_LIST = """\
import torch
import torch.nn as nn

class Stack(nn.Module):
    def __init__(self, dims):
        super().__init__()
        self.hidden = nn.ModuleList([nn.Linear(i, o) for i, o in zip(dims[:-1], dims[1:])])
        self.last = nn.Linear(dims[-1], 1)

    def forward(self, v):
        for layer in self.hidden:
            v = torch.tanh(layer(v))
        return self.last(v)

v = torch.rand(400, 3)
w = torch.sin(v).sum(1, keepdim=True)
model = Stack([3, 20, 20, 10])
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for k in range(2000):
    opt.zero_grad()
    nn.MSELoss()(model(v), w).backward()
    opt.step()
"""


def test_a_module_list_built_by_a_comprehension_and_its_forward_loop():
    assert dense(MODULE_LIST) == [(3, 20, "tanh"), (20, 20, "tanh"), (20, 10, "tanh"), (10, 1, "linear")]
    assert "NF104" not in codes(MODULE_LIST)     # hidden layers: no 'weight out of reach' of a linear model


TAPE = """\
import numpy as np
import tensorflow as tf

grid = np.linspace(-2.0, 2.0, 600, dtype=np.float32).reshape(-1, 1)
level = (grid ** 2 + 30.0).astype(np.float32)
batches = tf.data.Dataset.from_tensor_slices((grid, level)).shuffle(600).batch(50)
net = tf.keras.Sequential([tf.keras.layers.Dense(24, activation="tanh"), tf.keras.layers.Dense(1, activation="tanh")])
mse = tf.keras.losses.MeanSquaredError()
opt = tf.keras.optimizers.Adam(learning_rate=1e-3)
for epoch in range(30):
    for xb, yb in batches:
        with tf.GradientTape() as tape:
            loss = mse(yb, net(xb, training=True))
        grads = tape.gradient(loss, net.trainable_variables)
        opt.apply_gradients(zip(grads, net.trainable_variables))
"""


def test_a_gradient_tape_loop_over_a_tf_data_set_reads_the_whole_data_set():
    run = analyse(TAPE)
    assert run.data.n_samples == 600                        # the data set, not one batch of it
    assert run.data.targets and run.data.targets[0].min >= 29.0
    assert run.config.batch_size == 50
    assert "NF107" in codes(TAPE)                           # a tanh output cannot reach 30
