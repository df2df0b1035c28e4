"""Exact answers where they exist: a read-back formula at round-off level, and integer rounding.

After the network is fitted, the formula read-back (nnfit.explain) looks for a closed form on the
training rows. When the formula's error on the validation rows (which the read-back never saw) is
at floating-point round-off level, the model carries it: `predict` evaluates the formula, the
network stays beside it (and in the saved file), and `summary_["formula"]` says so. Separately,
when every input and target of the training table is an integer and the rounded predictions hit
every validation target exactly, predictions are rounded (a·b on an integer grid is then exact).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

# A formula is carried when its validation RMSE is at most this fraction of the target's RMS value.
# Evaluating the DSO formulas in float64 gives about 1e-16..1e-14 of the RMS value; a formula whose
# constant is wrong in its 11th significant digit gives about 1e-11: that is no longer round-off.
EXACT_RELATIVE_RMSE = 1e-11


def find(X_train: np.ndarray, y_train: np.ndarray, X_val: np.ndarray, y_val: np.ndarray, names: list[str],
         time_limit: float, seed: int) -> dict[str, Any] | None:
    """The read-back formula if it reproduces the validation rows to round-off, else None."""
    from nnfit.explain import explain

    try:
        explanation = explain(X_train, y_train, input_names=names, time_limit=time_limit, seed=seed)
    except Exception:  # the read-back is an extra: any failure there leaves the network alone
        return None
    if explanation.is_approximation:
        return None
    text = str(explanation.expression)
    try:
        predicted = evaluate(text, names, X_val)
    except Exception:
        return None
    error = float(np.sqrt(np.mean((predicted - y_val) ** 2)))
    level = float(np.sqrt(np.mean(y_val**2)))
    if not (math.isfinite(error) and error <= EXACT_RELATIVE_RMSE * level):
        return None
    return {"expression": text, "validation_rmse": error, "validation_relative_rmse": error / level if level else 0.0}


_COMPILED: dict[tuple[str, tuple[str, ...]], Any] = {}


def evaluate(text: str, names: list[str], X: np.ndarray) -> np.ndarray:
    """Evaluate a carried formula (parsed safely, as any formula nnfit reads) on rows of X."""
    import sympy as sp

    from nnfit.targets import parse_formula

    key = (text, tuple(names))
    if key not in _COMPILED:
        expr = parse_formula(text)
        symbols = [sp.Symbol(n, real=True) for n in names]
        _COMPILED[key] = sp.lambdify(symbols, expr, modules="numpy")
    with np.errstate(all="ignore"):
        value = _COMPILED[key](*[X[:, j] for j in range(X.shape[1])])
    return np.broadcast_to(np.asarray(value, dtype=float), (len(X),)).copy()


def integer_table(X: np.ndarray, Y: np.ndarray) -> bool:
    """Every input and target value is an integer (within float64's exact range)."""
    return bool(np.all(np.abs(X) < 2**53) and np.all(X == np.round(X))
                and np.all(np.abs(Y) < 2**53) and np.all(Y == np.round(Y)))


def apply(model: Any, X: np.ndarray, Y_network: np.ndarray) -> np.ndarray:
    """The model's predictions: carried formulas where there are some, rounded where that was validated."""
    summary = getattr(model, "summary_", {}) or {}
    formulas = summary.get("formulas") or []
    Y = Y_network
    if any(formulas):
        Y = Y_network.copy()
        for k, carried in enumerate(formulas):
            if carried:
                Y[:, k] = evaluate(carried["expression"], list(model.input_names_), X)
    if summary.get("rounds_to_integers"):
        Y = np.round(Y)
    return Y
