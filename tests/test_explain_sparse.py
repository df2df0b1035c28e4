"""Sparse read-back: library search, polishing, snapping only when validation allows, Pareto choice."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from nnfit.explain import explain, sparse_fit

x_sym = sp.Symbol("x", real=True)


def _x(n=300, low=0.0, high=1.0, seed=0):
    return np.random.default_rng(seed).uniform(low, high, n)


def test_seed_parabola_recovered_exactly_from_samples():
    x = _x()
    result = sparse_fit(x.reshape(-1, 1), x**2 + 2 * x + 2)
    assert sp.simplify(result.best.expression - (x_sym**2 + 2 * x_sym + 2)) == 0
    assert result.best.exact
    assert result.best.snap_shift <= 1e-8


def test_sine_frequency_is_fitted_and_snapped_to_a_simple_value():
    x = _x(high=2.0)
    result = sparse_fit(x.reshape(-1, 1), 10 * np.sin(2.5 * x))   # 2.5 is not on the library's 1, 2, 3 grid
    assert sp.simplify(result.best.expression - 10 * sp.sin(sp.Rational(5, 2) * x_sym)) == 0


def test_pi_multiple_is_recognised():
    x = _x(high=2.0)
    result = sparse_fit(x.reshape(-1, 1), np.sin(np.pi * x))
    assert result.best.expression.has(sp.pi)
    assert sp.simplify(result.best.expression - sp.sin(sp.pi * x_sym)) == 0


def test_product_of_two_integer_inputs_is_found():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 500, size=(400, 2)).astype(float)
    result = sparse_fit(X, X[:, 0] * X[:, 1], ["a", "b"])
    a, b = sp.symbols("a b", real=True)
    assert sp.simplify(result.best.expression - a * b) == 0


def test_constant_without_a_simple_value_is_not_snapped():
    x = _x()
    result = sparse_fit(x.reshape(-1, 1), 1.2345678 * x**2)
    coef = sp.Poly(result.best.expression, x_sym).coeff_monomial(x_sym**2)
    assert isinstance(coef, sp.Float)
    assert float(coef) == pytest.approx(1.2345678, rel=1e-10)


def test_snap_that_worsens_validation_is_rejected():
    # Noisy data give 1.0005 a wide snap window (it is offered 1), but the validation split is fitted
    # worse with 1: the snap must be refused.
    x = _x(n=2000)
    y = 1.0005 * x**3 + 1e-5 * np.random.default_rng(9).normal(size=x.size)
    result = sparse_fit(x.reshape(-1, 1), y, max_level=0)
    coef = sp.Poly(result.best.expression, x_sym).coeff_monomial(x_sym**3)
    assert float(coef) == pytest.approx(1.0005, rel=1e-4)
    assert not result.best.exact


def test_noisy_data_gives_the_true_terms_and_is_not_called_exact():
    x = _x(seed=3)
    y = x**2 + 2 * x + 2 + 0.01 * np.random.default_rng(4).normal(size=x.size)
    result = explain(x.reshape(-1, 1), y, network=False, time_limit=4)
    assert result.is_approximation and "approximation" in result.label
    poly = sp.Poly(result.expression, x_sym)   # the right terms, coefficients within the noise
    assert poly.degree() == 2
    assert [float(c) for c in poly.all_coeffs()] == pytest.approx([1, 2, 2], abs=0.03)
    assert result.formula_rmse == pytest.approx(0.01, rel=0.3)


def test_choice_is_made_on_validation_not_training_error():
    x = _x(seed=5)
    y = 3 * x + 1 + 0.05 * np.random.default_rng(6).normal(size=x.size)
    result = sparse_fit(x.reshape(-1, 1), y, max_level=0)
    train_best = min(result.candidates, key=lambda c: c.train_rmse)
    # a bigger polynomial always fits the training split better; the chosen formula is the simple one
    assert result.best.complexity < train_best.complexity
    assert result.best.train_rmse > train_best.train_rmse
    assert sp.Poly(result.best.expression, x_sym).degree() == 1


def test_pareto_table_rows_trade_complexity_for_error():
    x = _x(high=2.0)
    result = sparse_fit(x.reshape(-1, 1), np.exp(-x) * 2 + x)
    rows = result.table()
    assert len(rows) >= 2
    assert [r["complexity"] for r in rows] == sorted(r["complexity"] for r in rows)
    errors = [r["val_rmse"] for r in rows]
    assert all(b < a for a, b in zip(errors, errors[1:]))
    assert sum(r["chosen"] for r in rows) == 1


@pytest.mark.slow
def test_two_input_trig_product_nguyen_10():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, size=(300, 2))
    result = sparse_fit(X, 2 * np.sin(X[:, 0]) * np.cos(X[:, 1]), ["x", "y"])
    xs, ys = sp.symbols("x y", real=True)
    assert sp.simplify(result.best.expression - 2 * sp.sin(xs) * sp.cos(ys)) == 0


def test_non_finite_data_is_refused_in_one_line():
    from nnfit.errors import DataError

    with pytest.raises(DataError, match="finite"):
        sparse_fit(np.array([[0.0], [1.0]] * 10), np.array([np.nan, 1.0] * 10))
