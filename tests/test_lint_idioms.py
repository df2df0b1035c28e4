"""`doctor lint` on code in the idiom people post: TF1 graphs, Keras 0-2 names, old PyTorch, NumPy data
built in loops, sklearn splits and scalers, named data sets, argparse defaults. Each test reads a short
script the way a post writes it and checks what the static reader recovered, or the finding it leads to."""
from __future__ import annotations

import os

os.environ.setdefault("NNFIT_LINT_STRICT", "1")   # a statement the static reader cannot follow fails the test

import pytest

from nnfit.doctor import lint as L
from nnfit.doctor.static import analyse


def names(text: str) -> set[str]:
    return {f.name for f in L.lint_source(text)}


TF1_LINEAR = """\
import numpy as np
import tensorflow as tf
N = 100
x_np = np.random.rand(N, 1)
y_np = np.reshape(5 * x_np + 2 + np.random.normal(scale=.1, size=(N, 1)), (-1))
x = tf.placeholder(tf.float32, (N, 1))
y = tf.placeholder(tf.float32, (N,))
W = tf.Variable(tf.random_normal((1, 1)))
b = tf.Variable(tf.random_normal((1,)))
y_pred = tf.matmul(x, W) + b
l = tf.reduce_sum((y - y_pred) ** 2)
train_op = tf.train.AdamOptimizer(.001).minimize(l)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(8000):
        _, loss = sess.run([train_op, l], feed_dict={x: x_np, y: y_np})
        print "step %d, loss: %f" % (i, loss)
"""


def test_tf1_graph_placeholders_feed_dict_and_steps():
    run = analyse(TF1_LINEAR)
    assert run.config.optimizer.name == "adam" and run.config.optimizer.learning_rate == 0.001
    assert run.config.epochs == 8000 and run.config.loss == "mse"
    assert run.data.n_samples == 100 and run.data.inputs[0].max == pytest.approx(1.0)
    assert [(la.input_units, la.units, la.use_bias) for la in run.layers] == [(1, 1, True)]
    assert run.fit.loss_broadcast == ((100, 1), (100,))
    assert "target-shape-broadcast" in names(TF1_LINEAR)
    fixed = TF1_LINEAR.replace("(N,))", "(N, 1))").replace("(-1))", "(-1, 1))")
    assert analyse(fixed).fit.loss_broadcast is None


def test_tf1_steps_fed_one_point_per_loop_iteration():
    text = """\
import numpy as np
import tensorflow as tf
x = tf.placeholder(tf.float32, [None, 1])
W = tf.Variable(tf.zeros([1, 1]))
b = tf.Variable(tf.zeros([1]))
y = tf.matmul(x, W) + b
y_ = tf.placeholder(tf.float32, [None, 1])
cost = tf.reduce_mean(tf.square(y_ - y))
train_step = tf.train.GradientDescentOptimizer(0.0000001).minimize(cost)
sess = tf.Session()
for i in range(100):
    xs = np.array([[i]])
    ys = np.array([[2 * i]])
    sess.run(train_step, feed_dict={x: xs, y_: ys})
"""
    run = analyse(text)
    assert run.config.optimizer.learning_rate == 1e-7 and run.config.epochs == 100
    assert (run.data.inputs[0].min, run.data.inputs[0].max) == (0.0, 99.0)
    assert (run.data.targets[0].min, run.data.targets[0].max) == (0.0, 198.0)
    found = names(text)
    assert {"too-few-updates", "learning-rate-too-low", "unscaled-inputs", "unscaled-targets"} <= found
    assert "missing-bias" not in found   # `+ b` is the bias


def test_tf1_layers_dense_sigmoid_stack_is_read_and_flagged():
    stack = "".join(f"h{i + 1} = tf.layers.dense(h{i}, 500, activation=tf.nn.sigmoid)\n" for i in range(4))
    text = ("import tensorflow as tf\nh0 = tf.placeholder(tf.float32, [None, 32])\ny = tf.placeholder(tf.float32, [None, 1])\n"
            + stack + "out = tf.layers.dense(h4, 1)\nloss = tf.reduce_mean(tf.square(out - y))\n"
            "train_op = tf.train.GradientDescentOptimizer(0.01).minimize(loss)\n")
    run = analyse(text)
    assert [la.activation for la in run.layers] == ["sigmoid"] * 4 + ["linear"]
    assert run.layers[0].input_units == 32
    assert "vanishing-gradients" in names(text)
    assert "vanishing-gradients" not in names(text.replace("sigmoid", "relu"))
    three = text.replace("h4 = tf.layers.dense(h3, 500, activation=tf.nn.sigmoid)\n", "h4 = h3\n")
    assert "vanishing-gradients" not in names(three)


def test_keras_subclass_model_custom_loop_over_tf_data():
    text = """\
import numpy as np
import tensorflow as tf
x = np.random.uniform(-1, 1, (1024, 2)).astype(np.float32)
y = (2 * x[:, 0] - x[:, 1]).astype(np.float32)
dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(1024).batch(16)
class M(tf.keras.Model):
    def __init__(self):
        super(M, self).__init__()
        self.d1 = tf.keras.layers.Dense(64, activation='relu')
        self.out = tf.keras.layers.Dense(1)
    def call(self, x):
        return self.out(self.d1(x))
model = M()
optimizer = tf.keras.optimizers.Adam(1e-3)
def train_step(model, optimizer, x, y):
    with tf.GradientTape() as tape:
        y_pred = model(x)
        loss = tf.reduce_mean(tf.square(y - y_pred))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
for epoch in range(10):
    for xb, yb in dataset:
        train_step(model, optimizer, xb, yb)
"""
    run = analyse(text)
    assert run.config.epochs == 10 and run.config.batch_size == 16 and run.config.shuffle is True
    assert run.fit.loss_broadcast == ((16, 1), (16,))
    assert analyse(text.replace("x[:, 1])", "x[:, 1]).reshape(-1, 1)")).fit.loss_broadcast is None


def test_keras_initializers_and_zero_init_relu_dead_from_start():
    text = """\
import numpy as np
from keras.models import Sequential
from keras.layers import Dense, Activation
from keras import initializers
model = Sequential()
model.add(Dense(16, input_shape=(1,), kernel_initializer=initializers.constant(0.0), bias_initializer=initializers.constant(0.0)))
model.add(Activation('relu'))
model.add(Dense(16, input_shape=(1,), kernel_initializer='zeros', bias_initializer='zeros'))
model.add(Activation('relu'))
model.add(Dense(2, kernel_initializer=initializers.RandomNormal(stddev=0.5)))
model.compile(loss='mse', optimizer='adam')
inputs = np.zeros((10, 1), dtype=np.float32)
targets = np.zeros((10, 2), dtype=np.float32)
for i in range(10):
    inputs[i] = i / 10.0
    targets[i, 1] = 0.01 * i
model.fit(inputs, targets, epochs=3000, batch_size=10)
"""
    run = analyse(text)
    assert run.initial_weight_std == {"dense": 0.0, "dense_1": 0.0, "dense_2": 0.5}
    assert run.layers[1].input_units == 16          # input_shape after the first layer is ignored, as Keras does
    assert (run.data.inputs[0].min, run.data.inputs[0].max) == (0.0, pytest.approx(0.9))   # filled in the loop
    assert [(c.min, c.max) for c in run.data.targets] == [(0.0, 0.0), (0.0, pytest.approx(0.09))]
    found = names(text)
    assert {"bad-initial-scale", "dead-units"} <= found
    positive = text.replace("bias_initializer=initializers.constant(0.0)", "bias_initializer=initializers.constant(0.1)") \
        .replace("bias_initializer='zeros'", "bias_initializer='ones'")
    assert "dead-units" not in names(positive)


def test_python_int_lists_are_int64_with_known_values():
    text = ("from keras.models import Sequential\nfrom keras.layers import Dense\nx = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n"
            "y = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]\nmodel = Sequential()\nmodel.add(Dense(units=1, input_shape=(1,)))\n"
            "model.compile(optimizer='rmsprop', loss='mse')\nmodel.fit(x, y, epochs=100, verbose=0)\n")
    run = analyse(text)
    assert run.data.target_dtype == "int64" and len(run.data.class_counts) == 10
    assert "integer-typed-data" in names(text)
    floats = text.replace("x = [1, 2,", "x = [1.0, 2.0,").replace("y = [10, 20,", "y = [10.0, 20.0,")
    assert analyse(floats).data.target_dtype == "float64"
    assert "integer-typed-data" not in names(floats)


def test_dtype_keyword_and_promotion():
    run = analyse("import numpy as np\nX = np.random.randint(0, 9, size=(50, 2)).astype('int8')\ny = X[:, 0] / 2\n"
                  "model.compile(loss='mse', optimizer='adam')\nmodel.fit(X, y, epochs=5)\n")
    assert run.data.input_dtype == "int8" and run.data.target_dtype == "float64"
    run = analyse("import numpy as np\nX = np.zeros((5, 1), dtype=np.float32)\ny = np.arange(5) * 3\n"
                  "model.fit(X, y, epochs=5)\n")
    assert run.data.input_dtype == "float32" and run.data.target_dtype == "int64"


def test_keras0_positional_dense_and_python2_xrange():
    text = ("import numpy as np\nfrom keras.models import Sequential\nfrom keras.layers.core import Dense\n"
            "X = np.random.uniform(0, 1, (1000, 1))\ny = 3 * X\nmodel = Sequential()\nmodel.add(Dense(1, 10, init='uniform'))\n"
            "model.add(Dense(10, 1))\nmodel.compile(loss='mse', optimizer='sgd')\nmodel.fit(X, y, nb_epoch=5, batch_size=16)\n"
            "for i in xrange(3):\n    print model.predict(X[i:i+1])\n")
    run = analyse(text)
    assert [(la.input_units, la.units) for la in run.layers] == [(1, 10), (10, 1)]
    assert run.config.epochs == 5


def test_old_torch_variable_and_manual_batches_in_order():
    text = """\
import numpy as np
import torch
from torch.autograd import Variable
X = np.linspace(0, 1, 1000).reshape(-1, 1).astype(np.float32)
Y = np.sin(6 * X).astype(np.float32)
x, y = Variable(torch.from_numpy(X)), Variable(torch.from_numpy(Y))
net = torch.nn.Sequential(torch.nn.Linear(1, 32), torch.nn.Tanh(), torch.nn.Linear(32, 1))
opt = torch.optim.SGD(net.parameters(), lr=0.05)
for epoch in range(500):
    for i in range(0, 1000, 50):
        opt.zero_grad()
        loss = ((net(x[i:i+50]) - y[i:i+50]) ** 2).mean()
        loss.backward()
        opt.step()
    print(loss.data[0])
"""
    run = analyse(text)
    assert run.config.loss == "mse" and run.config.batch_size == 50 and run.data.n_samples == 1000
    assert run.config.shuffle is False and run.data.order_correlation == pytest.approx(1.0)
    assert "data-not-shuffled" in names(text)
    permuted = text.replace("for i in range(0, 1000, 50):", "perm = torch.randperm(1000)\n    x = x[perm]\n    for i in range(0, 1000, 50):")
    assert "data-not-shuffled" not in names(permuted)


def test_validation_split_on_rows_built_in_order():
    text = ("import numpy as np\nx = np.linspace(-3, 3, 1000)\ny = np.sin(x)\nmodel.compile(loss='mse', optimizer='adam')\n"
            "model.fit(x, y, epochs=200, batch_size=32, validation_split=0.2)\n")
    assert "validation-split-unshuffled" in names(text)
    shuffled = text.replace("y = np.sin(x)\n", "y = np.sin(x)\nidx = np.random.permutation(1000)\nx, y = x[idx], y[idx]\n")
    assert "validation-split-unshuffled" not in names(shuffled)
    blocks = ("import numpy as np\nX = np.concatenate([np.random.normal(0, 1, (500, 4)), np.random.normal(3, 1, (500, 4))])\n"
              "y = np.array([0] * 500 + [1] * 500)\nmodel.compile(loss='binary_crossentropy', optimizer='adam')\n"
              "model.fit(X, y, epochs=20, validation_split=0.2)\n")
    run = analyse(blocks)
    assert run.data.n_samples == 1000 and run.data.class_counts == {"0": 500, "1": 500}
    assert run.data.order_correlation == pytest.approx(0.866, abs=0.01)


def test_sklearn_split_scaler_and_named_data_sets():
    text = ("import numpy as np\nfrom sklearn.model_selection import train_test_split\nfrom sklearn.preprocessing import StandardScaler\n"
            "X = np.random.uniform(0, 1000, size=(500, 3))\ny = X[:, 0] * 2\n"
            "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)\nsc = StandardScaler()\n"
            "X_train = sc.fit_transform(X_train)\nmodel.compile(loss='mse', optimizer='adam')\nmodel.fit(X_train, y_train, epochs=5)\n")
    run = analyse(text)
    assert run.data.n_samples == 400
    assert all(abs(c.min) < 2 and abs(c.max) < 2 for c in run.data.inputs)
    assert run.data.targets[0].max == pytest.approx(2000)
    run = analyse("from keras.datasets import mnist\n(X_train, y_train), (X_test, y_test) = mnist.load_data()\n"
                  "X_train = X_train.reshape(60000, 784)\nmodel.compile(loss='sparse_categorical_crossentropy', optimizer='adam')\n"
                  "model.fit(X_train, y_train, epochs=5)\n")
    assert run.data.n_samples == 60000 and run.data.inputs[0].max == 255 and run.data.input_dtype == "uint8"


def test_module_aliases_argparse_defaults_and_settings_class():
    text = """\
import argparse
import torch as t
parser = argparse.ArgumentParser()
parser.add_argument('--lr', type=float, default=1e-7)
parser.add_argument('--n-epochs', type=int, default=5)
args = parser.parse_args()
class Config:
    batch = 10
X = t.rand(200, 2) * 50
y = X.sum(dim=1)
net = t.nn.Sequential(t.nn.Linear(2, 16), t.nn.ReLU(), t.nn.Linear(16, 1))
optimizer = t.optim.SGD(net.parameters(), lr=args.lr)
criterion = t.nn.MSELoss()
for epoch in range(args.n_epochs):
    for i in range(0, 200, Config.batch):
        optimizer.zero_grad()
        loss = criterion(net(X[i:i + Config.batch]), y[i:i + Config.batch])
        loss.backward()
        optimizer.step()
"""
    run = analyse(text)
    assert run.config.optimizer.learning_rate == 1e-7 and run.config.epochs == 5 and run.config.batch_size == 10
    assert run.data.inputs[0].max == pytest.approx(50)
    assert {"target-shape-broadcast", "unscaled-inputs", "learning-rate-too-low"} <= names(text)


def test_a_statement_the_reader_cannot_follow_is_skipped_not_fatal(monkeypatch):
    from nnfit.doctor.static import interp

    def broken(self, *a, **k):
        raise RuntimeError("reader bug")

    monkeypatch.delenv("NNFIT_LINT_STRICT", raising=False)
    monkeypatch.setattr(interp._Interp, "keras_layer", broken)
    run = analyse("import numpy as np\nfrom keras.layers import Dense\nm.add(Dense(4))\nX = np.linspace(0, 500, 50)\n"
                  "m.compile(loss='mse', optimizer='adam')\nm.fit(X, X, epochs=3)\n")
    assert run.data.inputs[0].max == 500 and run.config.epochs == 3
    monkeypatch.setenv("NNFIT_LINT_STRICT", "1")
    with pytest.raises(RuntimeError):
        analyse("from keras.layers import Dense\nm.add(Dense(4))\n")


def test_console_session_prompts_and_notebook_magics_are_stripped():
    session = (">>> import numpy as np\n>>> X = np.random.uniform(0, 500, (200, 2))\n>>> y = X[:, 0] * 3\n"
               ">>> model.compile(loss='mse', optimizer='adam')\n>>> model.fit(X, y, epochs=10, batch_size=32)\n"
               "Epoch 1/10\n200/200 [==============================] - 0s - loss: 1234.5\n")
    run = analyse(session)
    assert run.data.n_samples == 200 and run.config.epochs == 10
    assert {p["kind"] for p in run.syntax_problems} == {"console-prompt", "console-output"}
    notebook = "%matplotlib inline\nIn [3]: import numpy as np\nX = np.linspace(0, 900, 50)\nmodel.fit(X, X, epochs=2)\n"
    run = analyse(notebook)
    assert run.data.inputs[0].max == 900
    assert {p["kind"] for p in run.syntax_problems} == {"notebook-magic", "console-prompt"}
    assert analyse("x = ...\nprint(x)\n").syntax_problems == []    # an Ellipsis line is code, not a prompt


def test_enumerate_over_a_dataloader_of_a_tensor_dataset():
    text = """\
import torch
import torch.nn as nn
from torch.utils.data import TensorDataset, DataLoader
X = torch.linspace(0, 100, 1000).unsqueeze(1)
y = 3 * X.squeeze() + 1
loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)
model = nn.Sequential(nn.Linear(1, 16), nn.ReLU(), nn.Linear(16, 1))
opt = torch.optim.Adam(model.parameters(), lr=0.01)
crit = nn.MSELoss()
for epoch in range(20):
    for batch_idx, (data, target) in enumerate(loader):
        opt.zero_grad()
        loss = crit(model(data), target)
        loss.backward()
        opt.step()
"""
    run = analyse(text)
    assert run.config.batch_size == 32 and run.config.epochs == 20 and run.data.n_samples == 1000
    assert run.fit.loss_broadcast == ((32, 1), (32,))
    assert analyse(text.replace("X.squeeze() + 1", "X + 1")).fit.loss_broadcast is None


def test_fit_generator_reads_what_the_generator_yields():
    text = """\
import numpy as np
from keras.models import Sequential
from keras.layers import Dense
def batch_generator(batch_size=16):
    while True:
        x = np.random.uniform(0, 200, (batch_size, 1))
        yield x, np.sqrt(x)
model = Sequential()
model.add(Dense(10, input_dim=1, activation='relu'))
model.add(Dense(1))
model.compile(loss='mse', optimizer='adam')
model.fit_generator(batch_generator(), samples_per_epoch=160, nb_epoch=10)
"""
    run = analyse(text)
    assert run.data.inputs[0].max == 200 and run.data.n_samples is None
    assert run.n_updates_planned == 100 and run.config.batch_size == 16
    assert {"unscaled-inputs", "too-few-updates"} <= names(text)
    assert "too-few-updates" not in names(text.replace("nb_epoch=10", "nb_epoch=100"))


def test_torch_module_holding_a_sequential_and_a_loss_called_inline():
    text = """\
import torch
import torch.nn as nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1))
    def forward(self, x):
        return self.net(x)
x = torch.rand(100)
model = Net()
opt = torch.optim.SGD(model.parameters(), lr=0.01)
for i in range(5000):
    opt.zero_grad()
    loss = nn.MSELoss()(model(x.unsqueeze(1)), x ** 2)
    loss.backward()
    opt.step()
"""
    run = analyse(text)
    assert [(la.input_units, la.units, la.activation) for la in run.layers] == [(1, 8, "tanh"), (8, 1, "linear")]
    assert run.config.loss == "mse" and run.fit.loss_broadcast == ((100, 1), (100,))


def test_tf1_matmul_network_with_random_normal_variables():
    text = """\
import tensorflow as tf
x = tf.placeholder("float", [None, 784])
y = tf.placeholder("float", [None, 10])
weights = {'h1': tf.Variable(tf.random_normal([784, 256])), 'out': tf.Variable(tf.random_normal([256, 10]))}
biases = {'b1': tf.Variable(tf.random_normal([256])), 'out': tf.Variable(tf.random_normal([10]))}
layer_1 = tf.nn.relu(tf.add(tf.matmul(x, weights['h1']), biases['b1']))
pred = tf.matmul(layer_1, weights['out']) + biases['out']
cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=pred, labels=y))
optimizer = tf.train.AdamOptimizer(learning_rate=0.001).minimize(cost)
"""
    run = analyse(text)
    assert [(la.input_units, la.units, la.activation, la.use_bias) for la in run.layers] == [
        (784, 256, "relu", True), (256, 10, "linear", True)]
    assert run.initial_weight_std == {"dense": pytest.approx(1.0), "dense_1": pytest.approx(1.0)}
    assert run.config.loss == "cross_entropy" and run.config.from_logits
    double = text.replace("pred = tf.matmul(layer_1, weights['out']) + biases['out']",
                          "pred = tf.nn.softmax(tf.matmul(layer_1, weights['out']) + biases['out'])")
    assert "loss-output-mismatch" in names(double) and "loss-output-mismatch" not in names(text)
    assert "bad-initial-scale" in names(text)
    assert "bad-initial-scale" not in names(text.replace("tf.random_normal([784, 256])", "tf.random_normal([784, 256], stddev=0.05)")
                                            .replace("tf.random_normal([256, 10])", "tf.random_normal([256, 10], stddev=0.08)"))
    # zero W and b of a softmax regression (no hidden layer) are the TF1 tutorial's and harmless
    softmax = ("import tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 784])\nW = tf.Variable(tf.zeros([784, 10]))\n"
               "b = tf.Variable(tf.zeros([10]))\ny = tf.nn.softmax(tf.matmul(x, W) + b)\n")
    assert analyse(softmax).initial_weight_std == {} and analyse(softmax).layers[0].activation == "softmax"


def test_torch_init_calls_and_assigned_parameters():
    text = """\
import torch
import torch.nn as nn
class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.fc1 = nn.Linear(2, 32)
        self.fc2 = nn.Linear(32, 1)
        nn.init.constant_(self.fc1.weight, 0.0)
        self.fc1.bias.data.fill_(0)
        self.fc2.weight.data.normal_(0, 5.0)
    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))
net = Net()
"""
    run = analyse(text)
    assert run.initial_weight_std == {"fc1": 0.0, "fc2": 5.0} and run.static.initial_bias == {"fc1": 0.0}
    assert {"bad-initial-scale", "dead-units"} <= names(text)
    assert "dead-units" not in names(text.replace("fill_(0)", "fill_(0.1)"))
    run = analyse("import torch\nm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))\n"
                  "m[0].weight = torch.nn.Parameter(torch.zeros(4, 3))\n")
    assert run.initial_weight_std == {"linear": 0.0}


def test_settings_kept_on_self_reach_the_other_methods():
    text = """\
import numpy as np
import torch
import torch.nn as nn
class Trainer(object):
    def __init__(self, lr, epochs):
        self.lr = lr
        self.epochs = epochs
        self.model = nn.Sequential(nn.Linear(1, 10), nn.ReLU(), nn.Linear(10, 1))
        self.opt = torch.optim.SGD(self.model.parameters(), lr=self.lr)
        self.crit = nn.MSELoss()
    def fit(self, X, y):
        for e in range(self.epochs):
            self.opt.zero_grad()
            loss = self.crit(self.model(X), y)
            loss.backward()
            self.opt.step()
X = torch.from_numpy(np.random.rand(100, 1) * 1000).float()
t = Trainer(lr=1e-8, epochs=20)
t.fit(X, 2 * X)
"""
    run = analyse(text)
    assert run.config.optimizer.learning_rate == 1e-8 and run.config.epochs == 20 and run.config.loss == "mse"
    assert run.data.inputs[0].max == pytest.approx(1000) and run.data.targets[0].max == pytest.approx(2000)


def test_torch_init_over_modules_and_apply():
    base = """\
import torch
import torch.nn as nn
class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.h = nn.Linear(1, 64)
        self.out = nn.Linear(64, 1)
    def forward(self, x):
        return self.out(torch.relu(self.h(x)))
    def weight_init(self):
        for op in self.modules():
            if isinstance(op, nn.Linear):
                nn.init.normal_(op.weight.data, std=3.0)
net = Net()
net.weight_init()
"""
    assert analyse(base).initial_weight_std == {"h": 3.0, "out": 3.0}
    applied = base.replace("net.weight_init()\n", "def init(m):\n    if type(m) == nn.Linear:\n        m.weight.data.fill_(0.0)\n"
                                                  "        m.bias.data.fill_(0)\nnet.apply(init)\n")
    run = analyse(applied)
    assert run.initial_weight_std == {"h": 0.0, "out": 0.0} and run.static.initial_bias == {"h": 0.0, "out": 0.0}


def test_text_file_read_line_by_line_beside_the_script(tmp_path):
    (tmp_path / "data.txt").write_text("".join(f"{2.0 * i},{6.0 * i + 0.5}\n" for i in range(300)))
    script = tmp_path / "train.py"
    script.write_text("""\
import csv
import numpy as np
X, Y = [], []
with open('data.txt') as f:
    for line in f:
        a, b = line.strip().split(',')
        X.append([float(a)])
        Y.append(float(b))
X = np.array(X)
Y = np.array(Y)
model.compile(loss='mse', optimizer='adam')
model.fit(X, Y, epochs=100, batch_size=32, validation_split=0.2)
""")
    run = analyse(script.read_text(), str(script))
    assert run.data.n_samples == 300 and (run.data.inputs[0].min, run.data.inputs[0].max) == (0.0, 598.0)
    assert run.data.targets[0].max == pytest.approx(1794.5) and run.static.data_files
    found = {f.name for f in L.lint_file(script)}
    assert {"unscaled-inputs", "unscaled-targets", "validation-split-unshuffled"} <= found
    rows = script.read_text().replace("    for line in f:\n        a, b = line.strip().split(',')\n",
                                      "    for a, b in csv.reader(f):\n")
    assert analyse(rows, str(script)).data.n_samples == 300
    (tmp_path / "data.txt").unlink()        # the file is gone: nothing is made up
    assert analyse(script.read_text(), str(script)).data.inputs == []


def test_module_built_from_constructor_arguments_and_forward_called_by_name():
    text = """\
import torch
import torch.nn as nn
X = torch.randn(100, 1) * 10
y = X + 3 * torch.randn(100, 1)
class LR(nn.Module):
    def __init__(self, input_size, output_size):
        super().__init__()
        self.linear = nn.Linear(input_size, output_size)
    def forward(self, x):
        return self.linear(x)
model = LR(1, 1)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
for i in range(100):
    loss = criterion(model.forward(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
"""
    run = analyse(text)
    assert [(la.input_units, la.units) for la in run.layers] == [(1, 1)]
    assert run.data.n_samples == 100 and run.data.inputs[0].max == pytest.approx(30)
    assert {"unscaled-inputs", "too-few-updates"} <= names(text)


def test_flattened_predictions_in_an_evaluation_are_no_broadcast():
    text = """\
import numpy as np
import torch
X_all = torch.rand((1280, 3))
y_all = X_all[:, 0] + X_all[:, 1]
X, y = X_all[:1024], y_all[:1024]
m = torch.nn.Sequential(torch.nn.Linear(3, 1))
opt = torch.optim.SGD(m.parameters(), lr=0.1)
mse = torch.nn.MSELoss()
for epoch in range(500):
    opt.zero_grad()
    loss = mse(m(X), y.unsqueeze(1))
    loss.backward()
    opt.step()
predicted = m(X_all[1024:]).detach().numpy().ravel()
truth = y_all[1024:].numpy()
r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
"""
    run = analyse(text)
    assert run.fit.loss_broadcast is None and run.data.n_samples == 1024
    assert analyse(text.replace("y.unsqueeze(1)", "y")).fit.loss_broadcast == ((1024, 1), (1024,))


def test_web_page_characters_are_repaired_and_fit_in_a_loop_counts_every_call():
    text = ("import numpy as np\nX = np.random.uniform(0, 500, (200, 2))\nmodel.compile(loss=\u2018mse\u2019, optimizer=\u201cadam\u201d)\n"
            "for e in range(30):\n\u00a0\u00a0\u00a0\u00a0model.fit(X, X[:, 0], epochs=10, batch_size=32)\u200b\n")
    run = analyse(text)
    assert run.config.loss == "mse" and run.data.n_samples == 200
    assert run.config.epochs == 300       # 30 calls of 10 epochs
    assert {p["kind"] for p in run.syntax_problems} == {"web-characters"}
    assert analyse("s = '\u201cquoted\u201d'\nx = 1\n").syntax_problems == []   # valid Python is left alone


def test_train_on_batch_in_a_loop_is_one_update_per_call():
    text = ("import numpy as np\nX = np.linspace(0, 1, 10).reshape(-1, 1)\nmodel.compile(loss='mse', optimizer='adam')\n"
            "for i in range(100):\n    model.train_on_batch(X, 2 * X)\n")
    run = analyse(text)
    assert run.n_updates_planned == 100 and "too-few-updates" in names(text)
    assert "too-few-updates" not in names(text.replace("range(100)", "range(5000)"))
    assert analyse(text.replace("for i in range(100):", "while True:")).n_updates_planned is None


def test_dataframe_built_from_a_dict_keeps_named_columns():
    text = ("import numpy as np\nimport pandas as pd\nx = np.arange(100)\n"
            "df = pd.DataFrame({'a': x * 10.0, 'b': np.random.rand(100), 'y': x ** 2})\n"
            "X = df[['a', 'b']].values\ny = df['y'].values\nmodel.compile(loss='mse', optimizer='adam')\nmodel.fit(X, y, epochs=5)\n")
    run = analyse(text)
    assert [(c.min, c.max) for c in run.data.inputs] == [(0.0, 990.0), (0.0, 1.0)]
    assert run.data.targets[0].max == 9801.0 and run.data.n_samples == 100


def test_shape_of_an_array_sizes_the_first_layer():
    run = analyse("import numpy as np\nfrom keras.layers import Dense\nX = np.random.rand(50, 3)\n"
                  "model.add(Dense(1, input_dim=X.shape[1]))\nmodel.fit(X, X[:, 0], epochs=2, batch_size=X.shape[0])\n")
    assert run.layers[0].input_units == 3 and run.config.batch_size == 50


def test_keras_fit_on_a_tf_data_pipeline():
    run = analyse("import numpy as np\nimport tensorflow as tf\nx = np.random.uniform(0, 300, (640, 2))\ny = x[:, 0] * 2\n"
                  "ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(64)\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(1)])\n"
                  "model.compile(loss='mse', optimizer='adam')\nmodel.fit(ds, epochs=3)\n")
    assert run.config.batch_size == 64 and run.data.n_samples == 640 and run.data.inputs[0].max == 300


def test_markdown_fences_pasted_with_the_code():
    run = analyse("```python\nimport numpy as np\nX = np.linspace(0, 900, 50)\nmodel.fit(X, X, epochs=2)\n```\n")
    assert run.data.inputs[0].max == 900 and {p["kind"] for p in run.syntax_problems} == {"markdown-fence"}


def test_random_generator_objects_draw_like_np_random():
    run = analyse("import numpy as np\nr = np.random.RandomState(0)\nX = r.uniform(0, 400, size=(80, 1))\n"
                  "g = np.random.default_rng(1)\ny = g.normal(0, 1, size=80)\nmodel.fit(X, y, epochs=2)\n")
    assert run.data.inputs[0].max == 400 and run.data.n_samples == 80 and run.data.targets[0].max == pytest.approx(3.0)


def test_tf1_scalar_regression_fed_point_by_point():
    text = """\
import numpy as np
import tensorflow as tf
train_X = np.asarray([3.3, 4.4, 5.5, 6.71, 6.93, 4.168, 9.779, 6.182, 7.59, 2.167, 70.42])
train_Y = np.asarray([1.7, 2.76, 2.09, 3.19, 1.694, 1.573, 3.366, 2.596, 2.53, 1.221, 2.827])
X = tf.placeholder("float")
Y = tf.placeholder("float")
W = tf.Variable(np.random.randn(), name="weight")
b = tf.Variable(np.random.randn(), name="bias")
pred = tf.add(tf.multiply(X, W), b)
cost = tf.reduce_sum(tf.pow(pred - Y, 2)) / (2 * 11)
optimizer = tf.train.GradientDescentOptimizer(0.01).minimize(cost)
with tf.Session() as sess:
    for epoch in range(20):
        for (x, y) in zip(train_X, train_Y):
            sess.run(optimizer, feed_dict={X: x, Y: y})
"""
    run = analyse(text)
    assert run.config.loss == "mse" and run.n_updates_planned == 220
    assert run.data.inputs[0].max == pytest.approx(70.42) and run.data.targets[0].max == pytest.approx(3.366)
    assert {"unscaled-inputs", "too-few-updates"} <= names(text)


def test_lists_appended_in_loop_order_are_ordered_rows():
    text = ("import math\nX, y = [], []\nfor i in range(1000):\n    X.append(i / 1000.0)\n    y.append(math.sin(6 * i / 1000.0))\n"
            "model.compile(loss='mse', optimizer='adam')\nmodel.fit(X, y, epochs=50, batch_size=32, validation_split=0.25)\n")
    run = analyse(text)
    assert run.data.n_samples == 1000 and run.data.order_correlation == pytest.approx(1.0)
    assert "validation-split-unshuffled" in names(text)
    assert "validation-split-unshuffled" not in names(text.replace("i / 1000.0)\n", "random.random())\n", 1)
                                                        .replace("import math", "import math, random"))


def test_standardising_and_min_max_scaling_by_hand():
    base = ("import numpy as np\nX = np.random.uniform(0, 1000, (300, 2))\ny = X[:, 0] * 3\n{scale}\n"
            "model.compile(loss='mse', optimizer='adam')\nmodel.fit(Xs, y, epochs=100, batch_size=10)\n")
    for scale in ("Xs = (X - X.mean(axis=0)) / X.std(axis=0)", "Xs = (X - np.mean(X, axis=0)) / np.std(X, axis=0)",
                  "Xs = (X - X.min()) / (X.max() - X.min())", "Xs = X / X.max()"):
        run = analyse(base.format(scale=scale))
        assert all(-2 <= c.min and c.max <= 2 for c in run.data.inputs), scale
        assert "unscaled-inputs" not in names(base.format(scale=scale)), scale
    assert "unscaled-inputs" in names(base.format(scale="Xs = X - X.mean()"))


def test_an_optimiser_stepped_in_a_method_nothing_calls_is_not_unused():
    # a training class posted without its driver: the reader never follows step(), yet the code steps it
    from nnfit.doctor.lint import lint_source

    text = ("import torch\nimport torch.nn as nn\n\nclass Trainer(object):\n    def __init__(self, model):\n"
            "        self.model = model\n        self.criterion = nn.BCEWithLogitsLoss()\n"
            "        self.optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)\n\n"
            "    def step(self, images, labels):\n        loss = self.criterion(self.model(images), labels)\n"
            "        self.optimizer.zero_grad()\n        loss.backward()\n        self.optimizer.step()\n")
    assert "NF109" not in [f.code for f in lint_source(text, "trainer.py")]
    # a second optimiser that no code steps is still unused
    second = text.replace("        self.optimizer = torch", "        self.sgd = torch.optim.SGD(model.parameters(), lr=0.1)\n"
                                                         "        self.optimizer = torch")
    found = [f for f in lint_source(second, "trainer.py") if f.code == "NF109"]
    assert len(found) == 1 and "'sgd'" in found[0].message


def test_a_forward_that_squeezes_its_one_output_column_gives_row_shaped_predictions():
    from nnfit.doctor.lint import lint_source

    text = ("import torch\n\nclass Net(torch.nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            "        self.layer1 = torch.nn.Linear(2, 1)\n\n    def forward(self, x):\n        x = self.layer1(x)\n"
            "        x = x.squeeze(-1)\n        return x\n\n"
            "X = torch.rand(500, 2)\ny = X[:, 0] + X[:, 1]\nnet = Net()\nopt = torch.optim.SGD(net.parameters(), lr=0.1)\n"
            "criterion = torch.nn.MSELoss()\nfor epoch in range(500):\n    opt.zero_grad()\n"
            "    loss = criterion(net(X), y)\n    loss.backward()\n    opt.step()\n")
    assert "NF125" not in [f.code for f in lint_source(text, "net.py")]
    unsqueezed = text.replace("        x = x.squeeze(-1)\n", "")
    assert "NF125" in [f.code for f in lint_source(unsqueezed, "net.py")]
