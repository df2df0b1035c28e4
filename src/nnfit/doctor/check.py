"""Checks for hand-written networks: gradients against finite differences, steps against -gradient.

    report = nnfit.check_gradients(loss_fn, params, grads)   # loss_fn(params) -> float
    print(report)              # one line per array: relative error, worst entries, a hint
    report.ok, report.wrong    # bool, names of the wrong arrays

    step = nnfit.check_step(params_before, params_after, grads, lr=0.01)
    print(step)                # cosine between each array's step and -gradient (1 = gradient descent)

`params` / `grads` are dicts name -> array (lists/tuples are named param0, param1, ...). Everything
is computed in float64; `loss_fn` receives perturbed float64 copies and must compute the loss from
them (not from arrays it captured earlier).
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from nnfit.errors import NNFitError

# Relative error (norm-wise) above which an analytic gradient is reported wrong. Correct float64
# gradients agree with central differences (h = 1e-6) to ~1e-9 on the examples; see wrong_gradient.py.
GRAD_TOLERANCE = 1e-4
# A step whose cosine with -gradient is below this is not gradient descent (wrong_update_rule.py).
STEP_MIN_COSINE = 0.5


def _named(arrays: Mapping[str, Any] | Sequence[Any], what: str) -> dict[str, np.ndarray]:
    if isinstance(arrays, Mapping):
        items = list(arrays.items())
    elif isinstance(arrays, (list, tuple)):
        items = [(f"param{i}", a) for i, a in enumerate(arrays)]
    else:
        raise NNFitError(f"{what} must be a dict name -> array (or a list of arrays), not {type(arrays).__name__}")
    out = {}
    for name, value in items:
        try:
            arr = np.array(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise NNFitError(f"{what}[{name!r}] is not a numeric array") from None
        out[str(name)] = arr
    return out


@dataclasses.dataclass
class ArrayCheck:
    parameter: str
    relative_error: float
    max_abs_error: float
    analytic_norm: float
    numeric_norm: float
    shape: tuple[int, ...]
    grad_shape: tuple[int, ...]
    worst: list[dict[str, Any]]
    ok: bool
    hint: str | None = None
    sampled: int | None = None          # entries checked when the array was too large to check all

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["shape"], d["grad_shape"] = list(self.shape), list(self.grad_shape)
        return d


class _PerArrayReport:
    """What gradient and step reports share: one check per parameter array, looked up by name."""

    arrays: list[Any]

    @property
    def ok(self) -> bool:
        return all(a.ok for a in self.arrays)

    @property
    def wrong(self) -> list[str]:
        return [a.parameter for a in self.arrays if not a.ok]

    def __getitem__(self, name: str) -> Any:
        for a in self.arrays:
            if a.parameter == name:
                return a
        raise KeyError(name)


@dataclasses.dataclass
class GradientReport(_PerArrayReport):
    arrays: list[ArrayCheck]
    eps: float
    tolerance: float


    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "wrong": self.wrong, "eps": self.eps, "tolerance": self.tolerance,
                "arrays": [a.to_dict() for a in self.arrays]}

    def __str__(self) -> str:
        width = max([len(a.parameter) for a in self.arrays] + [9])
        lines = [f"gradient check (central differences, float64, h={self.eps:g}; wrong above {self.tolerance:g}):"]
        for a in self.arrays:
            status = "ok" if a.ok else "WRONG"
            line = f"  {a.parameter:<{width}}  relative error {a.relative_error:9.2e}  {status}"
            if not a.ok and a.worst:
                w = a.worst[0]
                line += f"  worst [{', '.join(map(str, w['index']))}]: analytic {w['analytic']:.4g} vs numeric {w['numeric']:.4g}"
            if a.hint:
                line += f"  ({a.hint})"
            lines.append(line)
        return "\n".join(lines)


def check_gradients(
    loss_fn: Callable[[dict[str, np.ndarray]], float],
    params: Mapping[str, Any] | Sequence[Any],
    grads: Mapping[str, Any] | Sequence[Any],
    *,
    eps: float = 1e-6,
    tolerance: float = GRAD_TOLERANCE,
    max_entries: int = 2000,
    seed: int = 0,
) -> GradientReport:
    """Compare analytic gradients with central finite differences of loss_fn, array by array.

    loss_fn(params) -> float is called with a dict of float64 copies (one entry perturbed by ±eps).
    Arrays with more than max_entries entries are checked on a random sample of entries (seeded).
    """
    P = _named(params, "params")
    G = _named(grads, "grads")
    missing = [k for k in P if k not in G]
    if missing:
        raise NNFitError(f"no gradient given for {', '.join(missing)}; grads must have the same names as params")
    rng = np.random.default_rng(seed)
    base = {k: v.copy() for k, v in P.items()}

    def loss_at(name: str, flat_index: int, delta: float) -> float:
        trial = {k: v.copy() for k, v in base.items()}
        flat = trial[name].reshape(-1)
        flat[flat_index] += delta
        value = loss_fn(trial)
        value = float(np.sum(np.asarray(value, dtype=np.float64)))
        return value

    out: list[ArrayCheck] = []
    for name, p in P.items():
        g = G[name]
        shape, gshape = tuple(p.shape), tuple(g.shape)
        if g.size != p.size:
            out.append(ArrayCheck(name, math.inf, math.inf, float(np.linalg.norm(g)), math.nan, shape, gshape, [],
                                  False, f"gradient has {g.size} entries for a parameter with {p.size} ({gshape} vs {shape})"))
            continue
        g = g.reshape(shape) if gshape != shape else g
        n = p.size
        idx = np.arange(n) if n <= max_entries else np.sort(rng.choice(n, size=max_entries, replace=False))
        numeric = np.full(n, np.nan)
        for k in idx:
            numeric[k] = (loss_at(name, int(k), eps) - loss_at(name, int(k), -eps)) / (2 * eps)
        num = numeric.reshape(shape)
        sel = np.zeros(n, dtype=bool)
        sel[idx] = True
        a_sel, n_sel = g.reshape(-1)[sel], numeric[sel]
        if not np.all(np.isfinite(n_sel)):
            raise NNFitError(f"the loss is not finite near the current {name}; check at a point where it is")
        diff = np.abs(a_sel - n_sel)
        denom = float(np.linalg.norm(a_sel) + np.linalg.norm(n_sel))
        rel = float(np.linalg.norm(a_sel - n_sel) / denom) if denom > 1e-300 else 0.0
        order = np.argsort(-diff)[:5]
        flat_ids = idx[order] if n > max_entries else order
        worst = [{"index": [int(i) for i in np.unravel_index(int(f), shape)] if shape else [],
                  "analytic": float(g.reshape(-1)[f]), "numeric": float(numeric[f])} for f in flat_ids]
        ok = rel <= tolerance
        hint = None if ok else _hint(g, num, sel.reshape(shape))
        if gshape != shape and ok:
            hint = f"values right, but the gradient has shape {gshape} for a parameter of shape {shape}"
        out.append(ArrayCheck(name, rel, float(diff.max()) if diff.size else 0.0, float(np.linalg.norm(a_sel)),
                              float(np.linalg.norm(n_sel)), shape, gshape, worst, ok, hint,
                              int(len(idx)) if n > max_entries else None))
    return GradientReport(out, eps, tolerance)


def _hint(analytic: np.ndarray, numeric: np.ndarray, sel: np.ndarray) -> str | None:
    """Name the common mistakes: transposed, a constant factor, a flipped sign, all zero."""
    a, n = analytic, numeric
    if not sel.all():
        return None
    if np.allclose(a, 0) and not np.allclose(n, 0):
        return "the analytic gradient is all zero"
    if a.ndim == 2 and a.shape[0] == a.shape[1] and np.allclose(a.T, n, rtol=1e-4, atol=1e-10 * (1 + np.abs(n).max())):
        return "the analytic gradient is the transpose of the numeric one"
    nz = np.abs(n) > 1e-12 * (1 + np.abs(n).max())
    if nz.any():
        ratios = a[nz] / n[nz]
        r = float(np.median(ratios))
        if np.allclose(ratios, r, rtol=1e-3) and abs(r - 1) > 1e-3:
            if abs(r + 1) < 1e-3:
                return "the sign is flipped"
            return f"off by a constant factor {r:.4g} (a different loss scaling?)"
    return None


@dataclasses.dataclass
class StepCheck:
    parameter: str
    cosine: float | None          # cos(step, -gradient); None when either is zero
    step_norm: float
    gradient_norm: float
    expected_norm: float | None   # lr * ||gradient|| (plain gradient descent)
    deviation: float | None       # ||step + lr g|| / ||lr g||: 0 for exact gradient descent
    ok: bool

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class StepReport(_PerArrayReport):
    arrays: list[StepCheck]
    learning_rate: float | None


    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "wrong": self.wrong, "learning_rate": self.learning_rate,
                "arrays": [a.to_dict() for a in self.arrays]}

    def __str__(self) -> str:
        width = max([len(a.parameter) for a in self.arrays] + [9])
        lines = ["update direction (cosine between each array's step and -gradient; 1 = gradient descent):"]
        for a in self.arrays:
            cos = "   n/a" if a.cosine is None else f"{a.cosine:+6.3f}"
            extra = ""
            if a.deviation is not None:
                extra = f"  step/(lr*grad) {a.step_norm / a.expected_norm:.3g}" if a.expected_norm else ""
            status = "ok" if a.ok else ("NOT MOVED" if a.step_norm == 0 else "WRONG")
            lines.append(f"  {a.parameter:<{width}}  cosine {cos}  {status}{extra}")
        return "\n".join(lines)


def check_step(
    params_before: Mapping[str, Any] | Sequence[Any],
    params_after: Mapping[str, Any] | Sequence[Any],
    grads: Mapping[str, Any] | Sequence[Any],
    lr: float | None = None,
    *,
    min_cosine: float = STEP_MIN_COSINE,
) -> StepReport:
    """Did each array move along -gradient? cosine(after - before, -grad) per array."""
    B, A, G = _named(params_before, "params_before"), _named(params_after, "params_after"), _named(grads, "grads")
    out = []
    for name, before in B.items():
        if name not in A or name not in G:
            raise NNFitError(f"{name!r} is missing from params_after or grads")
        after, g = A[name], G[name]
        if after.size != before.size:
            raise NNFitError(f"{name}: shape changed from {before.shape} to {after.shape} during the step")
        step = (after - before).reshape(-1)
        if g.size != step.size:
            out.append(StepCheck(name, None, float(np.linalg.norm(step)), float(np.linalg.norm(g)), None, None, False))
            continue
        gv = g.reshape(-1)
        sn, gn = float(np.linalg.norm(step)), float(np.linalg.norm(gv))
        cos = float(np.dot(step, -gv) / (sn * gn)) if sn > 0 and gn > 0 else None
        expected = lr * gn if lr else None
        deviation = float(np.linalg.norm(step + lr * gv) / (lr * gn)) if lr and gn > 0 else None
        if gn == 0:
            ok = sn == 0
        else:
            ok = cos is not None and cos >= min_cosine
        out.append(StepCheck(name, cos, sn, gn, expected, deviation, ok))
    return StepReport(out, lr)
