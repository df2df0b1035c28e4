"""One nonlinear inner form (explain/inner.py), phase merging, the hard deadline, P/Q of square roots."""
from __future__ import annotations

import math
import time

import numpy as np
import sympy as sp

from nnfit.explain import discover, inner, rational


def _split(X, y):
    return discover.split(X, y, 0.3, 0)


def _floor(y):
    return discover.EXACT_FLOOR * float(np.sqrt(np.mean(y**2)))


def test_monomial_times_sine_with_a_frequency_of_two_pi():
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (400, 1))
    y = 0.3 * X[:, 0] * np.sin(2 * np.pi * X[:, 0])
    Xtr, ytr, Xva, yva = _split(X, y)
    x = sp.Symbol("x1", real=True)
    found = inner.inner_search(Xtr, ytr, Xva, yva, [x], 30.0, _floor(yva))
    assert found, "no formula of the inner form"
    best = found[0]
    assert best.has(sp.sin)
    err = discover._rmse(discover.evaluate(best, [x], Xva), yva)
    assert err <= _floor(yva)
    # the frequency itself is recovered, not made up by extra terms
    freqs = {float(a.args[0].as_coeff_Mul()[0]) for a in best.atoms(sp.sin)}
    assert any(abs(f - 2 * math.pi) < 1e-9 for f in freqs)


def test_square_root_of_a_linear_form_on_the_points_where_it_is_defined():
    rng = np.random.default_rng(2)
    X = rng.uniform(-10, 10, (4000, 2))
    u = 0.42 * X[:, 0] - 0.21 * X[:, 1] + 1
    X = X[u >= 0][:600]
    y = X[:, 0] ** 2 - X[:, 1] - 2.18 * np.sqrt(0.42 * X[:, 0] - 0.21 * X[:, 1] + 1)
    Xtr, ytr, Xva, yva = _split(X, y)
    syms = [sp.Symbol("x1", real=True), sp.Symbol("x2", real=True)]
    found = inner.inner_search(Xtr, ytr, Xva, yva, syms, 30.0, _floor(yva))
    assert found and found[0].has(sp.sqrt(sp.Wild("w")).func)
    assert discover._rmse(discover.evaluate(found[0], syms, Xva), yva) <= _floor(yva)


def test_merge_phases_writes_one_shifted_sine():
    x = sp.Symbol("x", real=True)
    u = x**3 - x
    expr = sp.Float(math.sqrt(3) / 2) * sp.sin(u) - sp.cos(u) / 2
    merged = inner.merge_phases(expr)
    assert merged
    grid = np.linspace(-2, 2, 50)
    want = np.sin(grid**3 - grid - np.pi / 6)
    simple = [m for m in merged if not m.has(sp.Float) or sp.pi in m.atoms(sp.NumberSymbol)]
    assert any(m.has(sp.pi) for m in merged), merged
    for m in merged:
        got = sp.lambdify([x], m, "numpy")(grid)
        assert np.allclose(got, want, atol=1e-12), m
    assert simple


def test_merge_phases_leaves_unrelated_coefficients_alone():
    x, y = sp.symbols("x y", real=True)
    # sin(x) and cos(x) with coefficients that are not proportional: no single phase
    assert inner.merge_phases(y * sp.sin(x) + sp.cos(x)) == []


def test_hard_deadline_stops_a_search_that_would_not_end():
    started = time.perf_counter()
    with discover.hard_deadline(0.3) as armed:
        while True:
            sum(range(1000))
    assert armed
    assert time.perf_counter() - started < 30.0   # it returned at all (the loop has no other exit)


def test_hard_deadline_keeps_an_outer_timer():
    import signal

    fired = []
    old = signal.signal(signal.SIGALRM, lambda *a: fired.append(1))
    signal.setitimer(signal.ITIMER_REAL, 5.0)
    try:
        with discover.hard_deadline(0.1) as armed:
            pass
        assert armed                           # the CPU timer is this search's own
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 0   # the outer wall timer still runs
        assert signal.getsignal(signal.SIGALRM) is not signal.SIG_DFL
        assert not fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_rational_of_square_roots_of_positive_inputs():
    rng = np.random.default_rng(3)
    X = np.column_stack([rng.uniform(-10, 10, 500), rng.uniform(0.01, 10, 500)])
    y = (20.08 * X[:, 1] ** 2 + 1) / (np.sqrt(X[:, 1]) + X[:, 1])
    Xtr, ytr, Xva, yva = _split(X, y)
    syms = discover.make_symbols(["x1", "x2"], X)
    fits = rational.rational_search(Xtr, ytr, Xva, yva, syms, time_limit=10)
    exact = [f for f in fits if f.exact]
    assert exact and exact[0].input_transform == "sqrt"
    assert exact[0].expression.has(sp.sqrt(syms[1]))
