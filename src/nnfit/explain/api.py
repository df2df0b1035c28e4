"""explain(): read a formula back from a fitted model, a network, or data.

    >>> explanation = explain(X, y)                 # data: sparse read-back
    >>> explanation = explain(model)                # NNFitRegressor: exact if polynomial, else sparse
    >>> explanation = explain(keras_model, X=X, y=y)  # Keras / torch network; exact when it can be
    >>> print(explanation.expression, explanation.formula_rmse, explanation.network_rmse)

The formula is always checked on held-out points: its RMSE against the data is reported beside the
network's, and a formula worse than the network is labelled an approximation.
"""
from __future__ import annotations

import dataclasses
import math
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from nnfit.errors import DataError, NNFitError
from nnfit.explain import exact as exact_mod
from nnfit.explain import sparse as sparse_mod
from nnfit.metrics import rmse as _rmse


@dataclasses.dataclass
class Explanation:
    expression: sp.Expr
    method: str                          # "exact" (expanded from the weights) or "sparse" (library search)
    label: str                           # one line for people: "exact", "approximation", ...
    is_approximation: bool
    formula_rmse: float | None           # held-out RMSE against `reference`
    network_rmse: float | None           # the network's held-out RMSE against the same points (None: no network)
    reference: str                       # "data" or "network predictions"
    n_heldout: int
    input_names: list[str]
    target_name: str = "y"
    candidates: list[dict[str, Any]] = dataclasses.field(default_factory=list)   # Pareto table rows
    seconds: float = 0.0
    note: str = ""
    max_coefficient_change: float | None = None   # sparse: largest |polished - snapped| constant
    fitted_to: str = ""                  # sparse: what the candidates were fitted and validated against
    exact: bool = False                  # held-out error at rounding level (data), or expanded from the weights
    stages: list[str] = dataclasses.field(default_factory=list)   # the searches that ran, in order
    # a fitted NNFitRegressor that predicts with an exact formula: {target name: that formula}
    carried_formulas: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def symbols(self) -> list[sp.Symbol]:
        by_name = {str(s): s for s in self.expression.free_symbols}
        return [by_name.get(n, sp.Symbol(n, real=True)) for n in self.input_names]

    def predict(self, X: Any) -> np.ndarray:
        """Evaluate the formula on rows of X (columns in input_names order)."""
        X = np.asarray(X, dtype=float).reshape(len(X), -1)
        fn = sp.lambdify(self.symbols, self.expression, modules="numpy")
        with np.errstate(all="ignore"):
            return np.asarray(fn(*X.T), dtype=float) * np.ones(len(X))

    def text(self) -> str:
        lines = [f"{name} = {formula}  (exact: the formula this model predicts with)"
                 for name, formula in self.carried_formulas.items()]
        lines.append(f"{self.target_name} = {self.expression}")
        lines.append(f"  {self.method}: {self.label}")
        if self.formula_rmse is not None:
            check = f"  held-out RMSE on {self.n_heldout} points vs {self.reference}: formula {self.formula_rmse:.3g}"
            if self.network_rmse is not None:
                check += f", network {self.network_rmse:.3g}"
            lines.append(check)
        if self.note:
            lines.append(f"  note: {self.note}")
        return "\n".join(lines)

    __str__ = text

    def _repr_html_(self) -> str:
        """Notebook display: the formula, its checks and candidates (every value escaped)."""
        from nnfit.report.html import formula_section, notebook_html

        return notebook_html("nnfit explanation", [formula_section(self)], subtitle=self.note)

    def to_dict(self) -> dict[str, Any]:
        return {
            "formula": str(self.expression), "latex": sp.latex(self.expression), "method": self.method,
            "label": self.label, "is_approximation": self.is_approximation, "formula_rmse": self.formula_rmse,
            "network_rmse": self.network_rmse, "reference": self.reference, "n_heldout": self.n_heldout,
            "input_names": self.input_names, "target_name": self.target_name, "candidates": self.candidates,
            "seconds": self.seconds, "note": self.note, "fitted_to": self.fitted_to,
            "max_coefficient_change": self.max_coefficient_change, "exact": self.exact, "stages": self.stages,
            **({"carried_formulas": self.carried_formulas} if self.carried_formulas else {}),
        }


# ----------------------------------------------------------------------------------------------
# helpers


def _is_fitted_nnfit(obj: Any) -> bool:
    return hasattr(obj, "network_") and hasattr(obj, "predict")


def _is_network(obj: Any) -> bool:
    if exact_mod._is_keras(obj):
        return True
    try:
        from torch import nn

        if isinstance(obj, nn.Module):
            return True
    except ImportError:  # pragma: no cover
        pass
    if hasattr(obj, "layers") and hasattr(obj, "get_weights"):
        return True
    return isinstance(obj, (list, tuple)) and len(obj) >= 2 and all(hasattr(w, "shape") for w in obj)


def _load_path(path: Path, target: str | None) -> tuple[str, Any]:
    if not path.exists():
        raise NNFitError(f"no such file: {path}")
    if path.suffix.lower() == ".nnfit":
        try:
            from nnfit.fit import NNFitRegressor
        except ImportError as exc:  # pragma: no cover - until the fit engine lands
            raise NNFitError(f"cannot load {path}: the fit engine is not available ({exc})") from None
        return "model", NNFitRegressor.load(path)
    from nnfit.targets import read_table

    return "data", read_table(path, target)


def _network_predict(network: Any, X: np.ndarray) -> np.ndarray:
    if exact_mod._is_keras(network):
        return np.asarray(network.predict(X, verbose=0), dtype=float).reshape(len(X), -1)[:, 0]
    try:
        import torch
        from torch import nn

        if isinstance(network, nn.Module):
            dtype = next(network.parameters()).dtype
            with torch.no_grad():
                return network(torch.as_tensor(X, dtype=dtype)).detach().cpu().double().numpy().reshape(len(X), -1)[:, 0]
    except ImportError:  # pragma: no cover
        pass
    if hasattr(network, "predict") and hasattr(network, "layers"):
        return np.asarray(network.predict(X, verbose=0), dtype=float).reshape(len(X), -1)[:, 0]
    raise NNFitError("give X to evaluate this network")


def _model_transforms(model: Any) -> tuple[Any, Any]:
    """The fitted input/output transforms of an NNFitRegressor, whatever the attribute is called."""
    x_t = y_t = None
    for name in ("x_transform_", "input_transform_", "x_scaler_", "transform_x_"):
        x_t = x_t or getattr(model, name, None)
    for name in ("y_transform_", "output_transform_", "y_scaler_", "transform_y_"):
        y_t = y_t or getattr(model, name, None)
    return x_t, y_t


def _exact_for_nnfit(model: Any, names: list[str]) -> sp.Expr:
    """Expand network_ and compose it with the model's scalers (log1p/expm1 kept symbolic)."""
    network = model.network_
    stages = getattr(network, "stages", None)
    activation = getattr(model, "activation", None)
    if isinstance(activation, str) and exact_mod.activation_polynomial(activation) is None:
        raise exact_mod.NotPolynomialError(f"the model's activation {activation!r} is not a polynomial: no exact formula")
    if stages:  # a multi-stage fit: the sum of scale * stage network
        parts = [(exact_mod.ops_from_torch(st.net), float(st.scale)) for st in stages]
    else:
        parts = [(exact_mod.ops_from_torch(network), 1.0)]
    x_t, y_t = _model_transforms(model)
    symbols = [sp.Symbol(n, real=True) for n in names]
    inner = list(symbols)
    if x_t is not None:
        logs = list(getattr(x_t, "log_columns", [False] * len(names)))
        inner = [sp.Symbol(f"_u{j}", real=True) if is_log else s for j, (s, is_log) in enumerate(zip(symbols, logs))]
    total = None
    for ops, scale in parts:
        if x_t is not None:
            ops = exact_mod.compose_affine_io(ops, x_t.mean, x_t.scale)
        poly = exact_mod.expand(ops, inner)[0] * sp.Rational(scale)
        total = poly if total is None else total + poly
    if y_t is not None:
        total = total * sp.Rational(float(np.asarray(y_t.scale, float).reshape(-1)[0])) \
            + sp.Rational(float(np.asarray(y_t.mean, float).reshape(-1)[0]))
    expr = exact_mod.poly_to_expr(total)
    if x_t is not None:
        offsets = x_t.offsets() if hasattr(x_t, "offsets") else [1.0] * len(symbols)
        expr = expr.xreplace({u: sp.log(sp.Rational(offset) + s) for u, s, offset in zip(inner, symbols, offsets)
                              if u is not s})
    if y_t is not None and any(getattr(y_t, "log_columns", [False])):
        expr = sp.exp(expr) - 1
    return expr


def _sample_model_inputs(model: Any, n: int, rng: np.random.Generator) -> np.ndarray | None:
    """Inputs on the model's own domain: stored domains or training ranges, else the scaler's range."""
    for name in ("domains_", "domain_"):
        domains = getattr(model, name, None)
        if isinstance(domains, dict) and domains:
            cols = []
            names = list(getattr(model, "input_names_", None) or domains)
            for key in names:
                d = domains.get(key)
                if d is None:
                    break
                low, high, integer = ((d.low, d.high, d.integer) if hasattr(d, "low")
                                      else (d[0], d[1], bool(d[2]) if len(d) > 2 else False))
                if integer:  # numpy's convention, as nnfit samples integer domains: high excluded
                    cols.append(rng.integers(math.ceil(low), math.ceil(high), n).astype(float))
                else:
                    cols.append(rng.uniform(float(low), float(high), n))
            if len(cols) == len(names):
                return np.column_stack(cols)
    for name in ("input_ranges_", "x_range_", "feature_ranges_"):
        ranges = getattr(model, name, None)
        if ranges is not None:
            ranges = np.asarray(ranges, dtype=float).reshape(-1, 2)
            return np.column_stack([rng.uniform(lo, hi, n) for lo, hi in ranges])
    for name in ("X_train_", "X_"):
        X = getattr(model, name, None)
        if X is not None:
            X = np.asarray(X, dtype=float)
            return np.column_stack([rng.uniform(c.min(), c.max(), n) for c in X.T])
    x_t, _ = _model_transforms(model)
    if x_t is not None and hasattr(x_t, "mean") and hasattr(x_t, "scale"):
        logs = list(getattr(x_t, "log_columns", [False] * len(np.atleast_1d(x_t.mean))))
        offsets = x_t.offsets() if hasattr(x_t, "offsets") else [1.0] * len(logs)
        model.__dict__.setdefault("_explain_note", "the model records no input domain: points drawn uniformly "
                                  "over the training mean +- sqrt(3) std of each input (of its log, where the "
                                  "model takes one); ")
        mean, scale = np.asarray(x_t.mean, float), np.asarray(x_t.scale, float)
        half = math.sqrt(3.0) * scale  # a uniform input's range from its mean and standard deviation
        columns = []
        for m, h, is_log, offset in zip(mean, half, logs, offsets):
            u = rng.uniform(m - h, m + h, n)
            columns.append(np.maximum(np.exp(u) - offset, 0.0) if is_log else u)  # back to raw units
        return np.column_stack(columns)
    return None


def _split(n: int, fraction: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(n)
    k = max(3, int(round(fraction * n)))
    return order[k:], order[:k]


# ----------------------------------------------------------------------------------------------
# the entry point


def explain(model_or_data: Any, y: Any = None, *, X: Any = None, target: str | None = None,
            input_names: Sequence[str] | None = None, method: str = "auto", fit_to: str = "auto",
            activations: Any = None, seed: int = 0, n_samples: int = 1500, val_fraction: float = 0.3,
            max_terms: int = 6, max_level: int = 2, time_limit: float = 60.0,
            progress: Any = None, network: bool = True) -> Explanation:
    """Read a formula back and check it on held-out points.

    model_or_data: a fitted NNFitRegressor, a path (`model.nnfit`, `data.csv`), a torch nn.Sequential,
        a Keras model, Keras-layout weight arrays [W1, b1, W2, b2, ...] (with `activations`), or an
        array / DataFrame of inputs (then `y` is the target; a DataFrame may name it with `target`).
    method: "exact" (expand the weights; the network must have polynomial activations), "sparse"
        (library search), or "auto" (exact when possible, else sparse).
    fit_to: for the sparse path with a network, fit the formula to the network's predictions
        ("network", what "auto" does: the formula is read from the fit) or to the data ("data").
        Either way the check is on held-out points against the data when there are data
        (given y, or the target formula a fit_function model remembers), else against the network.
    time_limit: the search budget in CPU seconds of this process (explain/budget.py), so that the answer
        does not depend on the machine's load; a bound in the main thread (the search stops there with
        the best formula so far, or at 10x the budget on the wall clock). `seconds` reports wall time.
    """
    start = time.perf_counter()
    if method not in ("auto", "exact", "sparse"):
        raise NNFitError(f"unknown method {method!r}: use auto, exact or sparse")
    if fit_to not in ("auto", "data", "network"):
        raise NNFitError(f"unknown fit_to {fit_to!r}: use auto, data or network")
    rng = np.random.default_rng(seed)
    obj = model_or_data
    if isinstance(obj, (str, os.PathLike)):
        kind, obj = _load_path(Path(obj), target)
    from nnfit.targets import Target

    if isinstance(obj, Target):
        if obj.X is not None:
            X_data, Y_data = obj.X, obj.Y
        else:
            X_data, Y_data = obj.sample(n_samples, rng)
        names = list(input_names or obj.input_names)
        return _explain_data(X_data, Y_data[:, 0], names, obj.output_names[0], seed, val_fraction, max_terms,
                             max_level, time_limit, start, progress, network)
    if _is_fitted_nnfit(obj):
        result = _explain_model(obj, X, y, input_names, method, fit_to, seed, n_samples, val_fraction,
                                max_terms, max_level, time_limit, start)
        result.carried_formulas = carried_formulas(obj)
        return result
    if _is_network(obj):
        return _explain_network(obj, X, y, input_names, activations, method, fit_to, seed, val_fraction,
                                max_terms, max_level, time_limit, start)
    # plain data
    target_name = "y"
    if y is None:
        if target is not None and hasattr(obj, "columns"):
            from nnfit.targets import frame_target

            t = frame_target(obj, target)
            return _explain_data(t.X, t.Y[:, 0], list(input_names or t.input_names), t.output_names[0], seed,
                                 val_fraction, max_terms, max_level, time_limit, start, progress, network)
        raise NNFitError("explain(X, y): give the target values y (or target='column' with a DataFrame)")
    names = input_names
    if names is None and hasattr(obj, "columns"):
        names = [str(c) for c in obj.columns]
    if hasattr(y, "name") and isinstance(getattr(y, "name"), str):
        target_name = y.name
    from nnfit.targets import validate_xy

    X_arr, Y_arr = validate_xy(obj, y)
    if Y_arr.shape[1] != 1:
        raise DataError(f"explain reads one output at a time; y has {Y_arr.shape[1]} columns")
    names = list(names) if names is not None else _default_names(X_arr.shape[1])
    return _explain_data(X_arr, Y_arr[:, 0], names, target_name, seed, val_fraction, max_terms, max_level,
                         time_limit, start, progress, network)


def carried_formulas(model: Any) -> dict[str, str]:
    """{target name: formula} for a fitted NNFitRegressor that predicts with an exact formula; {} otherwise."""
    formulas = (getattr(model, "summary_", None) or {}).get("formulas") or []
    names = list(getattr(model, "target_names_", None) or [])
    return {str(name): str(f["expression"]) for name, f in zip(names, formulas)
            if isinstance(f, dict) and isinstance(f.get("expression"), str)}


def _default_names(n: int) -> list[str]:
    return ["x"] if n == 1 else [f"x{i}" for i in range(n)]


def _quick_network(seed: int):
    """A fast NNFitRegressor fit, as oracle and reference error for a data read-back."""
    def fit(X: np.ndarray, y: np.ndarray, seconds: float):
        from nnfit.fit import NNFitRegressor

        import inspect

        options = {"max_seconds": seconds, "random_state": seed}
        if "exact_formula" in inspect.signature(NNFitRegressor).parameters:
            options["exact_formula"] = False   # the network is the oracle here: no read-back inside it
        model = NNFitRegressor(**options).fit(X, y)
        return lambda A: np.asarray(model.predict(A), dtype=float).reshape(len(A), -1)[:, 0]
    return fit


def _explain_data(X: np.ndarray, y: np.ndarray, names: list[str], target_name: str, seed: int,
                  val_fraction: float, max_terms: int, max_level: int, time_limit: float, start: float,
                  progress: Any = None, network: bool = True) -> Explanation:
    from nnfit.explain import discover as discover_mod

    X = np.asarray(X, dtype=float).reshape(len(X), -1)
    y = np.asarray(y, dtype=float).reshape(-1)
    _check_names(names, X.shape[1])
    if len(X) != len(y):
        raise DataError(f"X has {len(X)} rows but y has {len(y)}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise DataError("X and y must be finite to read a formula back")
    if len(X) < 10:
        raise DataError(f"only {len(X)} rows: at least 10 are needed to fit and validate a formula")
    # the budget is the search's, in CPU seconds from here (discover's clock): the wall time spent so
    # far (imports, reading the data; long on a busy machine) is not taken from it
    left = max(1.0, time_limit)
    found = discover_mod.discover(X, y, names, seed=seed, val_fraction=val_fraction, time_limit=left,
                                  progress=progress, max_terms=max_terms, max_level=max_level,
                                  fit_oracle=_quick_network(seed) if network else None)
    best = found.best
    # the search declares positive inputs positive (sqrt(x**2) -> x); the answer uses plain real symbols,
    # as every other path of explain() does
    real = {s: sp.Symbol(str(s), real=True) for s in best.expression.free_symbols}
    expression = best.expression.xreplace(real)
    floor = discover_mod.EXACT_FLOOR * found.target_scale
    exact = best.val_rmse <= floor
    net = found.network_rmse
    factor = discover_mod.APPROXIMATION_FACTOR
    if exact:
        label = "exact: fits the held-out data to rounding error"
    elif net is not None and best.val_rmse <= factor * net:
        label = f"approximation: held-out RMSE {best.val_rmse:.3g}, network {net:.3g}"
    elif net is not None:
        label = (f"no formula within {factor:g}x of the network (network {net:.3g}, closest formula "
                 f"{best.val_rmse:.3g}): the network is the answer; the formula is shown for reference only")
    else:
        label = "approximation (does not fit the data exactly)"
    note = "; ".join(x for x in (found.structure, found.network_note) if x)
    return Explanation(expression, "search", label, not exact, best.val_rmse, net, "data", found.n_val,
                       names, target_name, found.table(), time.perf_counter() - start, note=note,
                       max_coefficient_change=best.snap_shift, fitted_to="data", exact=exact, stages=found.stages)


def _check_names(names: Sequence[str], n: int) -> None:
    if len(names) != n:
        raise NNFitError(f"{n} input columns but {len(names)} input names")
    for name in names:
        if not str(name).isidentifier():
            raise NNFitError(f"input name {name!r} cannot be a formula symbol: use letters, digits and _")


def _heldout_check(expr: sp.Expr, names: list[str], X: np.ndarray, reference: np.ndarray,
                   network_pred: np.ndarray | None) -> tuple[float, float | None]:
    symbols = [sp.Symbol(n, real=True) for n in names]
    expr = expr.xreplace({s: sp.Symbol(str(s), real=True) for s in expr.free_symbols})
    fn = sp.lambdify(symbols, expr, modules="numpy")
    with np.errstate(all="ignore"):
        pred = np.asarray(fn(*X.T), dtype=float) * np.ones(len(X))
    return _rmse(pred, reference), (None if network_pred is None else _rmse(network_pred, reference))


def _finish_network(expr_exact: sp.Expr | None, predict: Any, X: np.ndarray | None, y: np.ndarray | None,
                    names: list[str], target_name: str, fit_to: str, seed: int, val_fraction: float,
                    max_terms: int, max_level: int, time_limit: float, start: float, note: str,
                    noise_floor: float = 0.0) -> Explanation:
    rng = np.random.default_rng(seed)
    if expr_exact is not None:
        if X is None:
            return Explanation(expr_exact, "exact", "expanded from the weights", False, None, None, "none", 0,
                               names, target_name, [], time.perf_counter() - start,
                               note=note or "no points given: the held-out check needs X (and y)", exact=True)
        net = predict(X)
        reference, ref_name = (y, "data") if y is not None else (net, "network predictions")
        f_rmse, n_rmse = _heldout_check(expr_exact, names, X, reference, net if y is not None else None)
        return Explanation(expr_exact, "exact", "expanded from the weights", False, f_rmse, n_rmse, ref_name,
                           len(X), names, target_name, [], time.perf_counter() - start, note=note, exact=True)
    if X is None:
        raise NNFitError("this network is not a polynomial: give X (and y) so that a formula can be fitted to it")
    train, held = _split(len(X), val_fraction, rng)
    net = predict(X)
    use_data = y is not None and fit_to == "data"
    target_values = y if use_data else net
    # fitted to the network (or the data) on the training points; validated -- candidates chosen and
    # constants snapped -- against the data on the held-out points when there are data
    reference = y[held] if y is not None else net[held]
    result = sparse_mod.sparse_fit(X[train], target_values[train], names, X_val=X[held], y_val=reference,
                                   seed=seed, max_terms=max_terms, max_level=max_level, time_limit=time_limit,
                                   noise_floor=noise_floor if y is None else 0.0)
    scale = float(np.sqrt(np.mean(reference**2))) or 1.0
    if y is not None:
        f_rmse, n_rmse = _heldout_check(result.best.expression, names, X[held], reference, net[held])
        worse = f_rmse > n_rmse * (1 + 1e-9) + sparse_mod.ROUNDING_FLOOR * scale
        label = ("approximation (worse than the network on held-out points)" if worse
                 else "at least as accurate as the network")
    else:  # no data: the network is the reference; the question is whether the formula reproduces it
        f_rmse, n_rmse = _heldout_check(result.best.expression, names, X[held], reference, None)
        worse = f_rmse > max(noise_floor, sparse_mod.EXACT_FLOOR * scale)
        label = ("approximation (differs from the network on held-out points)" if worse
                 else "reproduces the network to its accuracy")
    return Explanation(result.best.expression, "sparse", label, worse, f_rmse, n_rmse,
                       "data" if y is not None else "network predictions", len(held), names, target_name,
                       result.table(), time.perf_counter() - start,
                       note=note + (f"fitted to the {'data' if use_data else 'network predictions'}"),
                       max_coefficient_change=result.best.snap_shift,
                       fitted_to="data" if use_data else "network predictions",
                       exact=bool(y is not None and f_rmse <= sparse_mod.EXACT_FLOOR * scale))


def _explain_network(network: Any, X: Any, y: Any, input_names: Sequence[str] | None, activations: Any, method: str,
                     fit_to: str, seed: int, val_fraction: float, max_terms: int, max_level: int, time_limit: float,
                     start: float) -> Explanation:
    ops = None
    note = ""
    if method in ("auto", "exact"):
        try:
            ops = exact_mod.network_ops(network, activations)
        except exact_mod.NotPolynomialError as exc:
            if method == "exact":
                raise
            note = f"{exc}; "
            note = note.split(": no exact formula")[0] + ": sparse read-back instead; "
    n_in = exact_mod._n_inputs(ops) if ops else None
    X_arr = None if X is None else np.asarray(X, dtype=float)
    if X_arr is not None:
        X_arr = X_arr.reshape(len(X_arr), -1)
        n_in = X_arr.shape[1]
    if n_in is None:
        raise NNFitError("give X: the number of inputs is unknown")
    names = list(input_names) if input_names is not None else _default_names(n_in)
    _check_names(names, n_in)
    expr = None
    if ops is not None and method != "sparse":
        symbols = [sp.Symbol(n, real=True) for n in names]
        expr = exact_mod.poly_to_expr(exact_mod.expand(ops, symbols)[0])

    def predict(A: np.ndarray) -> np.ndarray:
        if isinstance(network, (list, tuple)):
            if ops is None:
                raise NNFitError("these weight arrays cannot be evaluated with a non-polynomial activation")
            return _eval_ops(ops, A)
        return _network_predict(network, A)

    y_arr = None if y is None else np.asarray(y, dtype=float).reshape(-1)
    return _finish_network(expr, predict, X_arr, y_arr, names, "y", fit_to, seed, val_fraction, max_terms,
                           max_level, time_limit, start, note)


def _eval_ops(ops: list[Any], X: np.ndarray) -> np.ndarray:
    h = X
    for op in ops:
        if isinstance(op, exact_mod.Affine):
            h = h @ op.weight + op.bias
        else:
            h = np.polynomial.polynomial.polyval(h, [float(c) for c in op.coefficients])
    return h[:, 0]


def _explain_model(model: Any, X: Any, y: Any, input_names: Sequence[str] | None, method: str, fit_to: str,
                   seed: int, n_samples: int, val_fraction: float, max_terms: int, max_level: int,
                   time_limit: float, start: float) -> Explanation:
    names = list(input_names or getattr(model, "input_names_", None) or [])
    target_names = list(getattr(model, "target_names_", None) or ["y"])
    rng = np.random.default_rng(seed)
    X_arr = None if X is None else np.asarray(X, dtype=float).reshape(len(X), -1)
    if X_arr is None:
        X_arr = _sample_model_inputs(model, n_samples, rng)
        sample_note = model.__dict__.pop("_explain_note", "")
    else:
        sample_note = ""
    if not names:
        n_in = X_arr.shape[1] if X_arr is not None else model.network_[0].in_features
        names = _default_names(n_in)
    names = [n if str(n).isidentifier() else f"x{i}" for i, n in enumerate(names)]
    expr, note = None, ""
    if method in ("auto", "exact"):
        try:
            expr = _exact_for_nnfit(model, names)
        except exact_mod.NotPolynomialError as exc:
            if method == "exact":
                raise
            note = str(exc).split(": no exact formula")[0] + ": sparse read-back instead; "
    y_arr = None if y is None else np.asarray(y, dtype=float).reshape(-1)
    if y_arr is None and X is None:
        y_arr = _model_reference(model, X_arr)

    def predict(A: np.ndarray) -> np.ndarray:
        return np.asarray(model.predict(A), dtype=float).reshape(len(A), -1)[:, 0]

    if X_arr is None:
        raise NNFitError("the model does not record its input domain: give X to explain it")
    note = sample_note + note
    metrics = getattr(model, "metrics_", None) or {}
    floor = float(metrics.get("rmse", 0.0) or 0.0)  # with no data: agreeing with the network to its own accuracy
    return _finish_network(expr, predict, X_arr, y_arr, names, target_names[0], fit_to, seed, val_fraction,
                           max_terms, max_level, time_limit, start, note, noise_floor=floor)


def _model_reference(model: Any, X: np.ndarray | None) -> np.ndarray | None:
    """True target values at X when the model remembers its target function (fit_function)."""
    if X is None:
        return None
    text = getattr(model, "target_expression_", None)
    if isinstance(text, str) and text:
        try:
            from nnfit.targets import parse_formula  # safe parse: nothing in the string is evaluated

            names = list(getattr(model, "input_names_", []))
            expr = parse_formula(text, variables=names)  # the inputs' names are variables (E, gamma, lambda)
            symbols = {str(sym): sym for sym in expr.free_symbols}
            if set(symbols) <= set(names):
                fn = sp.lambdify([symbols.get(n, sp.Symbol(n)) for n in names], expr, modules="numpy")
                with np.errstate(all="ignore"):
                    values = np.asarray(fn(*X.T), dtype=float) * np.ones(len(X))
                if np.all(np.isfinite(values)):
                    return values
        except NNFitError:
            pass
    for name in ("target_", "target_function_"):
        target = getattr(model, name, None)
        if target is None:
            continue
        try:
            if hasattr(target, "evaluate"):
                return np.asarray(target.evaluate(X), dtype=float)[:, 0]
            if callable(target):
                return np.asarray(target(X), dtype=float).reshape(-1)
        except Exception:  # noqa: BLE001 - a target that cannot be re-evaluated: check against the network
            return None
    return None
