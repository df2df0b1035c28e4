"""explain() on data: stages in order, the exact flag only at rounding error, honest labels on misses."""
from __future__ import annotations

import numpy as np
import sympy as sp

from nnfit.explain import api, discover as discover_mod, explain
from nnfit.explain.sparse import Candidate


def _cand(expr, val, complexity):
    return Candidate(expression=expr, train_rmse=val, val_rmse=val, complexity=complexity, n_terms=1, level=0,
                     source="test")


def test_exact_rational_stops_after_the_first_stage_and_sets_exact():
    X = np.random.default_rng(0).uniform(-1, 1, (400, 1))
    y = (X[:, 0] ** 5 - 3 * X[:, 0] ** 3 + 1) / (X[:, 0] ** 2 + 1)
    result = explain(X, y, input_names=["x"], network=False)
    x = sp.Symbol("x", real=True)
    assert result.exact and not result.is_approximation
    assert result.stages == ["rational forms"]
    assert sp.simplify(result.expression.xreplace({s: x for s in result.expression.free_symbols})
                       - (x**5 - 3 * x**3 + 1) / (x**2 + 1)) == 0


def test_noisy_data_is_never_called_exact():
    rng = np.random.default_rng(1)
    X = rng.uniform(0, 1, (300, 1))
    y = 2 * X[:, 0] + 1 + 1e-3 * rng.normal(size=300)
    result = explain(X, y, network=False, time_limit=4)
    assert not result.exact and result.is_approximation
    assert "approximation" in result.label


def test_choice_prefers_the_simplest_formula_within_the_factor_of_the_network():
    cands = [_cand(sp.Integer(1), 1.0, 1), _cand(sp.Symbol("x"), 2e-6, 3), _cand(sp.Symbol("x") + 1e-9, 1e-6, 9)]
    chosen = discover_mod.choose(cands, floor=1e-15, reference=1e-6, factor=3.0)
    assert chosen.complexity == 3           # 2e-6 is within 3x of the network's 1e-6; the constant is not


def test_formula_better_than_the_network_is_chosen_on_its_own_error():
    # a poor network (error 0.5) must not license the constant (error 1.0) as the answer
    cands = [_cand(sp.Integer(1), 1.0, 1), _cand(sp.Symbol("x"), 1e-3, 3)]
    assert discover_mod.choose(cands, floor=1e-15, reference=0.5, factor=3.0).complexity == 3


def test_no_formula_near_the_network_is_labelled_so(monkeypatch):
    # the "network" here is the true function (error 0): no formula of the searches reaches it in 6 s
    def perfect_network(seed):
        return lambda X, y, seconds: (lambda A: np.sin(A[:, 0] ** 2 * np.exp(A[:, 0])) + np.exp(np.cos(3 * A[:, 0])))
    monkeypatch.setattr(api, "_quick_network", perfect_network)
    X = np.random.default_rng(2).uniform(0, 2, (400, 1))
    y = np.sin(X[:, 0] ** 2 * np.exp(X[:, 0])) + np.exp(np.cos(3 * X[:, 0]))
    result = explain(X, y, time_limit=6)
    assert not result.exact and result.is_approximation
    assert result.network_rmse is not None and result.network_rmse < 1e-12
    assert "the network is the answer" in result.label
