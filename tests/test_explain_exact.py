"""Exact read-back: polynomial networks expanded from their weights (seed 3: a parabola from 2 neurons)."""
from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np
import pytest
import sympy as sp
import torch

from nnfit.explain import NotPolynomialError, exact_formula, explain, polynomial_coefficients

# The answer's printed weights: [kernel1, bias1], [kernel2, bias2]
ANSWER_W1, ANSWER_B1, ANSWER_W2, ANSWER_B2 = -1.3284513, -1.328055, 0.5667597, 1.0003909


def _square(x):
    return x**2


def test_seed3_answer_weights_read_back_with_the_answers_arithmetic():
    weights = [np.array([[ANSWER_W1]]), np.array([ANSWER_B1]), np.array([[ANSWER_W2]]), np.array([ANSWER_B2])]
    expr = exact_formula(weights, activations=[_square, None])
    coef = polynomial_coefficients(expr)
    # the answer: 0.5667597*(-1.3284513)**2 = 1.0002078022990382, 2*w2*w1*b1 = 1.9998188460235597,
    # w2*b1**2 + b2 = 2.000002032736224
    assert coef[(2,)] == pytest.approx(1.0002078022990382, rel=1e-15)
    assert coef[(1,)] == pytest.approx(1.9998188460235597, rel=1e-15)
    assert coef[(0,)] == pytest.approx(2.000002032736224, rel=1e-15)


def test_single_square_neuron_is_a_times_x_plus_b_squared():
    expr = exact_formula([np.array([[3.0]]), np.array([-0.5])], activations=[_square])
    x = sp.Symbol("x", real=True)
    assert sp.simplify(expr - (3 * x - 0.5) ** 2) == 0


def test_rational_expansion_is_exact():
    expr = exact_formula([np.array([[0.1]]), np.array([0.2]), np.array([[0.3]]), np.array([0.0])],
                         activations=[_square, None], rational=True)
    x = sp.Symbol("x", real=True)
    w1, b1, w2 = sp.Rational(0.1), sp.Rational(0.2), sp.Rational(0.3)  # the exact binary values
    assert sp.expand(expr - (w2 * (w1 * x + b1) ** 2)) == 0


class Cubic(torch.nn.Module):
    def forward(self, z):
        return z**3 - z


def test_torch_polynomial_network_expands_to_its_own_outputs():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 3), Cubic(), torch.nn.Linear(3, 2), torch.nn.Identity(),
                              torch.nn.Linear(2, 1)).double()
    expr = exact_formula(net, ["a", "b"])
    X = np.random.default_rng(0).uniform(-1, 1, (50, 2))
    f = sp.lambdify(sp.symbols("a b", real=True), expr, "numpy")
    expected = net(torch.tensor(X)).detach().numpy()[:, 0]
    assert np.max(np.abs(f(X[:, 0], X[:, 1]) - expected)) < 1e-12
    assert sp.Poly(expr, *sp.symbols("a b", real=True)).total_degree() == 3


def test_tanh_network_is_refused_with_the_layer_named():
    net = torch.nn.Sequential(torch.nn.Linear(1, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    with pytest.raises(NotPolynomialError, match="Tanh.*not a polynomial"):
        exact_formula(net)


@pytest.mark.slow
def test_explain_method_exact_on_tanh_network_raises_but_auto_falls_back_to_sparse():
    torch.manual_seed(1)
    net = torch.nn.Sequential(torch.nn.Linear(1, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1)).double()
    X = np.linspace(-1, 1, 200).reshape(-1, 1)
    with pytest.raises(NotPolynomialError):
        explain(net, X=X, method="exact")
    result = explain(net, X=X, max_level=1, time_limit=10)
    assert result.method == "sparse" and "Tanh" in result.note
    assert result.reference == "network predictions" and result.network_rmse is None
    assert result.is_approximation and result.formula_rmse > 0   # a tanh net is no short formula
    with_data = explain(net, X=X, y=np.sin(X[:, 0]), max_level=1, time_limit=10)
    assert with_data.reference == "data" and with_data.network_rmse is not None


def _train_seed3(epochs: int, batch_size: int):
    import keras

    keras.utils.set_random_seed(42)
    np.random.seed(42)
    questions = np.random.rand(999)
    solutions = questions**2 + 2 * questions + 2
    model = keras.Sequential([
        keras.Input(shape=(1,)),
        keras.layers.Dense(units=1, activation=lambda x: x**2),
        keras.layers.Dense(units=1, activation=None),
    ])
    model.compile(loss="mean_squared_error", optimizer=keras.optimizers.Adam(0.001))
    model.fit(questions, solutions, epochs=epochs, batch_size=batch_size, verbose=0)
    return model


def _check_seed3_readback(model):
    (k1, b1), (k2, b2) = [layer.get_weights() for layer in model.layers]
    w1, b1, w2, b2 = (float(np.asarray(v).ravel()[0]) for v in (k1, b1, k2, b2))
    result = explain(model, X=np.random.default_rng(43).random((100, 1)))
    assert result.method == "exact" and not result.is_approximation
    coef = polynomial_coefficients(result.expression)
    assert coef[(2,)] == pytest.approx(w2 * w1**2, rel=1e-12)
    assert coef[(1,)] == pytest.approx(2 * w2 * w1 * b1, rel=1e-12)
    assert coef[(0,)] == pytest.approx(w2 * b1**2 + b2, rel=1e-12)
    # and the formula reproduces the (float32) network to float32 rounding
    assert result.formula_rmse < 1e-5
    return coef


@pytest.mark.slow
def test_seed3_keras_net_trained_with_adam_reads_back_exactly():
    """Seed 3's architecture and optimiser (Keras 3, torch backend, Adam(0.001)); fewer, larger batches."""
    pytest.importorskip("keras")
    _check_seed3_readback(_train_seed3(epochs=8, batch_size=32))


@pytest.mark.slow
def test_seed3_keras_net_trained_with_batch_1_reads_back_exactly():
    """The answer's training (batch 1, Adam(0.001)), for 5 epochs instead of 999."""
    pytest.importorskip("keras")
    model = _train_seed3(epochs=5, batch_size=1)
    _check_seed3_readback(model)
    x = np.random.default_rng(43).random((100, 1))
    truth = x[:, 0] ** 2 + 2 * x[:, 0] + 2
    result = explain(model, X=x, y=truth)
    # the formula is the network: the same error against the truth, to float32 rounding
    assert result.formula_rmse == pytest.approx(result.network_rmse, rel=1e-4, abs=1e-5)
