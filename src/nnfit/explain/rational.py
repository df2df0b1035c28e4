"""Rational forms: y = g⁻¹(P(u) / Q(u)) with P, Q polynomials, found by linear algebra.

For exact data a rational function is recovered exactly by one null-space computation: P(u) - y·Q(u)
vanishes at every point, so the coefficient vector of (P, Q) spans the null space of the matrix
[monomials(u), -y·monomials(u)]. Degrees are tried from small to large; the first pair whose null
vector reproduces held-out points to rounding error wins, and superfluous monomials are then removed
one at a time while the fit stays exact.

The grammar is widened by transforms (each tried only where it is defined on the data):
  target  g(y) in {y, y², y³, y⁵, log y, exp y}   (sqrt, cube and fifth roots, exp, log; 1/R is rational)
  inputs  u in {x, log x, sqrt x}                       (log x, for positive inputs: power laws;
                                                         sqrt x: P/Q of the positive inputs' roots)
so that sqrt(1.23*x), x**(2/3), exp(-x²/2), log(x+1)+log(x²+1) (= log of a polynomial) and
x1**p * x2**q are all one linear solve.

Constants are then made simple where the held-out error allows: P/Q is scaled so that its
coefficients become decimals with few digits or fractions with small denominators (a rational
function is only defined up to a common factor), and an exponent found in log space is offered p/q.
"""
from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Sequence

import numpy as np
import sympy as sp

from nnfit.explain.budget import clock
from nnfit.metrics import rmse as _rmse

EXACT_FLOOR = 1e-12        # validation RMSE below this fraction of the target's RMS: rounding error (see discover.py)
NEAR_EXACT = 1e-9          # ... below this fraction: worth pruning and snapping, then checked against EXACT_FLOOR

# Largest degrees tried, per number of inputs: (numerator, denominator). 1-D covers the rational and
# polynomial rows of the usual symbolic-regression tables (degree 9 polynomials, degree 6/4 ratios).
MAX_DEGREES = {1: (10, 6), 2: (6, 4), 3: (4, 3)}
MAX_UNKNOWNS = 90


@dataclasses.dataclass
class RationalFit:
    expression: sp.Expr
    val_rmse: float
    train_rmse: float
    degrees: tuple[int, int]
    transform: str
    input_transform: str
    n_coefficients: int
    exact: bool
    snapped: bool


def _exponents(n_in: int, degree: int, tensor: bool = False) -> list[tuple[int, ...]]:
    if tensor:
        return [e for e in itertools.product(range(degree + 1), repeat=n_in)]
    return [e for e in itertools.product(range(degree + 1), repeat=n_in) if sum(e) <= degree]


def _design(U: np.ndarray, exps: Sequence[tuple[int, ...]]) -> np.ndarray:
    cols = np.ones((len(U), len(exps)))
    for k, e in enumerate(exps):
        for j, p in enumerate(e):
            if p:
                cols[:, k] *= U[:, j] ** p
    return cols


TARGET_TRANSFORMS = {
    # name: (forward g(y), inverse g⁻¹(t) for numbers, inverse for sympy, defined where)
    "y": (lambda y: y, lambda t: t, lambda t: t, lambda y: True),
    "y^2": (lambda y: y**2, np.sqrt, sp.sqrt, lambda y: bool(np.all(y >= 0) or np.all(y <= 0))),
    "y^3": (lambda y: y**3, np.cbrt, None, lambda y: True),
    "y^5": (lambda y: y**5, lambda t: np.sign(t) * np.abs(t) ** 0.2, None, lambda y: True),
    "log y": (np.log, np.exp, sp.exp, lambda y: bool(np.all(y > 0))),
    "exp y": (np.exp, np.log, sp.log, lambda y: bool(np.ptp(y) < 40 and np.max(y) < 300)),
}


def _null_fit(Mp: np.ndarray, Mq: np.ndarray, t: np.ndarray) -> np.ndarray | None:
    """Coefficients (p, q) minimising |P - t·Q| with |(p, q)| = 1 (column-normalised SVD)."""
    M = np.hstack([Mp, -t[:, None] * Mq])
    norms = np.linalg.norm(M, axis=0)
    if not np.all(np.isfinite(M)) or np.any(norms == 0):
        return None
    try:
        _, _, vt = np.linalg.svd(M / norms, full_matrices=False)
    except np.linalg.LinAlgError:
        return None
    return vt[-1] / norms


def _poly_fit(Mp: np.ndarray, t: np.ndarray) -> np.ndarray | None:
    try:
        return np.linalg.lstsq(Mp, t, rcond=None)[0]
    except np.linalg.LinAlgError:
        return None


def _ratio(Mp: np.ndarray, Mq: np.ndarray, c: np.ndarray) -> np.ndarray:
    k = Mp.shape[1]
    with np.errstate(all="ignore"):
        return (Mp @ c[:k]) / (Mq @ c[k:])


class _Problem:
    """One (target transform, input transform) pair, evaluated on scaled inputs."""

    def __init__(self, Xtr, ytr, Xva, yva, transform: str, input_transform: str):
        self.transform, self.input_transform = transform, input_transform
        fwd, self.inv, self.sym_inv, _ = TARGET_TRANSFORMS[transform]
        # sqrt: the inputs positive on all the data enter as their square roots, the others as they are
        self.root = np.all(Xtr > 0, axis=0) & np.all(Xva > 0, axis=0)
        if input_transform == "log":
            Utr, Uva = np.log(Xtr), np.log(Xva)
        elif input_transform == "sqrt":
            Utr, Uva = Xtr.copy(), Xva.copy()
            Utr[:, self.root], Uva[:, self.root] = np.sqrt(Xtr[:, self.root]), np.sqrt(Xva[:, self.root])
        else:
            Utr, Uva = Xtr, Xva
        self.scale = np.maximum(np.max(np.abs(Utr), axis=0), 1e-300)
        self.Utr, self.Uva = Utr / self.scale, Uva / self.scale
        with np.errstate(all="ignore"):
            self.ttr = fwd(ytr)
        self.ytr, self.yva = ytr, yva

    def predict(self, U: np.ndarray, p_exps, q_exps, c: np.ndarray) -> np.ndarray:
        t = _ratio(_design(U, p_exps), _design(U, q_exps), c) if q_exps else _design(U, p_exps) @ c
        with np.errstate(all="ignore"):
            return self.inv(t)

    def fit(self, p_exps, q_exps, rows=None) -> np.ndarray | None:
        Mp = _design(self.Utr, p_exps)
        if not q_exps:
            return _poly_fit(Mp, self.ttr)
        return _null_fit(Mp, _design(self.Utr, q_exps), self.ttr)

    def errors(self, p_exps, q_exps, c) -> tuple[float, float]:
        return (_rmse(self.predict(self.Uva, p_exps, q_exps, c), self.yva),
                _rmse(self.predict(self.Utr, p_exps, q_exps, c), self.ytr))


def _prune(problem: _Problem, p_exps, q_exps, c, limit: float, deadline: float):
    """Backward elimination: drop the monomial whose removal hurts least while the fit stays within limit."""
    p_exps, q_exps = list(p_exps), list(q_exps)
    # first in bulk: every monomial whose contribution is negligible
    k = len(p_exps)
    cols = _design(problem.Utr, p_exps)
    if q_exps:
        cols = np.hstack([cols, _design(problem.Utr, q_exps)])
    weight = np.abs(c) * np.linalg.norm(cols, axis=0)
    for cut in (1e-6, 1e-9):
        keep = weight > cut * weight.max()
        trial_p = [e for e, kp in zip(p_exps, keep[:k]) if kp]
        trial_q = [e for e, kp in zip(q_exps, keep[k:]) if kp]
        if trial_p and (trial_q or not q_exps) and len(trial_p) + len(trial_q) < len(c):
            cc = problem.fit(trial_p, trial_q)
            if cc is not None and problem.errors(trial_p, trial_q, cc)[0] <= limit:
                p_exps, q_exps, c = trial_p, trial_q, cc
                break
    while len(p_exps) + len(q_exps) > 1 and clock() < deadline:
        best = None
        for side, index in [("p", i) for i in range(len(p_exps))] + [("q", i) for i in range(len(q_exps))]:
            trial_p = [e for i, e in enumerate(p_exps) if not (side == "p" and i == index)]
            trial_q = [e for i, e in enumerate(q_exps) if not (side == "q" and i == index)]
            if not trial_p:
                continue
            if q_exps and not trial_q:
                continue
            cc = problem.fit(trial_p, trial_q)
            if cc is None:
                continue
            v, _ = problem.errors(trial_p, trial_q, cc)
            if v <= limit and (best is None or v < best[0]):
                best = (v, trial_p, trial_q, cc)
        if best is None:
            break
        _, p_exps, q_exps, c = best
    return p_exps, q_exps, c


def _nice_scale(values: np.ndarray) -> list[float]:
    """Common factors s that make every s·value a short decimal or a fraction with a small denominator."""
    values = values[np.abs(values) > 0]
    if len(values) == 0:
        return [1.0]
    found = []
    anchors = values[np.argsort(np.abs(values))][:4]
    others = np.abs(values)
    for a in anchors:
        # s·|a| = m/100 for m up to 100000 (every 2-decimal value of the anchor up to 1000); the
        # candidates are filtered one coefficient at a time, so the survivors shrink fast
        base = (np.arange(1, 100001, dtype=float) / 100.0) / abs(a)
        for digits in (1, 10, 100, 1000):
            s = base
            for v in others:
                t = s * v * digits
                s = s[np.abs(t - np.round(t)) <= 1e-7 * np.maximum(t, 1.0)]
                if not len(s):
                    break
            if len(s):
                found.append(float(s[0]))
                break
        for q in range(1, 13):
            scaled_q = others / abs(a) * q
            if np.all(np.abs(scaled_q - np.round(scaled_q)) <= 1e-7 * np.maximum(scaled_q, 1.0)):
                found.append(q / abs(a))
                break
    return found or [1.0 / float(np.max(np.abs(values)))]


def _to_rational(v: float) -> sp.Expr:
    for digits in (1, 10, 100, 1000, 10000):
        r = round(v * digits)
        if abs(r - v * digits) <= 1e-7 * max(1.0, abs(v * digits)):
            return sp.Rational(int(r), digits)
    frac = sp.Rational(v).limit_denominator(12)
    if abs(float(frac) - v) <= 1e-9 * max(1.0, abs(v)):
        return frac
    return sp.Float(v)


def _poly_expr(exps, coefs, syms) -> sp.Expr:
    return sp.Add(*[c * sp.Mul(*[s**p for s, p in zip(syms, e)]) for e, c in zip(exps, coefs)])


def _build(problem: _Problem, p_exps, q_exps, c: np.ndarray, symbols: Sequence[sp.Symbol],
           snap: bool) -> sp.Expr | None:
    """The sympy formula; constants in original units (inputs were scaled for conditioning)."""
    k = len(p_exps)
    # undo the input scaling: a monomial u^e of scaled inputs is prod (x/s)^e
    def unscale(exps, coefs):
        return np.array([cf / np.prod(problem.scale ** np.array(e)) for e, cf in zip(exps, coefs)])

    pc, qc = unscale(p_exps, c[:k]), (unscale(q_exps, c[k:]) if q_exps else np.array([]))
    if problem.input_transform == "log":
        u = [sp.log(s) for s in symbols]
    elif problem.input_transform == "sqrt":
        u = [sp.sqrt(s) if r else s for s, r in zip(symbols, problem.root)]
    else:
        u = list(symbols)
    if q_exps:
        both = np.concatenate([pc, qc])
        factors = _nice_scale(both) if snap else []
        factors.append(1.0 / qc[np.argmax(np.abs(qc))])
        for s in factors:
            scaled = both * s
            vals = [_to_rational(float(v)) if snap else sp.Float(float(v)) for v in scaled]
            if not snap or not any(isinstance(v, sp.Float) for v in vals) or s == factors[-1]:
                P = _poly_expr(p_exps, vals[:k], u)
                Q = _poly_expr(q_exps, vals[k:], u)
                t = P / Q
                break
    else:
        vals = [_to_rational(float(v)) if snap else sp.Float(float(v)) for v in pc]
        t = _poly_expr(p_exps, vals, u)
    if problem.transform == "y":
        expr = t
    elif problem.sym_inv is not None:
        expr = problem.sym_inv(t)
    elif problem.transform == "y^3":
        expr = sp.cbrt(t) if _nonneg(problem) else sp.sign(t) * sp.Abs(t) ** sp.Rational(1, 3)
    elif problem.transform == "y^5":
        expr = t ** sp.Rational(1, 5) if _nonneg(problem) else sp.sign(t) * sp.Abs(t) ** sp.Rational(1, 5)
    else:  # pragma: no cover
        return None
    if problem.transform == "y^2" and np.all(problem.ytr <= 0):
        expr = -expr
    if problem.input_transform == "log":
        expr = sp.powsimp(sp.expand_log(sp.simplify(expr), force=True), force=True)
    return expr


def _nonneg(problem: _Problem) -> bool:
    return bool(np.all(problem.ytr >= 0))


def _evaluate(expr: sp.Expr, symbols, X: np.ndarray) -> np.ndarray:
    fn = sp.lambdify(list(symbols), expr, modules="numpy")
    with np.errstate(all="ignore"):
        try:
            return np.asarray(fn(*X.T), dtype=float) * np.ones(len(X))
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            return np.full(len(X), np.nan)


def degree_pairs(n_in: int) -> list[tuple[int, int]]:
    max_p, max_q = MAX_DEGREES.get(n_in, (2, 2))
    pairs = [(p, q) for p in range(max_p + 1) for q in range(max_q + 1)]
    n_mono = lambda d: len(_exponents(n_in, d))  # noqa: E731
    pairs = [pq for pq in pairs if n_mono(pq[0]) + (n_mono(pq[1]) if pq[1] else 0) <= MAX_UNKNOWNS]
    return sorted(pairs, key=lambda pq: (n_mono(pq[0]) + (n_mono(pq[1]) if pq[1] else 0), pq[1]))


def rational_search(Xtr: np.ndarray, ytr: np.ndarray, Xva: np.ndarray, yva: np.ndarray,
                    symbols: Sequence[sp.Symbol], time_limit: float = 20.0, keep: int = 8,
                    tolerance_floor: float = 0.0) -> list[RationalFit]:
    """Rational fits of every transform, simplest first; exact ones pruned and snapped."""
    start = clock()
    deadline = start + time_limit
    n_in = Xtr.shape[1]
    scale = float(np.sqrt(np.mean(yva**2))) or 1.0
    floor = max(EXACT_FLOOR * scale, tolerance_floor)
    results: list[RationalFit] = []
    input_transforms = ["x"] + (["log"] if np.all(Xtr > 0) and np.all(Xva > 0) else [])
    if np.any(np.all(Xtr > 0, axis=0) & np.all(Xva > 0, axis=0)):
        input_transforms.append("sqrt")
    problems = []
    for it in input_transforms:
        for name, (_, _, _, defined) in TARGET_TRANSFORMS.items():
            if it == "log" and name not in ("log y",):
                continue  # power laws: log y = a + sum p_j log x_j
            if it == "sqrt" and name != "y":
                continue  # P/Q of square roots of the positive inputs, of y itself
            if defined(ytr) and defined(yva):
                problems.append(_Problem(Xtr, ytr, Xva, yva, name, it))
    pairs = degree_pairs(n_in)
    specs = [(p, q, False) for p, q in pairs]
    if n_in == 2:
        specs += [(d, d, True) for d in (2, 3, 4)]
    n_mono = lambda d, tensor: len(_exponents(n_in, d, tensor)) if d >= 0 else 0  # noqa: E731
    specs.sort(key=lambda s: n_mono(s[0], s[2]) + (n_mono(s[1], s[2]) if s[1] else 0))
    approx: dict[int, list] = {id(pr): [] for pr in problems}
    attempts = {id(pr): 0 for pr in problems}
    exact_size = None
    for p, q, tensor in specs:
        size = n_mono(p, tensor) + (n_mono(q, tensor) if q else 0)
        if clock() > deadline or (exact_size is not None and size > exact_size):
            break
        p_exps = _exponents(n_in, p, tensor)
        q_exps = _exponents(n_in, q, tensor) if q else []
        for problem in problems:
            if problem.input_transform == "log" and (p, q, tensor) != (1, 0, False):
                continue
            c = problem.fit(p_exps, q_exps)
            if c is None or not np.all(np.isfinite(c)):
                continue
            v, tr = problem.errors(p_exps, q_exps, c)
            if not math.isfinite(v):
                continue
            if v <= max(NEAR_EXACT * scale, floor) and attempts[id(problem)] < 2:
                attempts[id(problem)] += 1   # a smooth non-rational function is near exact at every larger degree
                # near exact: an ill-conditioned solve (x**8 on [-5, 5]) leaves ~1e-11 of noise in tiny
                # coefficients of absent monomials; pruning them restores the conditioning
                p2, q2, c2 = _prune(problem, p_exps, q_exps, c, max(floor, 10 * v), deadline)
                fit = _finish(problem, p2, q2, c2, symbols, Xtr, Xva, floor, (p, q))
                if fit is not None and fit.exact:
                    results.append(fit)
                    exact_size = size if exact_size is None else min(exact_size, size)
                    continue
            approx[id(problem)].append((v, tr, p_exps, q_exps, c, (p, q)))
    if exact_size is None:
        # the closest approximations overall (built as formulas only for these few)
        rows = sorted(((r, problem) for problem in problems for r in approx[id(problem)]), key=lambda rp: rp[0][0])
        for (v, tr, p_exps, q_exps, c, pq), problem in rows[:3]:
            expr = _build(problem, p_exps, q_exps, c, symbols, snap=False)
            if expr is not None:
                results.append(RationalFit(expr, v, tr, pq, problem.transform, problem.input_transform,
                                           len(c), False, False))
    results.sort(key=lambda r: (not r.exact, r.n_coefficients, r.val_rmse))
    return results[:keep]


def _finish(problem: _Problem, p_exps, q_exps, c, symbols, Xtr, Xva, floor, pq) -> RationalFit | None:
    v_raw, tr_raw = problem.errors(p_exps, q_exps, c)
    for snap in (True, False):
        expr = _build(problem, p_exps, q_exps, c, symbols, snap=snap)
        if expr is None:
            continue
        v = _rmse(_evaluate(expr, symbols, Xva), problem.yva)
        if v <= max(floor, v_raw * 1.001):
            tr = _rmse(_evaluate(expr, symbols, Xtr), problem.ytr)
            return RationalFit(expr, v, tr, pq, problem.transform, problem.input_transform,
                               len(p_exps) + len(q_exps), v <= floor, snap and not expr.has(sp.Float))
    return None
