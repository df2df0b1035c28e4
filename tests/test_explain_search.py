"""Expression-tree enumeration: distinct values kept once, sums of small trees found."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from nnfit.explain.search import enumerate_trees, tree_expr, tree_search


def test_trees_with_equal_values_are_kept_once():
    X = np.random.default_rng(0).uniform(0.5, 2, (60, 1))
    pool = enumerate_trees(X, time_limit=5.0, max_size=3)
    x = sp.Symbol("x", positive=True)
    exprs = [sp.simplify(tree_expr(pool, i, [x])) for i in range(pool.count)]
    # x*x and sq(x), x+x and 2*x ... appear once each
    assert len(exprs) == len(set(exprs))
    assert x**2 in exprs and 2 * x in exprs


def test_transcendental_functions_are_not_nested():
    X = np.random.default_rng(0).uniform(0.5, 2, (60, 1))
    pool = enumerate_trees(X, time_limit=5.0, max_size=4)
    x = sp.Symbol("x", positive=True)
    for i in range(pool.count):
        e = tree_expr(pool, i, [x])
        for f in e.atoms(sp.sin, sp.cos, sp.exp, sp.log):
            assert not f.args[0].has(sp.sin, sp.cos, sp.exp, sp.log)


@pytest.mark.slow
def test_nested_algebraic_argument_is_found_asinh():
    X = np.random.default_rng(1).uniform(0, 100, (1000, 1))
    y = np.log(X[:, 0] + np.sqrt(X[:, 0] ** 2 + 1))
    x = sp.Symbol("x1", positive=True)
    fits = tree_search(X[:700], y[:700], X[700:], y[700:], [x], time_limit=20.0)
    assert fits[0].val_rmse < 1e-10
    expr = fits[0].expression
    assert expr.has(sp.log) and any(p.exp == sp.Rational(1, 2) for p in expr.atoms(sp.Pow))
