"""Sparse formula read-back: which few candidate terms add up to the data?

The method (SINDy-style, with nonlinear polishing):

1. A library of candidate terms, built in levels so that simpler families are tried first:
   level 0 monomials (products of inputs up to a total degree); level 1 sin/cos of each input with
   frequencies 1, 2, 3 and one frequency fitted to the data by a scan, sin/cos of x², exp(±x), exp(-x²),
   log(x + c), log(x² + 1), sqrt(x), 1/x (each only where it is finite on the data); level 2 products of
   two transcendental terms with different arguments, x·f(x) and x²·f(x) products, and x^y.
   Frequencies, scales and shifts inside a term are parameters, not constants of the library.
2. Supports (which terms) are proposed by sequential thresholded least squares over many thresholds,
   orthogonal matching pursuit, and an exhaustive search over small subsets of the most promising
   terms; each support is scored by linear least squares on the training split and RMSE on the
   validation split.
3. The best supports of each size are polished by nonlinear least squares (scipy, Levenberg-Marquardt)
   over all their constants: coefficients and the frequencies/scales inside the terms.
4. Each constant is then offered a simple value (0, a rational p/q with q <= 12, or a rational multiple
   of pi) lying within 4 standard errors of its estimate; the snap is kept only when the validation
   RMSE, after re-polishing the others, is not worse (within `snap_tolerance`, default 0.1 %, or below
   the float64 rounding floor).
5. Candidates form a Pareto table (validation error vs complexity = node count of the expression). The
   chosen one is the simplest whose validation RMSE is within `select_tolerance` (5 %) of the best, or
   at the rounding floor: chosen on the validation split, never on the training error.

Nothing here evaluates user text: terms are built from sympy objects and compiled with lambdify.
"""
from __future__ import annotations

import dataclasses
import itertools
import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.linalg  # noqa: F401 - loaded before threadpool limits are set, so that they apply to its BLAS
import scipy.optimize  # noqa: F401
import sympy as sp

from nnfit.errors import DataError
from nnfit.explain.budget import clock
from nnfit.metrics import rmse as _rmse

MAX_TRAIN_ROWS = 2000
MAX_VAL_ROWS = 5000
EXACT_FLOOR = 1e-10        # a validation RMSE below this fraction of the target's RMS is "exact"
ROUNDING_FLOOR = 1e-11     # differences below this fraction of the target's RMS are rounding noise


@dataclasses.dataclass
class Term:
    """One candidate term: a sympy expression in the inputs and its own inner parameters."""
    expr: sp.Expr
    params: dict[sp.Symbol, float]
    family: str
    complexity: int = 1


@dataclasses.dataclass
class Candidate:
    """A polished (and possibly snapped) formula with its errors."""
    expression: sp.Expr
    train_rmse: float
    val_rmse: float
    complexity: int
    n_terms: int
    level: int
    source: str
    unsnapped: sp.Expr | None = None
    snap_shift: float = 0.0          # largest |polished value - snapped value| over the snapped constants
    snap_shift_rel: float = 0.0
    exact: bool = False              # validation RMSE at the float64 rounding floor

    def row(self) -> dict[str, Any]:
        return {
            "formula": str(self.expression), "complexity": self.complexity, "terms": self.n_terms,
            "train_rmse": self.train_rmse, "val_rmse": self.val_rmse, "level": self.level, "source": self.source,
        }


@dataclasses.dataclass
class SparseResult:
    best: Candidate
    candidates: list[Candidate]        # every polished candidate
    pareto: list[Candidate]            # the Pareto front, by complexity
    symbols: list[sp.Symbol]
    target_scale: float
    n_train: int
    n_val: int
    seconds: float
    levels_tried: int

    def table(self) -> list[dict[str, Any]]:
        return [c.row() | {"chosen": c is self.best} for c in self.pareto]


# ----------------------------------------------------------------------------------------------
# library


class _Params:
    def __init__(self) -> None:
        self.count = 0
        self.omegas: dict[int, float | None] = {}   # fitted frequency per input, scanned once

    def new(self, kind: str) -> sp.Symbol:
        self.count += 1
        return sp.Symbol(f"_{kind}{self.count}", real=True)


def _monomials(symbols: Sequence[sp.Symbol], degree: int) -> list[Term]:
    terms = []
    for d in range(1, degree + 1):
        for combo in itertools.combinations_with_replacement(symbols, d):
            terms.append(Term(sp.Mul(*combo), {}, "monomial", complexity=2 * d - 1))
    return terms


def _max_degree(n_inputs: int) -> int:
    return {1: 6, 2: 4, 3: 3}.get(n_inputs, 2)


def _unary_terms(x: sp.Symbol, col: np.ndarray, P: _Params, fitted_omega: float | None,
                 for_products: bool = False) -> list[Term]:
    """Transcendental terms of one input, only where finite and sensible on the data."""
    terms: list[Term] = []
    lo, hi = float(col.min()), float(col.max())
    span = max(abs(lo), abs(hi))
    freqs = [1.0] if for_products else [1.0, 2.0, 3.0]
    if fitted_omega is not None and not for_products and all(abs(fitted_omega - f) > 1e-3 for f in freqs):
        freqs.append(fitted_omega)
    args = [(x, 1)]
    if span <= 10:
        args.append((x**2, 2))
    if span <= 1 + 1e-9:
        # on [-1, 1] a cube stays small enough to sit inside a trig term (sin(x**3)*cos(x**2))
        args.append((x**3, 3))
    for arg, arg_cost in args:
        for f in (freqs if arg_cost == 1 else [1.0]):
            for fn, fam in ((sp.sin, "sin"), (sp.cos, "cos")):
                w = P.new("w")
                terms.append(Term(fn(w * arg), {w: f}, fam, complexity=3 + arg_cost))
    if span <= 30 and not for_products:
        for s in (1.0, -1.0):
            k = P.new("k")
            terms.append(Term(sp.exp(k * x), {k: s}, "exp", complexity=4))
        if span <= 5:
            k = P.new("k")
            terms.append(Term(sp.exp(k * x**2), {k: -1.0}, "exp", complexity=5))
    if not for_products:
        if lo > 0:
            terms.append(Term(sp.log(x), {}, "log", complexity=2))
            terms.append(Term(sp.sqrt(x), {}, "sqrt", complexity=2))
            terms.append(Term(1 / x, {}, "inverse", complexity=2))
        elif lo >= 0:
            terms.append(Term(sp.sqrt(x), {}, "sqrt", complexity=2))
        if lo > -1 + 1e-6:
            c = P.new("c")
            terms.append(Term(sp.log(x + c), {c: 1.0}, "log", complexity=4))
        c = P.new("c")
        terms.append(Term(sp.log(x**2 + c), {c: 1.0}, "log", complexity=6))
        if hi < 0:
            terms.append(Term(1 / x, {}, "inverse", complexity=2))
    return terms


def _scan_frequency(col: np.ndarray, y: np.ndarray) -> float | None:
    """The frequency w whose sin(w x), cos(w x) (with a quadratic trend) best explain y."""
    span = float(col.max() - col.min())
    if span <= 0 or len(col) < 12:
        return None
    grid = np.arange(1.0, 60.0, 0.05) / span
    base = np.column_stack([np.ones_like(col), col, col**2])
    def rss_at(w: float) -> float:
        A = np.column_stack([base, np.sin(w * col), np.cos(w * col)])
        coef = _lsq(A, y)
        return float(np.sum((A @ coef - y) ** 2))

    best, best_rss = None, np.inf
    for w in grid:
        value = rss_at(float(w))
        if value < best_rss:
            best, best_rss = float(w), value
    if best is None:
        return None
    from scipy.optimize import minimize_scalar

    step = 0.05 / span
    res = minimize_scalar(rss_at, bounds=(best - step, best + step), method="bounded",
                          options={"xatol": 1e-12 / max(span, 1e-12)})
    return float(res.x) if res.success else best


def build_library(symbols: Sequence[sp.Symbol], X: np.ndarray, y: np.ndarray, level: int,
                  P: _Params) -> list[Term]:
    """Terms up to `level` (0 monomials; 1 + unary transcendental; 2 + products)."""
    n = len(symbols)
    terms = _monomials(symbols, _max_degree(n))
    if level >= 1:
        for j, x in enumerate(symbols):
            if j not in P.omegas:
                P.omegas[j] = _scan_frequency(X[:, j], y)
            terms += _unary_terms(x, X[:, j], P, P.omegas[j])
    if level >= 2:
        trig: list[tuple[Term, Any]] = []
        for j, x in enumerate(symbols):
            for t in _unary_terms(x, X[:, j], P, None, for_products=True):
                trig.append((t, t.expr.args[0].as_independent(*[p for p in t.params])[0]))
        for (t1, a1), (t2, a2) in itertools.combinations(trig, 2):
            if a1 == a2:
                continue  # sin(u)cos(u) = sin(2u)/2: already in the library
            params = dict(t1.params) | dict(t2.params)
            # fresh symbols so that the two factors keep independent parameters
            sub = {p: P.new("w") for p in params}
            expr = (t1.expr * t2.expr).xreplace(sub)
            terms.append(Term(expr, {sub[p]: v for p, v in params.items()}, "product",
                              complexity=t1.complexity + t2.complexity + 1))
        base_unary = []
        for j, x in enumerate(symbols):
            # with the scanned frequency too: x*sin(w*x) needs its w (e.g. 2*pi) from the scan
            base_unary += [t for t in _unary_terms(x, X[:, j], P, P.omegas.get(j))
                           if t.family in ("sin", "cos", "exp", "log")]
        multipliers = []
        for j, x in enumerate(symbols):
            multipliers += [(x, 1), (x**2, 3)] if np.max(np.abs(X[:, j])) <= 1e3 else [(x, 1)]
        for m, cost in multipliers:
            for t in base_unary:
                sub = {p: P.new("w") for p in t.params}
                terms.append(Term(m * t.expr.xreplace(sub), {sub[p]: v for p, v in t.params.items()},
                                  "product", complexity=t.complexity + cost + 1))
        for i, xi in enumerate(symbols):
            if X[:, i].min() > 0:
                for j, xj in enumerate(symbols):
                    if i != j:
                        terms.append(Term(xi**xj, {}, "power", complexity=3))
        # sin/cos of a product of two shifted inputs, w*(xi + a)*(xj + b), integer shifts |a|, |b| <= 2
        # (a frequency inside is fitted; the shifts are scanned, as LM would not move them that far)
        if len(symbols) in (2, 3):
            for (i, xi), (j, xj) in itertools.combinations(list(enumerate(symbols)), 2):
                for a, b in itertools.product(range(-2, 3), repeat=2):
                    for fn, fam in ((sp.sin, "sin"), (sp.cos, "cos")):
                        w = P.new("w")
                        terms.append(Term(fn(w * (xi + a) * (xj + b)), {w: 1.0}, fam,
                                          complexity=7 + (a != 0) * 2 + (b != 0) * 2))
    return terms


def _columns(terms: Sequence[Term], symbols: Sequence[sp.Symbol], X: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Evaluate terms at their initial parameters; keep finite, non-constant, non-duplicate columns."""
    cols, keep = [], []
    seen: list[np.ndarray] = []
    for index, term in enumerate(terms):
        expr = term.expr.xreplace({p: sp.Float(v) for p, v in term.params.items()})
        fn = sp.lambdify(list(symbols), expr, modules="numpy")
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                col = np.asarray(fn(*X.T), dtype=float) * np.ones(len(X))
            except (ValueError, TypeError, ZeroDivisionError, OverflowError):
                continue
        if not np.all(np.isfinite(col)):
            continue
        centred = col - col.mean()
        norm = np.linalg.norm(centred)
        if norm <= 1e-12 * max(1.0, np.linalg.norm(col)) or np.max(np.abs(col)) > 1e150:
            continue
        unit = centred / norm
        if any(abs(float(unit @ s)) > 1 - 1e-13 for s in seen):
            continue  # the same column (up to scale and shift) as a simpler term
        seen.append(unit)
        cols.append(col)
        keep.append(index)
    return (np.column_stack(cols) if cols else np.zeros((len(X), 0))), keep


# ----------------------------------------------------------------------------------------------
# support search


def _ls_with_intercept(A: np.ndarray, y: np.ndarray) -> np.ndarray:
    M = np.column_stack([np.ones(len(A)), A])
    return np.linalg.lstsq(M, y, rcond=None)[0]


def _predict(A: np.ndarray, coef: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return coef[0] + A @ coef[1:]


def _lsq(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Least squares by pivoted QR (rank-revealing, several times faster than the SVD for tall matrices)."""
    from scipy.linalg import lstsq

    return lstsq(A, b, lapack_driver="gelsy", check_finite=False)[0]


def _stlsq_supports(An: np.ndarray, yc: np.ndarray, max_terms: int) -> list[tuple[int, ...]]:
    supports = set()
    if An.shape[1] == 0:
        return []
    full = _lsq(An, yc)
    scale = float(np.max(np.abs(full))) or 1.0
    cache: dict[tuple[int, ...], np.ndarray] = {}
    for lam in np.logspace(-12, 0, 25) * scale:
        S = np.flatnonzero(np.abs(full) >= lam)
        for _ in range(12):
            if len(S) == 0:
                break
            key = tuple(S)
            if key not in cache:
                cache[key] = _lsq(An[:, S], yc)
            coef = cache[key]
            new = S[np.abs(coef) >= lam]
            if len(new) == len(S):
                break
            S = new
        if 0 < len(S) <= max(max_terms, 0) * 3:
            supports.add(tuple(sorted(int(i) for i in S)))
    return sorted(supports, key=len)


def _omp_order(An: np.ndarray, yc: np.ndarray, steps: int) -> list[int]:
    order: list[int] = []
    residual = yc.copy()
    for _ in range(min(steps, An.shape[1])):
        scores = np.abs(An.T @ residual)
        scores[order] = -1
        j = int(np.argmax(scores))
        if scores[j] <= 0:
            break
        order.append(j)
        coef = _lsq(An[:, order], yc)
        residual = yc - An[:, order] @ coef
    return order


def propose_supports(A: np.ndarray, y: np.ndarray, max_terms: int, pool_size: int = 20,
                     exhaustive_size: int = 3) -> list[tuple[int, ...]]:
    """Candidate supports (column index tuples; the intercept is always added)."""
    p = A.shape[1]
    if p == 0:
        return [()]
    Ac = A - A.mean(axis=0)
    norms = np.linalg.norm(Ac, axis=0)
    norms[norms == 0] = 1.0
    An = Ac / norms
    yc = y - y.mean()
    supports: set[tuple[int, ...]] = {()}
    omp = _omp_order(An, yc, max(max_terms, 10))
    for k in range(1, min(max_terms, len(omp)) + 1):
        supports.add(tuple(sorted(omp[:k])))
    stlsq = _stlsq_supports(An, yc, max_terms)
    supports.update(stlsq)
    full = _lsq(An, yc)
    by_coef = list(np.argsort(-np.abs(full))[:10])
    by_corr = list(np.argsort(-np.abs(An.T @ yc))[:6])
    pool: list[int] = []
    for j in omp[:10] + [i for s in stlsq if len(s) <= max_terms for i in s] + by_coef + by_corr:
        if int(j) not in pool:
            pool.append(int(j))
    pool = pool[:pool_size]
    for k in range(1, exhaustive_size + 1):
        for combo in itertools.combinations(pool, k):
            supports.add(tuple(sorted(combo)))
    if p <= 16:
        supports.add(tuple(range(p)))
    return sorted(supports, key=lambda s: (len(s), s))


# ----------------------------------------------------------------------------------------------
# polishing and snapping


class _Model:
    """c0 + sum c_k * term_k(x; theta_k), compiled once; some parameters can be held fixed."""

    def __init__(self, terms: Sequence[Term], symbols: Sequence[sp.Symbol]):
        self.symbols = list(symbols)
        self.coef_syms = [sp.Symbol(f"_c{k}", real=True) for k in range(len(terms) + 1)]
        inner = []
        self.owner: list[int | None] = [None] * len(self.coef_syms)  # coefficient index owning each parameter
        for k, t in enumerate(terms):
            inner += list(t.params)
            self.owner += [k + 1] * len(t.params)
        self.params = self.coef_syms + inner
        self.init_inner = [v for t in terms for v in t.params.values()]
        self.expr = self.coef_syms[0] + sum(c * t.expr for c, t in zip(self.coef_syms[1:], terms))
        args = self.symbols + self.params
        self.f = sp.lambdify(args, self.expr, modules="numpy")
        self.jac = [sp.lambdify(args, sp.diff(self.expr, p), modules="numpy") for p in self.params]
        self.n_terms = len(terms)

    def evaluate(self, X: np.ndarray, theta: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(self.f(*X.T, *theta), dtype=float) * np.ones(len(X))

    def jacobian(self, X: np.ndarray, theta: np.ndarray, free: np.ndarray) -> np.ndarray:
        cols = []
        with np.errstate(all="ignore"):
            for j in np.flatnonzero(free):
                cols.append(np.asarray(self.jac[j](*X.T, *theta), dtype=float) * np.ones(len(X)))
        return np.column_stack(cols)

    def fit(self, X: np.ndarray, y: np.ndarray, theta: np.ndarray, free: np.ndarray) -> np.ndarray:
        from scipy.optimize import least_squares

        theta = theta.copy()
        if not free.any():
            return theta
        n_coef = len(self.coef_syms)
        if not free[n_coef:].any():
            # linear in the free coefficients: one least-squares solve (the terms' columns are the Jacobian)
            cols = self.jacobian(X, theta, np.arange(len(theta)) < n_coef)
            fixed = ~free[:n_coef]
            target = y - cols[:, fixed] @ theta[:n_coef][fixed]
            A = cols[:, free[:n_coef]]
            if np.all(np.isfinite(A)) and np.all(np.isfinite(target)):
                theta[:n_coef][free[:n_coef]] = np.linalg.lstsq(A, target, rcond=None)[0]
            return theta

        def residual(v: np.ndarray) -> np.ndarray:
            t = theta.copy()
            t[free] = v
            r = self.evaluate(X, t) - y
            return np.where(np.isfinite(r), r, 1e150)

        def jac(v: np.ndarray) -> np.ndarray:
            t = theta.copy()
            t[free] = v
            J = self.jacobian(X, t, free)
            return np.where(np.isfinite(J), J, 0.0)

        x0 = theta[free]
        method = "lm" if len(X) >= free.sum() else "trf"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = least_squares(residual, x0, jac=jac, method=method, x_scale="jac",
                                    ftol=1e-15, xtol=1e-15, gtol=1e-15, max_nfev=40 + 10 * len(x0))
            if np.all(np.isfinite(res.x)) and np.sum(res.fun**2) <= np.sum(residual(x0) ** 2):
                theta[free] = res.x
        except (ValueError, np.linalg.LinAlgError):
            pass
        return theta


def _snap_proposals(v: float, window: float, max_den: int = 12) -> list[tuple[sp.Expr, float]]:
    """Simple values within `window` of v, simplest first: 0, integers, p/q (q <= 12), then (p/q)*pi."""
    if abs(v) <= window:
        return [(sp.Integer(0), 0.0)]
    found: dict[float, tuple[tuple[int, float], sp.Expr]] = {}
    for q in range(1, max_den + 1):
        for factor, base, penalty in ((1.0, sp.Integer(1), 0), (math.pi, sp.pi, max_den)):
            p_ = round(v * q / factor)
            if p_ == 0 or abs(p_) > 1000 * q:
                continue
            value = p_ * factor / q
            if abs(value - v) <= window and value not in found:
                found[value] = ((q + penalty, abs(value - v)), sp.Rational(p_, q) * base)
    ranked = sorted(found.items(), key=lambda item: item[1][0])
    return [(expr, value) for value, (_, expr) in ranked[:3]]


def _snap_windows(model: "_Model", X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """How far each constant may be from a simple value to be offered it: 4 standard errors of the
    least-squares estimate (from the Jacobian and the residual), at least 1e-12 and at most 10 % of
    the value. Exact data give tiny windows (no spurious snaps), noisy data wider ones; the
    validation check decides either way."""
    scale = np.maximum(1.0, np.abs(theta))
    try:
        J = model.jacobian(X, theta, np.ones(len(theta), dtype=bool))
        r = model.evaluate(X, theta) - y
        dof = max(1, len(X) - len(theta))
        sigma2 = float(r @ r) / dof
        cov = sigma2 * np.linalg.pinv(J.T @ J)
        se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
        if not np.all(np.isfinite(se)):
            raise np.linalg.LinAlgError
    except (np.linalg.LinAlgError, ValueError):
        se = 1e-3 * scale
    return np.clip(4.0 * se, 1e-12 * scale, 0.1 * scale)


def node_count(expr: sp.Expr) -> int:
    return sum(1 for _ in sp.preorder_traversal(expr))


def _tidy(expr: sp.Expr, X: np.ndarray, symbols: Sequence[sp.Symbol]) -> sp.Expr:
    """A shorter equal form (e.g. sin(x)cos(x²) + cos(x)sin(x²) -> sin(x² + x)) when sympy finds one."""
    if expr.has(sp.Float) or node_count(expr) > 60:
        return expr
    best = expr
    for attempt in (sp.trigsimp, sp.simplify):
        try:
            other = attempt(expr)
        except Exception:  # noqa: BLE001 - simplification is cosmetic
            continue
        if node_count(other) < node_count(best):
            f1 = sp.lambdify(list(symbols), expr, "numpy")
            f2 = sp.lambdify(list(symbols), other, "numpy")
            with np.errstate(all="ignore"):
                a, b = np.asarray(f1(*X.T), float) * np.ones(len(X)), np.asarray(f2(*X.T), float) * np.ones(len(X))
            if np.allclose(a, b, rtol=1e-12, atol=1e-12 * max(1.0, float(np.max(np.abs(a))))):
                best = other
    return best


def polish_and_snap(terms: Sequence[Term], symbols: Sequence[sp.Symbol], Xtr: np.ndarray, ytr: np.ndarray,
                    Xva: np.ndarray, yva: np.ndarray, coef0: np.ndarray, scale: float, level: int, source: str,
                    snap: bool = True, snap_tolerance: float = 1e-3, noise_floor: float = 0.0) -> Candidate:
    model = _Model(terms, symbols)
    theta = np.concatenate([coef0, np.asarray(model.init_inner, dtype=float)])
    free = np.ones(len(theta), dtype=bool)
    theta = model.fit(Xtr, ytr, theta, free)
    floor = ROUNDING_FLOOR * scale

    def val_rmse(t: np.ndarray) -> float:
        r = _rmse(model.evaluate(Xva, t), yva)
        return r if np.isfinite(r) else np.inf

    current = baseline = val_rmse(theta)
    unsnapped_theta = theta.copy()
    windows = _snap_windows(model, Xtr, ytr, theta)
    exact_values: dict[int, sp.Expr] = {}
    shifts: dict[int, float] = {}
    if snap:
        pending = list(range(len(theta)))
        while pending:
            # most confident snap first: the constant closest to a simple value
            scored = []
            for j in pending:
                props = _snap_proposals(float(theta[j]), windows[j])
                if props:
                    scored.append((abs(props[0][1] - theta[j]) / max(1.0, abs(theta[j])), j, props))
            if not scored:
                break
            scored.sort(key=lambda s: s[0])
            _, j, props = scored[0]
            pending.remove(j)
            for exact, value in props:
                trial = theta.copy()
                trial[j] = value
                trial_free = free.copy()
                trial_free[j] = False
                trial = model.fit(Xtr, ytr, trial, trial_free)
                new = val_rmse(trial)
                # not worse than the unsnapped fit (so tolerances do not compound over many snaps)
                if new <= max(min(current, baseline) * (1 + snap_tolerance) + floor, noise_floor):
                    shifts[j] = abs(theta[j] - value)
                    theta, free, current = trial, trial_free, new
                    exact_values[j] = exact
                    windows = _snap_windows(model, Xtr, ytr, theta)  # the others moved: new uncertainties
                    break
    values = {p: exact_values.get(j, sp.Float(float(theta[j]))) for j, p in enumerate(model.params)}
    # the coefficient error: over constants still in the formula (a term whose coefficient snapped to 0
    # takes its inner parameters with it; their values never mattered)
    live = [j for j in range(len(theta)) if model.owner[j] is None or theta[model.owner[j]] != 0]
    shift = max((shifts[j] for j in live if j in shifts), default=0.0)
    shift_rel = max((shifts[j] / max(abs(theta[j]), 1e-300) for j in live if j in shifts), default=0.0)
    expr = _clean(model.expr.xreplace(values))
    unsnapped = _clean(model.expr.xreplace({p: sp.Float(float(unsnapped_theta[j])) for j, p in enumerate(model.params)}))
    if not expr.has(sp.Float):
        expr = _tidy(expr, Xva, symbols)
    train = _rmse(model.evaluate(Xtr, theta), ytr)
    n_terms = len([a for a in sp.Add.make_args(expr) if a.free_symbols])
    return Candidate(expression=expr, train_rmse=train, val_rmse=current, complexity=node_count(expr),
                     n_terms=n_terms, level=level, source=source, unsnapped=unsnapped, snap_shift=shift,
                     snap_shift_rel=shift_rel, exact=current <= max(EXACT_FLOOR * scale, noise_floor))


def _clean(expr: sp.Expr) -> sp.Expr:
    """Drop exact-zero terms and float zeros."""
    expr = expr.xreplace({f: sp.Integer(0) for f in expr.atoms(sp.Float) if f == 0})
    return sp.expand_mul(expr) if not expr.has(sp.Float) else expr


# ----------------------------------------------------------------------------------------------
# driver


def pareto(candidates: list[Candidate]) -> list[Candidate]:
    """The Pareto front: each candidate simpler than every one more accurate."""
    front: list[Candidate] = []
    for c in sorted(candidates, key=lambda c: (c.complexity, c.val_rmse)):
        if not front or c.val_rmse < front[-1].val_rmse * (1 - 1e-9):
            front.append(c)
    return front


def choose(candidates: list[Candidate], scale: float, select_tolerance: float = 0.05,
           noise_floor: float = 0.0) -> Candidate:
    """Simplest candidate within select_tolerance of the best validation RMSE (or at the rounding / noise floor)."""
    best_val = min(c.val_rmse for c in candidates)
    limit = max(best_val * (1 + select_tolerance), EXACT_FLOOR * scale, noise_floor)
    ok = [c for c in candidates if c.val_rmse <= limit]
    return min(ok, key=lambda c: (c.complexity, len(c.expression.atoms(sp.Float)), c.val_rmse))


def _one_blas_thread() -> Any:
    """Small least-squares problems run fastest on one BLAS thread (and many times slower when the
    cores are shared and BLAS threads oversubscribe them)."""
    try:
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=1, user_api="blas")
    except ImportError:  # optional: without it BLAS keeps its own thread count
        import contextlib

        return contextlib.nullcontext()


def sparse_fit(X: Any, y: Any, names: Sequence[str] | None = None, *, X_val: Any = None, y_val: Any = None,
               val_fraction: float = 0.3, seed: int = 0, max_terms: int = 6, max_level: int = 2,
               polish_per_size: int = 2, snap: bool = True, snap_tolerance: float = 1e-3,
               select_tolerance: float = 0.05, time_limit: float = 60.0, noise_floor: float = 0.0) -> SparseResult:
    """Find a short formula for y(X). See the module docstring for the method.

    X_val, y_val: the validation points (default: a random `val_fraction` of X, y).
    noise_floor: validation RMSE that counts as a perfect fit (e.g. the error of the network whose
        predictions are being explained): snaps and simpler candidates within it are accepted.
    """
    with _one_blas_thread():
        return _sparse_fit(X, y, names, X_val=X_val, y_val=y_val, val_fraction=val_fraction, seed=seed,
                           max_terms=max_terms, max_level=max_level, polish_per_size=polish_per_size, snap=snap,
                           snap_tolerance=snap_tolerance, select_tolerance=select_tolerance, time_limit=time_limit,
                           noise_floor=noise_floor)


def _sparse_fit(X: Any, y: Any, names: Sequence[str] | None, *, X_val: Any, y_val: Any, val_fraction: float,
                seed: int, max_terms: int, max_level: int, polish_per_size: int, snap: bool,
                snap_tolerance: float, select_tolerance: float, time_limit: float,
                noise_floor: float) -> SparseResult:
    start = clock()
    X = np.asarray(X, dtype=float)
    X = X.reshape(len(X), -1)
    y = np.asarray(y, dtype=float).reshape(-1)
    if len(X) != len(y):
        raise DataError(f"X has {len(X)} rows but y has {len(y)}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise DataError("X and y must be finite to read a formula back")
    names = list(names) if names is not None else (["x"] if X.shape[1] == 1 else [f"x{i}" for i in range(X.shape[1])])
    symbols = [sp.Symbol(n, real=True) for n in names]
    rng = np.random.default_rng(seed)
    if X_val is None:
        if len(X) < 10:
            raise DataError(f"only {len(X)} rows: at least 10 are needed to fit and validate a formula")
        order = rng.permutation(len(X))
        n_val = max(3, int(round(val_fraction * len(X))))
        Xva, yva = X[order[:n_val]], y[order[:n_val]]
        Xtr, ytr = X[order[n_val:]], y[order[n_val:]]
    else:
        Xtr, ytr = X, y
        Xva = np.asarray(X_val, dtype=float).reshape(-1, X.shape[1])
        yva = np.asarray(y_val, dtype=float).reshape(-1)
    if len(Xtr) > MAX_TRAIN_ROWS:
        pick = rng.choice(len(Xtr), MAX_TRAIN_ROWS, replace=False)
        Xtr, ytr = Xtr[pick], ytr[pick]
    if len(Xva) > MAX_VAL_ROWS:
        pick = rng.choice(len(Xva), MAX_VAL_ROWS, replace=False)
        Xva, yva = Xva[pick], yva[pick]
    scale = float(np.sqrt(np.mean(ytr**2))) or 1.0

    candidates: list[Candidate] = []
    polished: set[tuple[str, ...]] = set()
    P = _Params()
    levels_tried = 0
    for level in range(0, max_level + 1):
        levels_tried = level + 1
        terms = build_library(symbols, Xtr, ytr, level, P)
        A, keep = _columns(terms, symbols, Xtr)
        terms = [terms[i] for i in keep]
        Av, _ = _columns_for(terms, symbols, Xva)
        supports = propose_supports(A, ytr, max_terms, exhaustive_size=3 if level else 2)
        scored = []
        for S in supports:
            if len(S) > max_terms and not (level == 0 and len(S) == A.shape[1]):
                continue
            coef = _ls_with_intercept(A[:, list(S)], ytr)
            v = _rmse(_predict(Av[:, list(S)], coef), yva)
            if np.isfinite(v):
                scored.append((v, S, coef))
        scored.sort(key=lambda s: s[0])
        chosen: list[tuple[float, tuple[int, ...], np.ndarray]] = []
        per_size: dict[int, int] = {}
        for v, S, coef in scored:
            if per_size.get(len(S), 0) < polish_per_size:
                per_size[len(S)] = per_size.get(len(S), 0) + 1
                chosen.append((v, S, coef))
        for v, S, coef in scored[:4]:
            if all(S != c[1] for c in chosen):
                chosen.append((v, S, coef))
        chosen.sort(key=lambda c: c[0])
        exact_size = None
        for v, S, coef in chosen:
            key = tuple(sorted(str(terms[i].expr) for i in S))
            if key in polished or (exact_size is not None and len(S) >= exact_size):
                continue  # an exact formula with no more terms is already in hand
            polished.add(key)
            if clock() - start > time_limit:
                break
            cand = polish_and_snap([terms[i] for i in S], symbols, Xtr, ytr, Xva, yva, coef, scale, level,
                                   source=f"level {level}", snap=snap, snap_tolerance=snap_tolerance,
                                   noise_floor=noise_floor)
            if np.isfinite(cand.val_rmse):
                candidates.append(cand)
                if cand.exact:
                    exact_size = len(S) if exact_size is None else min(exact_size, len(S))
        if any(c.exact for c in candidates) or clock() - start > time_limit:
            break
    if not candidates:
        mean = float(np.mean(ytr))
        candidates.append(Candidate(sp.Float(mean), _rmse(np.full_like(ytr, mean), ytr), _rmse(np.full_like(yva, mean), yva),
                                    1, 0, 0, "constant"))
    best = choose(candidates, scale, select_tolerance, noise_floor)
    return SparseResult(best=best, candidates=candidates, pareto=pareto(candidates), symbols=symbols,
                        target_scale=scale, n_train=len(Xtr), n_val=len(Xva),
                        seconds=clock() - start, levels_tried=levels_tried)


def _columns_for(terms: Sequence[Term], symbols: Sequence[sp.Symbol], X: np.ndarray) -> tuple[np.ndarray, None]:
    cols = []
    for term in terms:
        expr = term.expr.xreplace({p: sp.Float(v) for p, v in term.params.items()})
        fn = sp.lambdify(list(symbols), expr, modules="numpy")
        with np.errstate(all="ignore"):
            cols.append(np.asarray(fn(*X.T), dtype=float) * np.ones(len(X)))
    return (np.column_stack(cols) if cols else np.zeros((len(X), 0))), None
