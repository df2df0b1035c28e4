"""Rational forms: P/Q found by one null-space solve, pruned to its monomials, constants made simple."""
from __future__ import annotations

import numpy as np
import sympy as sp

from nnfit.explain.rational import rational_search

x1, x2 = sp.symbols("x1 x2", real=True)
p1 = sp.Symbol("x1", positive=True)


def _split(X, y):
    k = int(0.7 * len(X))
    return X[:k], y[:k], X[k:], y[k:]


def _uniform(low, high, n_in, seed=0, n=1000):
    return np.random.default_rng(seed).uniform(low, high, (n, n_in))


def test_ratio_of_polynomials_is_recovered_with_integer_coefficients():
    X = _uniform(-1, 1, 1)
    y = (X[:, 0] + 1) ** 3 / (X[:, 0] ** 2 - X[:, 0] + 1)
    best = rational_search(*_split(X, y), [x1])[0]
    assert best.exact and best.snapped
    assert sp.simplify(best.expression - (x1 + 1) ** 3 / (x1**2 - x1 + 1)) == 0


def test_decimal_coefficients_come_back_as_decimals_after_rescaling():
    # a rational function is defined up to a common factor: the one that makes 2.01, 14.71, 4.97 short decimals
    X = _uniform(-10, 10, 2, n=300)
    y = 2.01 * X[:, 0] / (14.71 - 4.97 * X[:, 1]) - X[:, 1] * (-X[:, 0] ** 2 + X[:, 0] - X[:, 1])
    best = rational_search(*_split(X, y), [x1, x2])[0]
    truth = sp.Rational("2.01") * x1 / (sp.Rational("14.71") - sp.Rational("4.97") * x2) - x2 * (-x1**2 + x1 - x2)
    assert best.exact and not best.expression.has(sp.Float)
    assert sp.simplify(best.expression - truth) == 0


def test_square_root_found_through_the_squared_target():
    X = _uniform(0, 4, 1)
    y = np.sqrt(1.23 * X[:, 0])
    best = rational_search(*_split(X, y), [p1])[0]
    assert best.transform == "y^2"
    assert sp.simplify(best.expression**2 - sp.Rational("1.23") * p1) == 0


def test_power_law_exponent_is_snapped_to_a_short_decimal():
    X = _uniform(0, 4, 1)
    y = X[:, 0] ** 0.426
    best = rational_search(*_split(X, y), [p1])[0]
    assert best.input_transform == "log"
    assert sp.simplify(best.expression - p1 ** sp.Rational(213, 500)) == 0


def test_non_rational_function_is_not_called_exact():
    X = _uniform(0, 3, 1)
    y = np.sin(5 * X[:, 0]) + np.exp(np.cos(X[:, 0]))
    fits = rational_search(*_split(X, y), [p1], time_limit=2.0)
    assert fits and not any(f.exact for f in fits)
