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
# Rows given to the read-back: an exact formula is exact on any few hundred rows, and the read-back's
# cost grows with the rows (the held-out check below uses all validation rows).
READ_BACK_ROWS = 800


def find(X_train: np.ndarray, y_train: np.ndarray, X_val: np.ndarray, y_val: np.ndarray, names: list[str],
         time_limit: float, seed: int, wall_limit: float | None = None) -> dict[str, Any] | None:
    """The read-back formula if it reproduces the validation rows to round-off, else None.

    time_limit: the read-back's own budget, in CPU seconds (nnfit.explain.budget); wall_limit: the
    wall-clock seconds after which it is stopped (default: time_limit)."""
    found = _read_back(X_train, y_train, names, time_limit, seed, time_limit if wall_limit is None else wall_limit)
    if found is None:
        return None
    text, evaluable = found
    try:
        predicted = evaluate(evaluable, X_val)
    except Exception:
        return None
    error = float(np.sqrt(np.mean((predicted - y_val) ** 2)))
    level = float(np.sqrt(np.mean(y_val**2)))
    if not (math.isfinite(error) and error <= EXACT_RELATIVE_RMSE * level):
        return None
    return {"expression": text, "evaluable": evaluable, "validation_rmse": error, "validation_relative_rmse": error / level if level else 0.0}


def _read_back(X: np.ndarray, y: np.ndarray, names: list[str], time_limit: float, seed: int,
               wall_limit: float) -> tuple[str, str] | None:
    """The read-back's formula, as shown and as evaluated (None: only an approximation, a failure, or
    out of time).

    The read-back counts its budget in CPU seconds, so on a busy machine it takes longer in wall
    time to do the same work. It runs in a forked child that is stopped at wall_limit: its own
    limit is a target, not a bound (it ran 26-42 s with a 4-9 s limit on a busy machine), and the
    network's time must not go to it. Where fork is unavailable it runs inline.
    """
    import multiprocessing

    try:
        from nnfit.explain import explain  # noqa: F401  imported here, so the forked child has it already
    except Exception:  # the read-back is an extra: if it cannot even be imported, the network alone it is
        return None
    rows = np.random.default_rng(seed).permutation(len(X))[:READ_BACK_ROWS]
    X, y = X[rows], y[rows]
    if "fork" not in multiprocessing.get_all_start_methods():
        return _read_back_inline(X, y, names, time_limit, seed)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_read_back_child, args=(send, X, y, names, time_limit, seed), daemon=True)
    child.start()
    send.close()
    text = receive.recv() if receive.poll(wall_limit) else None
    if child.is_alive():
        child.kill()
    child.join()
    receive.close()
    return text


def _read_back_child(send: Any, X: np.ndarray, y: np.ndarray, names: list[str], time_limit: float, seed: int) -> None:
    try:
        found = _read_back_inline(X, y, names, time_limit, seed)
    except BaseException:
        found = None
    try:
        send.send(found)
    finally:
        send.close()


def _read_back_inline(X: np.ndarray, y: np.ndarray, names: list[str], time_limit: float, seed: int
                      ) -> tuple[str, str] | None:
    try:
        from nnfit.explain import explain

        explanation = explain(X, y, input_names=names, time_limit=time_limit, seed=seed)
    except Exception:  # the read-back is an extra: any failure there leaves the network alone
        return None
    if explanation.is_approximation:
        return None
    expr = explanation.expression
    # Inputs become placeholders before the formula is written out: a column named E, e or pi would
    # otherwise read back as a constant (q*E as q times Euler's number).
    import sympy as sp

    placeholders = {symbol: sp.Symbol(placeholder(names.index(symbol.name)))
                    for symbol in expr.free_symbols if symbol.name in names}
    if len(placeholders) != len(expr.free_symbols):
        return None
    return str(expr), str(expr.xreplace(placeholders))


def placeholder(j: int) -> str:
    return f"nnfit_input{j}"


_COMPILED: dict[tuple[str, int], Any] = {}


def evaluate(evaluable: str, X: np.ndarray) -> np.ndarray:
    """Evaluate a carried formula (inputs as placeholders; parsed safely, as any formula nnfit reads)."""
    import sympy as sp

    from nnfit.targets import parse_formula

    key = (evaluable, X.shape[1])
    if key not in _COMPILED:
        expr = parse_formula(evaluable)
        symbols = [sp.Symbol(placeholder(j), real=True) for j in range(X.shape[1])]
        _COMPILED[key] = sp.lambdify(symbols, expr, modules=["scipy", "numpy"])  # scipy: gamma, erf on arrays
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
                Y[:, k] = evaluate(carried["evaluable"], X)
    if summary.get("rounds_to_integers"):
        Y = np.round(Y)
    return Y
