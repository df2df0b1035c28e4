"""The oracle tests: additive / multiplicative separability and pair symmetries, on known functions."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from nnfit.explain import discover as discover_mod
from nnfit.explain.oracle import separability, symmetry

RNG = np.random.default_rng(0)
BOX = RNG.uniform(0.5, 2.0, (500, 2))
ERROR = 1e-9   # an oracle this accurate: residuals are compared with its error


def _f(fn):
    return lambda A: fn(A[:, 0], A[:, 1])


def test_additive_function_is_additively_separable_and_not_multiplicatively():
    s = separability(_f(lambda a, b: np.sin(a) + b**2), BOX, [0], [1], ERROR, np.random.default_rng(1))
    assert s["additive"] < 1
    assert s["multiplicative"] > 1e3


def test_product_is_multiplicatively_separable():
    s = separability(_f(lambda a, b: a**2 * np.exp(b)), BOX, [0], [1], ERROR, np.random.default_rng(1))
    assert s["multiplicative"] < 1
    assert s["additive"] > 1e3


def test_entangled_function_is_neither():
    s = separability(_f(lambda a, b: np.sin(a * b) + a), BOX, [0], [1], ERROR, np.random.default_rng(1))
    assert min(s.values()) > 1e3


def test_difference_symmetry_is_detected_and_others_are_not():
    f = _f(lambda a, b: np.exp(-((a - b) ** 2)))
    assert symmetry(f, BOX, 0, 1, "-", ERROR, np.random.default_rng(2)) < 1
    assert symmetry(f, BOX, 0, 1, "+", ERROR, np.random.default_rng(2)) > 1e3
    g = _f(lambda a, b: np.cos(a / b))
    assert symmetry(g, BOX, 0, 1, "/", ERROR, np.random.default_rng(2)) < 1


@pytest.mark.slow
def test_multiplicative_split_gives_the_exact_formula_through_the_oracle():
    # exp(-(x1-1)^2) / (1.2 + (x2-2.5)^2): no single search holds it; the split into an exp-of-polynomial
    # part and a rational part, joined and refitted to the data, does
    X = np.random.default_rng(3).uniform(0.3, 4, (1000, 2))

    def truth(A):
        return np.exp(-((A[:, 0] - 1) ** 2)) / (1.2 + (A[:, 1] - 2.5) ** 2)

    found = discover_mod.discover(X, truth(X), ["x1", "x2"], time_limit=40.0, oracle=truth)
    x1, x2 = sp.symbols("x1 x2", positive=True)
    assert found.best.exact
    assert "multiplicative" in found.structure
    assert not found.best.expression.has(sp.Float)     # constants snapped: 20/e, 149/20 ...
    expr = found.best.expression.xreplace({s: {"x1": x1, "x2": x2}[str(s)] for s in found.best.expression.free_symbols})
    ratio = sp.simplify(expr / (sp.exp(-(x1 - 1) ** 2) / (sp.Rational(6, 5) + (x2 - sp.Rational(5, 2)) ** 2)))
    assert not ratio.free_symbols
