"""`doctor lint` reads theanets' Regressor / Classifier and their train() settings (interp_theanets.py)."""
from __future__ import annotations

from nnfit.doctor.lint import lint_source
from nnfit.doctor.static import analyse


def test_regressor_layers_defaults_and_data():
    text = """
import numpy as np
import theanets
X = np.random.rand(400, 3).astype('f')
Y = (X.sum(axis=1, keepdims=True) * 500).astype('f')
net = theanets.Regressor(layers=(3, 12, 1))
net.train([X, Y])
print(net.predict(X))
"""
    run = analyse(text)
    assert [(la.units, la.input_units, la.activation) for la in run.layers] == [(12, 3, "relu"), (1, 12, "linear")]
    assert run.config.loss == "mse"
    assert run.config.optimizer.name == "rmsprop" and run.config.optimizer.learning_rate == 1e-4
    assert run.config.batch_size == 32 and run.config.epochs is None      # early stopping: unknown
    assert run.data.n_samples == 400 and run.data.targets[0].max == 1500
    assert "NF106" in {f.code for f in lint_source(text)}


def test_classifier_with_tuple_and_dict_layers_and_train_settings():
    text = """
import numpy as np
from theanets import Classifier
X = np.random.rand(300, 6).astype('f')
y = np.random.randint(0, 4, 300).astype('i')
net = Classifier([6, (1, 'sigmoid'), dict(size=20, activation='tanh'), 4])
net.train([X, y], algo='nag', learning_rate=1e-6, momentum=0.9, batch_size=50)
"""
    run = analyse(text)
    assert [(la.units, la.activation) for la in run.layers] == [(1, "sigmoid"), (20, "tanh"), (4, "softmax")]
    opt = run.config.optimizer
    assert opt.name == "sgd" and opt.learning_rate == 1e-6 and opt.arguments["momentum"] == 0.9
    found = {f.code for f in lint_source(text)}
    assert {"NF101", "NF104"} <= found


def test_a_healthy_theanets_regressor_gets_no_error():
    text = """
import numpy as np
import theanets
X = np.random.uniform(-1, 1, (1000, 2)).astype('f')
Y = (X[:, :1] * X[:, 1:]).astype('f')
net = theanets.Regressor(layers=(2, 32, 32, 1))
net.train([X, Y], algo='adam', learning_rate=1e-3)
"""
    run = analyse(text)
    assert len(run.layers) == 3
    assert not [f for f in lint_source(text) if f.severity.name == "ERROR"]


def test_a_class_named_regressor_elsewhere_is_not_theanets():
    text = "class Regressor:\n    def __init__(self, layers):\n        self.layers = layers\n\nnet = Regressor((2, 2, 1))\n"
    assert analyse(text).layers == []
