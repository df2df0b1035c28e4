"""One nonlinear inner form: y = p(x) + sum_j m_j(x) * g(u(x)), found by variable projection.

p is a polynomial of the inputs, m_j are low monomials (1, x_i, x_i x_k) and g is one of sin/cos,
exp, sqrt or log of an inner form u that is
  * a single monomial times a frequency or rate (sin(w x1**2), exp(w x2)): the one inner constant is
    scanned on a grid, then refined;
  * a linear form of all inputs with an offset (sqrt(0.42 x1 - 0.21 x2 + 1), log(x1 + x2)), with one
    constant held at +-1 because g's scale is not identifiable: refined from many starts;
  * real powers of the inputs positive on the data, x2**0.25 * x3**-0.25 (exp of a linear form in
    log x_i): refined from a grid of simple exponents.
For a given inner form every outer constant is linear, so it is solved by least squares inside the
residual (variable projection, Golub & Pereyra): the nonlinear search runs over 1 to 4 constants only.
sin and cos columns of the same u are both in the design, so a phase needs no constant of its own;
merge_phases() writes a*sin(u) + b*cos(u) back as one shifted sine.

The fitted formula is pruned (columns dropped while the held-out error stays at its level), every
constant is refitted by Levenberg-Marquardt, and the result goes to the caller, which snaps constants.
Every loop checks the deadline.
"""
from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence

import numpy as np
import sympy as sp

from nnfit.explain.budget import clock
from nnfit.explain.values import evaluate, simple_values as _simple_values
from nnfit.metrics import rmse as _rmse

# Inputs whose magnitude exceeds this are not raised to the second power in the multipliers: the
# columns' dynamic range would swamp the least squares (DSO ranges reach 50; 1e3 keeps all of them).
MAX_MULTIPLIER_SPAN = 1e3
# Rows used to scan a frequency or rate on its grid: at most 40 columns are fitted, and 250 rows
# separate them while costing a third of the usual 700 training rows.
SCAN_ROWS = 250


def _monomial_exponents(n: int, degree: int) -> list[tuple[int, ...]]:
    out = []
    for d in range(1, degree + 1):
        for combo in itertools.combinations_with_replacement(range(n), d):
            e = [0] * n
            for i in combo:
                e[i] += 1
            out.append(tuple(e))
    return out


def _eval_monomials(X: np.ndarray, exps: Sequence[tuple[int, ...]]) -> np.ndarray:
    if not exps:
        return np.zeros((len(X), 0))
    return np.column_stack([np.prod(X ** np.array(e, dtype=float), axis=1) for e in exps])


def _sym_monomial(symbols: Sequence[sp.Symbol], e: tuple[int, ...]) -> sp.Expr:
    return sp.Mul(*[s**k for s, k in zip(symbols, e) if k])


class _Design:
    """Columns p(x) and m_j(x) * g(u) for one family; least squares solved on normalised columns."""

    def __init__(self, X: np.ndarray, poly_exps, mult_exps, family: str):
        self.P = np.column_stack([np.ones(len(X)), _eval_monomials(X, poly_exps)])
        self.M = np.column_stack([np.ones(len(X)), _eval_monomials(X, mult_exps)])
        self.family = family

    def columns(self, u: np.ndarray) -> np.ndarray | None:
        with np.errstate(all="ignore"):
            if self.family == "sin":
                G = [np.sin(u), np.cos(u)]
            elif self.family == "exp":
                G = [np.exp(u)]
            # |u|: the same values where u >= 0 (where the formula is defined), and a search that steps
            # across the data's edge is not stopped by a wall of undefined values
            elif self.family == "sqrt":
                G = [np.sqrt(np.abs(u))]
            else:
                G = [np.log(np.abs(u))]
            parts = [self.P] + [self.M * g[:, None] for g in G]
        A = np.column_stack(parts)
        if not np.all(np.isfinite(A)) or np.max(np.abs(A)) > 1e150:
            return None
        return A


def _solve(A: np.ndarray, y: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(A, axis=0)
    norms[norms == 0] = 1.0
    coef = np.linalg.lstsq(A / norms, y, rcond=None)[0]
    return coef / norms


class _Problem:
    def __init__(self, family, design_tr, design_va, phi_tr, phi_va, ytr, yva, offset_fixed):
        self.family, self.dtr, self.dva = family, design_tr, design_va
        self.phi_tr, self.phi_va, self.ytr, self.yva = phi_tr, phi_va, ytr, yva
        self.offset_fixed = offset_fixed      # None: no offset; a number: u = offset + phi.theta
        self.big = 1e6 * (float(np.sqrt(np.mean(ytr**2))) or 1.0)

    def inner(self, phi, theta):
        u = phi @ theta
        return u + self.offset_fixed if self.offset_fixed is not None else u

    keep: list[int] | None = None     # the columns in use (None: all)
    held: int | None = None           # an inner constant held fixed (None: all free)
    powers_of: list[int] | None = None  # exp family on log inputs: u = sum p_i log x_i, g = prod x_i**p_i

    edge: float = 0.0                 # points with u below this fraction of u's spread left out

    def residual(self, theta):
        u = self.inner(self.phi_tr, theta)
        A = self.dtr.columns(u)
        if A is None:
            return np.full(len(self.ytr), self.big)
        if self.keep is not None:
            A = A[:, self.keep]
        if self.edge > 0:
            # sqrt and log are steepest where u is 0 (the edge of the data where the formula is defined):
            # while the inner form is still off, only the points inside are fitted, where g is smooth
            inside = np.abs(u) > self.edge * (float(np.std(u)) or 1.0)
            if inside.sum() < 2 * A.shape[1] + 10:
                return np.full(len(self.ytr), self.big)
            r = np.zeros(len(self.ytr))
            r[inside] = A[inside] @ _solve(A[inside], self.ytr[inside]) - self.ytr[inside]
            return np.where(np.isfinite(r), r, self.big)
        r = A @ _solve(A, self.ytr) - self.ytr
        return np.where(np.isfinite(r), r, self.big)

    def val_error(self, theta) -> tuple[float, np.ndarray | None]:
        A = self.dtr.columns(self.inner(self.phi_tr, theta))
        Av = self.dva.columns(self.inner(self.phi_va, theta))
        if A is None or Av is None:
            return math.inf, None
        if self.keep is not None:
            A, Av = A[:, self.keep], Av[:, self.keep]
        coef = _solve(A, self.ytr)
        v = _rmse(Av @ coef, self.yva)
        return (v if math.isfinite(v) else math.inf), coef


def _refine(problem: _Problem, theta0: np.ndarray, deadline: float, max_nfev: int = 200) -> np.ndarray:
    from scipy.optimize import least_squares

    if clock() > deadline:
        return theta0
    held = getattr(problem, "held", None)     # an index of theta held at its value (g's scale)
    free = np.array([i for i in range(len(theta0)) if i != held], dtype=int)

    def residual(t):
        full = theta0.copy()
        full[free] = t
        return problem.residual(full)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = least_squares(residual, theta0[free], method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15,
                                max_nfev=max_nfev)
        out = theta0.copy()
        out[free] = res.x
        return out if np.all(np.isfinite(out)) else theta0
    except (ValueError, np.linalg.LinAlgError):
        return theta0


def inner_search(Xtr: np.ndarray, ytr: np.ndarray, Xva: np.ndarray, yva: np.ndarray,
                 symbols: Sequence[sp.Symbol], time_limit: float, floor: float) -> list[sp.Expr]:
    """Formulas of the module's form, best first (floats left for the caller to snap)."""
    start = clock()
    deadline = start + time_limit
    n = Xtr.shape[1]
    span = np.max(np.abs(np.vstack([Xtr, Xva])), axis=0)
    poly_deg = {1: 4, 2: 3, 3: 3}.get(n, 2)
    poly_exps = _monomial_exponents(n, poly_deg)
    mult_deg = 2 if (n <= 2 and np.all(span <= MAX_MULTIPLIER_SPAN)) else 1
    mult_exps = _monomial_exponents(n, mult_deg)
    inner_exps = _monomial_exponents(n, 3 if n == 1 else 2)
    found: list[tuple[float, sp.Expr]] = []
    fits: list[tuple[float, np.ndarray, _Problem, list]] = []   # (held-out RMSE, inner constants, ...)

    def done() -> bool:
        # a fit this close is refined to the end below; the other families can wait
        return bool(fits) and min(f[0] for f in fits) <= 1e3 * floor

    # single monomial inside sin/cos and exp: the frequency or rate scanned, then refined
    # (the grid is scanned on a subset of the rows: it only has to find the valley)
    m = min(len(Xtr), SCAN_ROWS)
    for family in ("sin", "exp"):
        dtr = _Design(Xtr, poly_exps, mult_exps, family)
        dva = _Design(Xva, poly_exps, mult_exps, family)
        dscan = _Design(Xtr[:m], poly_exps, mult_exps, family)
        for e in inner_exps:
            if clock() > deadline or done():
                break
            phi_tr, phi_va = _eval_monomials(Xtr, [e]), _eval_monomials(Xva, [e])
            reach = float(np.max(np.abs(np.vstack([phi_tr, phi_va])))) or 1.0
            problem = _Problem(family, dtr, dva, phi_tr, phi_va, ytr, yva, None)
            scan = _Problem(family, dscan, dva, phi_tr[:m], phi_va, ytr[:m], yva, None)
            # sin: up to 60 half-turns over the monomial's reach; exp: rates up to e^+-25 at the edge
            grid = (np.arange(0.25, 60.0, 0.25) * math.pi / (2 * reach) if family == "sin"
                    else np.concatenate([-np.arange(0.5, 25.0, 0.5), np.arange(0.5, 25.0, 0.5)]) / reach)
            scores = []
            for w in grid:
                if clock() > deadline:
                    break
                r = scan.residual(np.array([w]))
                scores.append((float(r @ r), float(w)))
            scores.sort()
            for _, w in _distinct_minima(scores, grid, 2):
                theta = _refine(problem, np.array([w]), deadline, max_nfev=60)
                v, _ = problem.val_error(theta)
                if math.isfinite(v):
                    fits.append((v, theta, problem, [e]))
                    if v <= floor:
                        break
    # real powers of the positive inputs, prod x_i**p_i (exp of a linear form in log x_i): p from a grid
    positive = [j for j in range(n) if np.all(Xtr[:, j] > 0) and np.all(Xva[:, j] > 0)]
    if positive and len(positive) <= 2 and not done():
        dtr = _Design(Xtr, poly_exps, mult_exps, "exp")
        dva = _Design(Xva, poly_exps, mult_exps, "exp")
        problem = _Problem("exp", dtr, dva, np.log(Xtr[:, positive]), np.log(Xva[:, positive]), ytr, yva, None)
        problem.powers_of = positive
        grid = (-1.0, -0.5, -0.25, 0.25, 0.5, 1.0)
        for start_p in itertools.product(grid, repeat=len(positive)):
            if clock() > deadline:
                break
            theta = _refine(problem, np.array(start_p, dtype=float), deadline, max_nfev=40)
            v, _ = problem.val_error(theta)
            if math.isfinite(v):
                fits.append((v, theta, problem, []))
                if v <= 1e3 * floor:
                    break
    # a linear form with an offset inside sqrt and log
    rng = np.random.default_rng(0)
    lin_exps = _monomial_exponents(n, 1)
    Ztr, Zva = _eval_monomials(Xtr, lin_exps), _eval_monomials(Xva, lin_exps)
    Zall = np.vstack([Ztr, Zva])
    for family in ("sqrt", "log"):
        if done():
            break
        dtr = _Design(Xtr, poly_exps, mult_exps, family)
        dva = _Design(Xva, poly_exps, mult_exps, family)
        for offset, theta0 in _linear_starts(Zall, rng, family):
            if clock() > deadline:
                break
            if offset is None:
                # the offset is free; one coefficient is held at +-1 (it sets g's scale)
                k, sign = int(theta0[-1]), float(theta0[-2])
                start_theta = np.insert(theta0[:-3], k, sign)
                start_theta = np.append(start_theta, theta0[-3])
                phi_tr = np.column_stack([Ztr, np.ones(len(Ztr))])
                phi_va = np.column_stack([Zva, np.ones(len(Zva))])
                problem = _Problem(family, dtr, dva, phi_tr, phi_va, ytr, yva, None)
                problem.held = k
                theta, exps = start_theta, lin_exps + [tuple([0] * n)]
            else:
                problem = _Problem(family, dtr, dva, Ztr, Zva, ytr, yva, offset)
                theta, exps = theta0, lin_exps
            # continuation: the points near the data's edge u = 0 left out first, then all
            for edge in (0.1, 0.02, 0.0):
                problem.edge = edge
                theta = _refine(problem, theta, deadline, max_nfev=40)
            v, _ = problem.val_error(theta)
            if math.isfinite(v):
                fits.append((v, theta, problem, exps))
                if v <= 1e3 * floor:
                    break
        if fits and min(f[0] for f in fits) <= 1e3 * floor:
            break
    # the closest fits are pruned and written out; one far from rounding error is not worth it
    fits.sort(key=lambda f: f[0])
    # the short refinements that ended nearest are carried on to convergence
    # (the two nearest of each family: one family's near miss may be another's exact fit)
    longer, rest, per_family = [], [], {}
    for v, theta, problem, exps in fits:
        per_family[problem.family] = per_family.get(problem.family, 0) + 1
        if per_family[problem.family] > 2 or clock() > deadline:
            rest.append((v, theta, problem, exps))
            continue
        if v > floor:
            for edge in ((0.02, 0.0) if problem.family in ("sqrt", "log") else (0.0,)):
                problem.edge = edge
                theta = _refine(problem, theta, deadline, max_nfev=200)
            v, _ = problem.val_error(theta)
        longer.append((v, theta, problem, exps))
    fits = sorted(longer + rest, key=lambda f: f[0])
    for v, theta, problem, exps in fits[:3]:
        if clock() > deadline or v > 1e6 * floor:
            break
        built = _build(problem, theta, exps, poly_exps, mult_exps, symbols, Xtr, ytr, Xva, yva, floor, deadline)
        if built is not None:
            found.append(built)
            if built[0] <= floor:
                break
    return _ranked(found)


def _linear_starts(Z: np.ndarray, rng: np.random.Generator, family: str) -> list[tuple[float | None, np.ndarray]]:
    """Starting inner forms for g(offset + a.z): offset 1 with a scaled to keep u > 0 on the data, and
    (offset free) each input's coefficient held at +-1 with the offset at the data's edge u >= 0."""
    n = Z.shape[1]
    margin = 1e-9 if family == "sqrt" else 1e-3
    starts: list[tuple[float | None, np.ndarray]] = []
    directions = [np.eye(n)[i] * s for i in range(n) for s in (1, -1)]
    directions += [d / np.linalg.norm(d) for d in rng.normal(size=(3 * n, n))]
    for d in directions:
        low = float(np.min(Z @ d))
        if low < 0:
            # offset 1: a = d / |low| * 0.999 keeps 1 + a.z > 0 on the data
            starts.append((1.0, d / abs(low) * (1 - margin)))
    for k in range(n):
        for sign in (1.0, -1.0):
            for _ in range(2):
                a = rng.uniform(-1.5, 1.5, n)
                a[k] = sign
                b = -float(np.min(Z @ a)) + margin
                free = np.delete(a, k)
                starts.append((None, np.concatenate([free, [b], [sign], [k]])))
    return starts


def _distinct_minima(scores, grid, count: int) -> list[tuple[float, float]]:
    picked: list[tuple[float, float]] = []
    step = float(np.min(np.diff(np.sort(np.abs(grid))))) if len(grid) > 1 else 1.0
    for s, w in scores:
        if all(abs(w - p) > 2.5 * step for _, p in picked):
            picked.append((s, w))
        if len(picked) >= count:
            break
    return picked


def _ranked(found: list[tuple[float, sp.Expr]]) -> list[sp.Expr]:
    return [e for _, e in sorted(found, key=lambda f: f[0])]


def _build(problem: _Problem, theta, phi_exps, poly_exps, mult_exps, symbols, Xtr, ytr, Xva, yva,
           floor, deadline):
    """Prune columns (inner form fixed), then write the formula with float constants and refit them."""
    u_tr = problem.inner(problem.phi_tr, theta)
    u_va = problem.inner(problem.phi_va, theta)
    A, Av = problem.dtr.columns(u_tr), problem.dva.columns(u_va)
    if A is None or Av is None:
        return None
    keep = list(range(A.shape[1]))

    def err(cols):
        c = _solve(A[:, cols], ytr)
        return _rmse(Av[:, cols] @ c, yva)

    base = err(keep)
    limit = max(2.0 * base, 0.1 * floor)
    while len(keep) > 1 and clock() < deadline:
        trials = [(err([k for k in keep if k != j]), j) for j in keep]
        v, j = min(trials)
        if v > limit:
            break
        keep.remove(j)
    # a column may only make up for an inner constant a little off (x**2*cos(w x) beside x*sin(w x)
    # when w is 1e-7 away): each survivor is offered a drop with the inner form refined without it
    problem.keep = keep
    current, _ = problem.val_error(theta)
    # first by multiplier: m_j*sin(u) and m_j*cos(u) leave together (with many columns the error is flat
    # in the inner constant, each column making up a little for it, so one at a time none can go)
    n_p, n_m = problem.dtr.P.shape[1], problem.dtr.M.shape[1]
    n_g = (A.shape[1] - n_p) // n_m
    groups = [[n_p + k * n_m + j for k in range(n_g)] for j in range(n_m)]
    group_limit = max(2.0 * current, 0.1 * floor)     # against the start: no compounding over drops
    changed = True
    while changed and clock() < deadline:
        changed = False
        for group in groups:
            if clock() > deadline or not any(k in keep for k in group):
                continue
            trial_keep = [k for k in keep if k not in group]
            if not any(k >= n_p for k in trial_keep):
                continue       # the inner form's columns cannot all go
            problem.keep = trial_keep
            t = _refine(problem, theta, deadline, max_nfev=60)
            v, _ = problem.val_error(t)
            if v <= group_limit:
                keep, theta, current, changed = trial_keep, t, v, True
        problem.keep = keep
    changed = len(keep) <= 16
    while changed and len(keep) > 1 and clock() < deadline:
        changed = False
        for j in list(keep):
            if clock() > deadline:
                break
            trial_keep = [k for k in keep if k != j]
            problem.keep = trial_keep
            t = _refine(problem, theta, deadline, max_nfev=60)
            v, _ = problem.val_error(t)
            if v <= max(2.0 * current, 0.1 * floor):
                keep, theta, current, changed = trial_keep, t, min(current, v) if v > 0 else v, True
                break
        problem.keep = keep
    # the inner form refined once more on the columns kept (no refit of every float together: with g's
    # scale held by one constant the rest are identifiable, and a joint refit would drift along the
    # scale that sqrt(k u) = sqrt(k) sqrt(u) leaves free)
    problem.keep = keep
    theta = _refine(problem, theta, deadline, max_nfev=200)
    problem.keep = None
    u_tr = problem.inner(problem.phi_tr, theta)
    u_va = problem.inner(problem.phi_va, theta)
    A, Av = problem.dtr.columns(u_tr), problem.dva.columns(u_va)
    if A is None or Av is None:
        return None
    c = _solve(A[:, keep], ytr)
    # the inner form: small inner constants (relative to the largest) dropped when that costs nothing
    fam = problem.family
    if problem.powers_of is not None:
        # exp(sum p_i log x_i) written as the product of powers it is
        gs = [sp.Mul(*[symbols[i] ** sp.Float(float(t)) for i, t in zip(problem.powers_of, theta)])]
    else:
        u = sum(sp.Float(float(t)) * _sym_monomial(symbols, e) for t, e in zip(theta, phi_exps))
        if problem.offset_fixed is not None:
            u = u + sp.Float(problem.offset_fixed)
        if fam in ("sqrt", "log") and np.median(u_tr) < 0:
            u = -u     # the search fitted g(|u|): on the data u <= 0, so g(-u) is the formula
        gs = [sp.sin(u), sp.cos(u)] if fam == "sin" else [{"exp": sp.exp, "sqrt": sp.sqrt, "log": sp.log}[fam](u)]
    columns = [sp.Integer(1)] + [_sym_monomial(symbols, e) for e in poly_exps]
    mults = [sp.Integer(1)] + [_sym_monomial(symbols, e) for e in mult_exps]
    for g in gs:
        columns += [m * g for m in mults]
    expr = sum(sp.Float(float(ci)) * columns[k] for ci, k in zip(c, keep))
    v2 = _rmse(evaluate(expr, symbols, Xva), yva)
    if not math.isfinite(v2):
        return None
    return (v2, expr) if math.isfinite(v2) else None


def merge_phases(expr: sp.Expr) -> list[sp.Expr]:
    """a*sin(u) + b*cos(u) with b/a a constant, written as c*sin(u + phi) and c*cos(u + phi'), for each of
    the phases phi + k*pi/2 (one of them may be a simple value: -pi/6, or an integer shift of u)."""
    try:
        e = sp.expand(expr)
    except Exception:  # noqa: BLE001 - expansion of a strange form: nothing to merge
        return []
    args = {a.args[0] for a in e.atoms(sp.sin)} & {a.args[0] for a in e.atoms(sp.cos)}
    out = []
    for u in args:
        s, c = sp.Dummy("s"), sp.Dummy("c")
        body = e.xreplace({sp.sin(u): s, sp.cos(u): c})
        if body.has(sp.sin(u)) or body.has(sp.cos(u)):
            continue
        poly = sp.Poly(body, s, c) if body.is_polynomial(s, c) else None
        if poly is None or poly.total_degree() != 1:
            continue
        A = body.coeff(s)
        B = body.coeff(c)
        rest = body.subs({s: 0, c: 0})
        if A == 0 or B == 0:
            continue
        ratio = sp.cancel(B / A)
        if ratio.free_symbols or not ratio.is_number:
            # coefficients that differ by floats: the ratio of their leading terms, if proportional
            ratio = _float_ratio(A, B)
            if ratio is None:
                continue
        k = float(ratio)
        phi = math.atan(k)
        amp = A / math.cos(phi)
        for shift in range(-2, 3):
            p = phi + shift * math.pi / 2
            # sin(u + phi) = sin(u + p - shift*pi/2): as sin when shift is even, as cos when odd
            simple = _simple_values(p)
            phase = simple[0] if simple else sp.Float(p)
            sign = (-1) ** ((shift // 2) % 2) if shift % 2 == 0 else None
            if shift % 2 == 0:
                term = sign * amp * sp.sin(u + phase)
            else:
                # sin(v - pi/2) = -cos(v), sin(v + pi/2) = cos(v), with v = u + p
                term = (amp * sp.cos(u + phase) if shift == -1 else -amp * sp.cos(u + phase)) \
                    if shift in (-1, 1) else None
            if term is not None:
                out.append(rest + term)
    return out


def _float_ratio(A: sp.Expr, B: sp.Expr) -> float | None:
    """B / A when both are the same combination of terms up to one factor (their floats differ)."""
    a_terms = sp.Add.make_args(sp.expand(A))
    b_terms = sp.Add.make_args(sp.expand(B))
    if len(a_terms) != len(b_terms):
        return None
    a_map = {t.as_coeff_Mul()[1]: float(t.as_coeff_Mul()[0]) for t in a_terms}
    b_map = {t.as_coeff_Mul()[1]: float(t.as_coeff_Mul()[0]) for t in b_terms}
    if set(a_map) != set(b_map):
        return None
    ratios = [b_map[k] / a_map[k] for k in a_map if a_map[k] != 0]
    if not ratios or max(ratios) - min(ratios) > 1e-8 * max(1.0, max(abs(r) for r in ratios)):
        return None
    return float(np.mean(ratios))
