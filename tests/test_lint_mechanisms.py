"""The static reader's general mechanisms found on the real corpus's tuning half (corpus/real), each
on a script written for the test: literal switches, methods read with `self`, activations applied on
the way into the loss, optimizer.step(closure), one pattern per call, gradients nothing applies, and
the runtime evidence for the same faults (autograd's record of the loss's input, unbatched samples,
weights that never change)."""
from __future__ import annotations

import os
import textwrap

import pytest

from nnfit.doctor.lint import lint_source
from nnfit.doctor.static import analyse
from nnfit.doctor.vocab import canonical_loss

os.environ.setdefault("KERAS_BACKEND", "torch")


def codes(text: str) -> list[str]:
    return [f.code for f in lint_source(textwrap.dedent(text))]


TRAINER = """
import torch
import torch.nn as nn

class Trainer(object):
    def __init__(self, model, loss_type={loss_type!r}):
        self.model = model
        self.loss_type = loss_type
        if loss_type == 'bce':
            self.criterion = nn.BCEWithLogitsLoss()
        elif loss_type == 'mse':
            self.criterion = nn.MSELoss()
        self.optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step(self, x, labels):
        out = self.model(x)
        squash = nn.Sigmoid()
        loss = self.criterion(squash(out[:, 1] - out[:, 0]), labels)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
"""


@pytest.mark.parametrize("loss_type, loss", [("bce", "BCEWithLogitsLoss"), ("mse", "MSELoss")])
def test_a_switch_on_a_literal_default_takes_only_its_branch(loss_type, loss):
    run = analyse(TRAINER.format(loss_type=loss_type))
    assert canonical_loss(run.config.loss) == canonical_loss(loss)


def test_methods_of_a_class_nothing_instantiates_see_what_init_set_on_self():
    """The training class's step() calls self.criterion (built in __init__) on a sigmoid of the output:
    BCEWithLogitsLoss then squashes twice (NF126), although no model and no driver were posted."""
    run = analyse(TRAINER.format(loss_type="bce"))
    assert run.config.loss_input_activation == "sigmoid"
    assert run.config.optimizer is not None and run.config.optimizer.learning_rate == 1e-3
    assert "NF126" in codes(TRAINER.format(loss_type="bce"))


def test_a_switch_inside_a_loop_reads_both_branches():
    text = """
    import torch.nn as nn
    first = True
    for i in range(3):
        if first:
            a = nn.MSELoss()
        else:
            b = nn.L1Loss()
        first = False
    """
    from nnfit.doctor.static.interp import _Interp
    from nnfit.doctor.static.locations import _Mapper
    import ast

    src = textwrap.dedent(text)
    lines = src.split("\n")
    interp = _Interp(_Mapper([(i + 1, 0) for i in range(len(lines))], lines, lines))
    interp.run_module(ast.parse(src))
    assert set(interp.loss_fns) == {"a", "b"}


LOOP = """
import torch
import torch.nn as nn
torch.manual_seed(0)
x = torch.rand(64, 3)
y = (x[:, 0] > 0.5).float().unsqueeze(1)
model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1))
criterion = {loss}
opt = torch.optim.Adam(model.parameters(), lr=0.01)
for epoch in range(200):
    out = model(x)
    loss = criterion(torch.sigmoid(out), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_sigmoid_applied_before_a_logits_loss_is_found():
    assert "NF126" in codes(LOOP.format(loss="nn.BCEWithLogitsLoss()"))


def test_sigmoid_applied_before_a_probability_loss_is_right():
    """BCELoss on torch.sigmoid(out): the loss gets probabilities although the last layer is linear."""
    assert "NF126" not in codes(LOOP.format(loss="nn.BCELoss()"))


XNOR = """
import torch
import torch.nn as nn

class Network(nn.Module):
    def __init__(self):
        super(Network, self).__init__()
        self.x1 = nn.Linear(2, 4)
        self.s1 = nn.Sigmoid()
        self.x2 = nn.Linear(4, 1)
        self.s2 = nn.Sigmoid()

    def forward(self, feats):
        f1 = torch.tensor(feats).float()
        return self.s2(self.x2(self.s1(self.x1(f1))))

    def train(self, expected, feats):
        target = torch.tensor(expected)
        criterion = nn.MSELoss()
        optimizer = torch.optim.SGD(self.parameters(), lr=0.01)
        def closure():
            optimizer.zero_grad()
            error = criterion(self.forward(feats), target)
            error.backward()
            return error
        optimizer.step(closure)

net = Network()
for i in range(1000):
    net.train([1.], [0., 0.])
    net.train([0.], [0., 1.])
    net.train([0.], [1., 0.])
    net.train([1.], [1., 1.])
"""


def test_activation_modules_held_as_attributes_are_the_layers_activations():
    run = analyse(XNOR)
    assert [(la.units, la.activation) for la in run.layers if la.kind == "dense"] == [(4, "sigmoid"), (1, "sigmoid")]


def test_a_user_method_named_like_a_framework_one_and_a_step_closure_are_read():
    """net.train(...) is the script's own method (not nn.Module.train); the loss lives in the closure
    that optimizer.step(closure) calls."""
    run = analyse(XNOR)
    assert canonical_loss(run.config.loss) == "mse"
    assert run.config.epochs == 1000


def test_one_pattern_per_call_makes_the_data_set_of_the_patterns():
    run = analyse(XNOR)
    assert run.data.n_samples == 4 and run.config.batch_size == 1
    assert [(c.min, c.max) for c in run.data.inputs] == [(0.0, 1.0), (0.0, 1.0)]
    assert run.data.class_counts == {"1": 2, "0": 2}
    assert "NF126" in codes(XNOR)    # MSE on the sigmoid output of a yes/no target


def test_patterns_of_different_widths_are_not_stacked():
    text = XNOR.replace("net.train([1.], [1., 1.])", "net.train([1.], [1., 1., 1.])")
    assert analyse(text).data.n_samples != 4


NO_STEP = """
import torch
import torch.nn as nn
from torch.autograd import Variable
x = Variable(torch.Tensor([[1.3, 2.7], [2.4, 3.3], [4.7, 5.2]]))
y = Variable(torch.Tensor([[6.], [9.], [15.]]))
model = nn.Linear(2, 1)
criterion = nn.MSELoss()
{optimizer}
for step in range(2001):
    {zero}
    cost = criterion(model(x), y)
    cost.backward()
    {step}
"""


def test_gradients_that_nothing_applies_are_found_and_the_commented_step_named():
    text = NO_STEP.format(optimizer="#optimizer = torch.optim.SGD(model.parameters(), lr=1e-5)",
                          zero="#optimizer.zero_grad()", step="#optimizer.step()")
    findings = lint_source(textwrap.dedent(text))
    nf109 = [f for f in findings if f.code == "NF109"]
    assert nf109 and "commented out" in nf109[0].message
    run = analyse(textwrap.dedent(text))
    assert run.data.n_samples == 3 and len(run.data.inputs) == 2     # a bare nn.Linear is the model


@pytest.mark.parametrize("step", ["optimizer.step()",
                                  "with torch.no_grad():\n        model.weight -= 0.01 * model.weight.grad"])
def test_a_loop_that_steps_or_updates_by_hand_is_not_flagged(step):
    text = NO_STEP.format(optimizer="optimizer = torch.optim.SGD(model.parameters(), lr=1e-5)",
                          zero="optimizer.zero_grad()", step=step)
    assert "NF109" not in codes(text)


def test_numpy_function_forms_of_array_methods_keep_the_values():
    run = analyse(textwrap.dedent("""
    import numpy as np
    import tensorflow as tf
    x_np = np.random.rand(100, 1)
    y_np = np.reshape(5 * x_np + 2, (-1))
    x = tf.placeholder(tf.float32, (100, 1))
    y = tf.placeholder(tf.float32, (100,))
    W = tf.Variable(tf.random_normal((1, 1)))
    b = tf.Variable(tf.random_normal((1,)))
    y_pred = tf.matmul(x, W) + b
    l = tf.reduce_sum((y - y_pred) ** 2)
    train_op = tf.train.AdamOptimizer(.001).minimize(l)
    with tf.Session() as sess:
        for i in range(100):
            sess.run([train_op, l], feed_dict={x: x_np, y: y_np})
    """))
    assert [(c.min, c.max) for c in run.data.targets] == [(2.0, 7.0)]


def test_compile_with_positional_metrics():
    run = analyse("from keras.models import Sequential\nfrom keras.layers import Dense\nm = Sequential()\n"
                  "m.add(Dense(3, input_dim=2, activation='softmax'))\nm.compile('adam', 'categorical_crossentropy', ['accuracy'])\n")
    assert run.config.metrics == ["accuracy"]


# ---- the same evidence in a watched run (torch monitor)

def test_autograd_names_the_activation_before_the_loss_through_indexing():
    torch = pytest.importorskip("torch")
    from nnfit.doctor.monitors.torch import producing_activation

    out = torch.randn(8, 2, requires_grad=True)
    assert producing_activation(torch.sigmoid(out[:, 1] - out[:, 0])[torch.arange(4)]) == "sigmoid"
    assert producing_activation(torch.softmax(out, dim=1).squeeze()) == "softmax"
    assert producing_activation(out[:, 1] - out[:, 0]) == ""
    assert producing_activation(torch.sigmoid(out) * 2) == ""


def test_an_unbatched_sample_is_one_row():
    torch = pytest.importorskip("torch")
    from nnfit.doctor.monitors.torch import unbatched

    assert unbatched(torch.zeros(2), torch.zeros(1), torch.zeros(1))
    assert not unbatched(torch.zeros(5, 2), torch.zeros(5), torch.zeros(5))
    assert not unbatched(torch.zeros(5), torch.zeros(5), torch.zeros(5))    # five rows of one input


def test_a_watched_loop_whose_weights_never_change_is_found(tmp_path):
    pytest.importorskip("torch")
    from nnfit.doctor.rules import run_rules
    from nnfit.doctor.runner import run_script

    path = tmp_path / "nostep.py"
    path.write_text(textwrap.dedent("""
        import torch
        torch.manual_seed(0)
        x = torch.rand(40, 2)
        y = x @ torch.tensor([[2.0], [-1.0]]) + 0.5
        model = torch.nn.Linear(2, 1)
        criterion = torch.nn.MSELoss()
        for step in range(50):
            cost = criterion(model(x), y)
            cost.backward()
    """))
    cap = run_script(str(path), max_updates=50)
    assert cap.run.history.weights_changed is False
    assert "NF109" in [f.code for f in run_rules(cap.run)]


def test_an_elementwise_comparison_is_one_flag_per_row_and_keepdims_sums_keep_the_values():
    run = analyse(textwrap.dedent("""
    import numpy as np
    import torch
    x = np.random.uniform(0, 100, size=(1000, 3)).astype(np.float32)
    y = x.sum(axis=1, keepdims=True)
    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    for epoch in range(20):
        loss = torch.nn.MSELoss()(model(torch.from_numpy(x)), torch.from_numpy(y))
        opt.zero_grad(); loss.backward(); opt.step()
    """))
    assert [(c.min, c.max) for c in run.data.targets] == [(0.0, 300.0)]
    run2 = analyse(textwrap.dedent("""
    import torch
    X = torch.randn(200, 2)
    y = (X[:, 0] * X[:, 1] > 0).long()
    model = torch.nn.Sequential(torch.nn.Linear(2, 10), torch.nn.ReLU(), torch.nn.Linear(10, 2))
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for i in range(100):
        loss = loss_fn(model(X), y)
        opt.zero_grad(); loss.backward(); opt.step()
    """))
    assert [(c.min, c.max, c.is_integer) for c in run2.data.targets] == [(0.0, 1.0, True)]
    assert run2.data.n_samples == 200


@pytest.mark.parametrize("transform, rng", [("transforms.ToTensor()", (0.0, 1.0)),
                                             ("transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])", None)])
def test_torchvision_data_sets_are_known_by_name_with_their_transform(transform, rng):
    run = analyse(textwrap.dedent(f"""
    import torch, torchvision
    import torchvision.transforms as transforms
    trainset = torchvision.datasets.MNIST(root='./data', train=True, download=True, transform={transform})
    loader = torch.utils.data.DataLoader(trainset, batch_size=64, shuffle=True)
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
    for epoch in range(2):
        for images, labels in loader:
            optimizer.zero_grad()
            criterion(net(images), labels).backward()
            optimizer.step()
    """))
    assert run.data.n_samples == 60000 and run.n_updates_planned == 2 * 938
    assert [(c.min, c.max) for c in run.data.targets] == [(0.0, 9.0)]
    assert (run.data.inputs[0].min, run.data.inputs[0].max) == rng if rng else not run.data.inputs


HAND_LINE = """
import numpy as np
import torch
from torch.autograd import Variable
x = np.array([[c] for c in np.random.uniform(-500, 500, 2000)], dtype=np.float32)
y = np.clip(x * 1.8 + 32, -100, None)
x = Variable(torch.from_numpy(x))
y = Variable(torch.from_numpy(y))
a = Variable(torch.randn(1), requires_grad=True)
b = Variable(torch.randn(1), requires_grad=True)
lr = 1e-6
def mse(y_hat, y):
    return ((y_hat - y) ** 2).mean()
for t in range(5000):
    y_hat = a * x + b
    loss = mse(y_hat, y)
    loss.backward()
    a.data -= lr * a.grad.data
    b.data -= lr * b.grad.data
    a.grad.data.zero_()
    b.grad.data.zero_()
"""


def test_a_model_written_as_arithmetic_on_trainable_tensors_has_data_and_a_hand_written_sgd():
    """`a * x + b` with a, b made with requires_grad=True: x and y are the data, `a -= lr * a.grad` is
    plain SGD at lr (whatever the parameters are called)."""
    run = analyse(textwrap.dedent(HAND_LINE))
    assert run.data.n_samples == 2000
    assert [(c.min, c.max) for c in run.data.inputs] == [(-500.0, 500.0)]
    assert [(c.min, c.max) for c in run.data.targets] == [(-100.0, 932.0)]     # clipped below at -100
    assert run.config.optimizer.name == "sgd" and run.config.optimizer.learning_rate == 1e-6
    assert canonical_loss(run.config.loss) == "mse"
    assert {"NF104", "NF105"} <= set(codes(HAND_LINE))


def test_two_hand_written_rates_make_no_single_optimiser():
    text = HAND_LINE.replace("b.data -= lr * b.grad.data", "b.data -= 10 * lr * b.grad.data").replace(
        "lr = 1e-6", "lr = 1e-6\nlr_b = 1e-3").replace("10 * lr", "lr_b")
    assert analyse(textwrap.dedent(text)).config.optimizer is None


RELU_LOGITS = """
import torch
from torch import nn
x = torch.rand(600, 64)
y = torch.randint(0, 10, (600,))
model = nn.Sequential(nn.Linear(64, 512), nn.ReLU(), nn.Linear(512, 10){last})
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
for epoch in range(100):
    loss = loss_fn(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
"""


def test_a_relu_on_the_logits_of_a_logits_loss_is_an_output_mismatch():
    assert "NF130" in codes(RELU_LOGITS.format(last=", nn.ReLU()"))
    assert "NF130" not in codes(RELU_LOGITS.format(last=""))


STEP_ONLY = """
import torch
from torch import nn
X = torch.rand(1000, 2)
y = X.sum(dim=1, keepdim=True)
net = nn.Sequential(nn.Linear(2, 1))
criterion = torch.nn.MSELoss()
optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
for t in range(100):
    loss = criterion(net(X), y)
    optimizer.zero_grad()
    {backward}
    optimizer.step()
"""


def test_steps_without_any_backward_are_found():
    assert "NF109" in codes(STEP_ONLY.format(backward="pass"))
    assert "NF109" not in codes(STEP_ONLY.format(backward="loss.backward()"))


def test_a_watched_loop_whose_steps_find_no_gradient_is_found(tmp_path):
    pytest.importorskip("torch")
    from nnfit.doctor.rules import run_rules
    from nnfit.doctor.runner import run_script

    path = tmp_path / "nobackward.py"
    path.write_text(textwrap.dedent(STEP_ONLY.format(backward="pass")))
    cap = run_script(str(path), max_updates=100)
    assert cap.run.history.steps_with_gradient is False
    assert "NF109" in [f.code for f in run_rules(cap.run)]


def test_a_slice_of_data_not_posted_keeps_its_row_count():
    """counts = rides['cnt'][:50] from a CSV that is not beside the script: 50 rows of unknown values, so
    np.arange(1, len(counts) + 1) is the index 1..50."""
    run = analyse(textwrap.dedent("""
    import numpy as np, pandas as pd, torch
    rides = pd.read_csv('not-posted/hour.csv')
    counts = rides['cnt'][:50]
    x = torch.FloatTensor(np.arange(1, len(counts) + 1, dtype=float)).view(50, -1)
    y = torch.FloatTensor(np.array(counts, dtype=float)).view(50, -1)
    w = torch.randn((1, 10), requires_grad=True)
    b = torch.randn(10, requires_grad=True)
    w2 = torch.randn((10, 1), requires_grad=True)
    for i in range(1000):
        pred = torch.sigmoid(x * w + b).mm(w2)
        loss = torch.mean((pred - y) ** 2)
        loss.backward()
        w.data.add_(-0.001 * w.grad.data)
    """))
    assert [(c.min, c.max) for c in run.data.inputs] == [(1.0, 50.0)]
