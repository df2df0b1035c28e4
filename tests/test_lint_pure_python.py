"""`doctor lint` reads a back-propagation network written in plain Python lists (static/pure_python.py)."""
from __future__ import annotations

from nnfit.doctor.lint import lint_source
from nnfit.doctor.static import analyse

# the classic list-based network: a matrix helper, loop accumulation, an activation function of the script
BPNN = """
import math
import random

def rand(a, b):
    return (b - a) * random.random() + a

def makeMatrix(I, J, fill=0.0):
    m = []
    for i in range(I):
        m.append([fill] * J)
    return m

def act(x):
    return {act}

class NN:
    def __init__(self, ni, nh, no):
        self.ni = ni + 1
        self.nh = nh
        self.no = no
        self.ai = [1.0] * self.ni
        self.ah = [1.0] * self.nh
        self.ao = [1.0] * self.no
        self.wi = makeMatrix(self.ni, self.nh)
        self.wo = makeMatrix(self.nh, self.no)
        for i in range(self.ni):
            for j in range(self.nh):
                self.wi[i][j] = rand(-0.2, 0.2)

    def update(self, inputs):
        for i in range(self.ni - 1):
            self.ai[i] = inputs[i]
        for j in range(self.nh):
            total = 0.0
            for i in range(self.ni):
                total = total + self.ai[i] * self.wi[i][j]
            self.ah[j] = act(total)
        for k in range(self.no):
            total = 0.0
            for j in range(self.nh):
                total = total + self.ah[j] * self.wo[j][k]
            self.ao[k] = {out}(total)
        return self.ao[:]

    def backPropagate(self, targets, N):
        error = 0.0
        for k in range(len(targets)):
            error = error + 0.5 * (targets[k] - self.ao[k]) ** 2
        return error

pat = [
    [[0, 0], [{t0}]],
    [[0, 1], [1]],
    [[1, 0], [1]],
    [[1, 1], [{t3}]],
]
n = NN(2, 2, 1)
for i in range(1000):
    for p in pat:
        n.update(p[0])
        n.backPropagate(p[1], 0.5)
"""


def test_list_network_layers_activations_loss_and_patterns():
    text = BPNN.format(act="math.tanh(x)", out="act", t0=0, t3=0)
    run = analyse(text)
    assert [(la.name, la.activation) for la in run.layers] == [("wi", "tanh"), ("wo", "tanh")]
    assert run.config.loss == "mse"
    assert run.data.n_samples == 4 and len(run.data.inputs) == 2
    assert (run.data.targets[0].min, run.data.targets[0].max) == (0.0, 1.0)
    assert "NF107" not in {f.code for f in lint_source(text)}      # 0/1 targets lie inside tanh's range


def test_list_network_with_targets_beyond_its_output_range():
    text = BPNN.format(act="1.0 / (1.0 + math.exp(-x))", out="act", t0=5, t3=8)
    run = analyse(text)
    assert [la.activation for la in run.layers] == ["sigmoid", "sigmoid"]
    assert "NF107" in {f.code for f in lint_source(text)}


def test_a_linear_output_sum_is_read_as_linear():
    text = BPNN.format(act="math.tanh(x)", out="float", t0=5, t3=8)
    run = analyse(text)
    assert [la.activation for la in run.layers] == ["tanh", "linear"]
    assert "NF107" not in {f.code for f in lint_source(text)}


def test_comprehension_weights_and_sum_of_a_generator():
    text = """
import math, random
class Net:
    def __init__(self, n_in, n_hidden):
        self.w_ih = [[random.uniform(-0.5, 0.5) for j in range(n_hidden)] for i in range(n_in)]
        self.w_ho = [random.uniform(-0.5, 0.5) for j in range(n_hidden)]
    def forward(self, x):
        self.h = [math.tanh(sum(x[i] * self.w_ih[i][j] for i in range(len(x)))) for j in range(len(self.w_ho))]
        self.out = math.tanh(sum(self.h[j] * self.w_ho[j] for j in range(len(self.h))))
        return self.out
    def backward(self, target, lr):
        d = (1 - self.out ** 2) * (target - self.out)
        for j in range(len(self.w_ho)):
            self.w_ho[j] += lr * d * self.h[j]
        return (target - self.out) ** 2
data = [([0.0, 10.0], [20.0]), ([10.0, 0.0], [30.0]), ([5.0, 5.0], [25.0])]
net = Net(2, 4)
for epoch in range(500):
    for x, t in data:
        net.forward(x)
        net.backward(t[0], 0.1)
"""
    run = analyse(text)
    assert [la.activation for la in run.layers] == ["tanh", "tanh"]
    assert run.data.targets[0].max == 30.0
    assert "NF107" in {f.code for f in lint_source(text)}


def test_a_framework_script_is_not_read_as_a_list_network():
    text = """
import numpy as np
from keras.models import Sequential
from keras.layers import Dense
weights = [[0.1, 0.2] for _ in range(3)]
X = np.random.rand(100, 2)
y = X.sum(axis=1)
model = Sequential([Dense(8, input_dim=2, activation='relu'), Dense(1)])
model.compile(loss='mse', optimizer='adam')
model.fit(X, y, epochs=100, batch_size=8)
"""
    run = analyse(text)
    assert [la.units for la in run.layers] == [8, 1]
