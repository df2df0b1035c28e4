"""The network (or any smooth surrogate) as oracle: separability and symmetry tests, and the split
into sub-problems (the modularity idea of Udrescu & Tegmark's AI Feynman, written anew here).

An oracle is a function that can be evaluated anywhere in the inputs' box: a fitted network, or the
best approximate formula when that is more accurate than the network. On it:

* additive separability between input groups A | B: f(a,b) + f(a',b') - f(a,b') - f(a',b) = 0;
* multiplicative separability: f(a,b)·f(a',b') - f(a,b')·f(a',b) = 0;
* symmetry: f depends on x_i and x_j only through u = x_i - x_j, x_i + x_j, x_i·x_j or x_i / x_j
  (f is unchanged when (x_i, x_j) moves along the curve u = const);
each measured against the oracle's own error on held-out data, over random points of the box.

A test that passes splits the problem: the parts are slices of the oracle on dense points (1,000 per
part), solved by the same searches as the whole, then joined (g + h, g·h, or g(u)) and every constant of
the joined formula refitted to the real data by Levenberg-Marquardt, so that the oracle's own error
does not end up in the formula.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence

import numpy as np
import sympy as sp

from nnfit.explain.budget import clock
from nnfit.explain.rational import EXACT_FLOOR

SLICE_POINTS = 1000
TEST_PAIRS = 400
# A separability residual counts as zero when its RMS is at most this multiple of the oracle's
# held-out RMSE (four terms each carrying the oracle's error: 2x its RMS for independent errors, and a
# margin for correlated ones).
SEPARABLE_FACTOR = 6.0
# A part of a split problem matches the oracle's slice when its error is within this multiple of the
# oracle's error (one evaluation's error, with a margin); the joined candidates are judged on the data.
PART_FACTOR = 2.0


def _box(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return X.min(axis=0), X.max(axis=0)


def _uniform(rng, low, high, n):
    return rng.uniform(low, high, size=(n, len(low)))


def separability(f: Callable, X: np.ndarray, A: Sequence[int], B: Sequence[int], error: float,
                 rng: np.random.Generator) -> dict[str, float]:
    """RMS of the additive and the (scaled) multiplicative separability residuals, in units of `error`."""
    low, high = _box(X)
    P, Q = _uniform(rng, low, high, TEST_PAIRS), _uniform(rng, low, high, TEST_PAIRS)
    PB, QB = P.copy(), Q.copy()
    PB[:, B], QB[:, B] = Q[:, B], P[:, B]      # (a, b') and (a', b)
    fab, fa2b2, fab2, fa2b = f(P), f(Q), f(PB), f(QB)
    unit = max(error, 1e-300)
    additive = float(np.sqrt(np.mean((fab + fa2b2 - fab2 - fa2b) ** 2))) / unit
    # f(a,b) f(a',b') - f(a,b') f(a',b): each product's error ~ |f|·error
    typical = float(np.sqrt(np.mean(fab**2))) or 1.0
    multiplicative = float(np.sqrt(np.mean((fab * fa2b2 - fab2 * fa2b) ** 2))) / (unit * typical)
    return {"additive": additive, "multiplicative": multiplicative}


SYMMETRIES = {
    "-": (lambda a, b: a - b, lambda u, a: a - u),       # b from (u, a)
    "+": (lambda a, b: a + b, lambda u, a: u - a),
    "*": (lambda a, b: a * b, lambda u, a: u / a),
    "/": (lambda a, b: a / b, lambda u, a: a / u),
}


def symmetry(f: Callable, X: np.ndarray, i: int, j: int, op: str, error: float,
             rng: np.random.Generator) -> float:
    """RMS change of f when (x_i, x_j) moves to another point with the same u = x_i op x_j, in units of error."""
    low, high = _box(X)
    fwd, back = SYMMETRIES[op]
    P = _uniform(rng, low, high, TEST_PAIRS * 4)
    u = fwd(P[:, i], P[:, j])
    Q = P.copy()
    Q[:, i] = rng.uniform(low[i], high[i], len(P))
    with np.errstate(all="ignore"):
        Q[:, j] = back(u, Q[:, i])
    ok = (Q[:, j] >= low[j]) & (Q[:, j] <= high[j]) & np.isfinite(Q[:, j])
    if ok.sum() < 50:
        return math.inf
    d = f(P[ok]) - f(Q[ok])
    return float(np.sqrt(np.mean(d**2))) / max(error, 1e-300)


def refit_constants(expr: sp.Expr, symbols: Sequence[sp.Symbol], X: np.ndarray, y: np.ndarray) -> sp.Expr:
    """Every float of expr (and an added offset and scale) refitted to (X, y) by Levenberg-Marquardt."""
    from scipy.optimize import least_squares

    a, b = sp.Symbol("_scale", real=True), sp.Symbol("_offset", real=True)
    # fractions snapped on the oracle's slices were snapped within the oracle's error: free them again
    expr = expr.xreplace({r: sp.Float(float(r)) for r in expr.atoms(sp.Rational) if not r.is_integer})
    floats = sorted(expr.atoms(sp.Float), key=lambda f: -abs(float(f)))
    params = [sp.Symbol(f"_p{k}", real=True) for k in range(len(floats))]
    body = a * expr.xreplace(dict(zip(floats, params))) + b
    all_params = [a, b] + params
    f = sp.lambdify(list(symbols) + all_params, body, modules="numpy")
    jac = [sp.lambdify(list(symbols) + all_params, sp.diff(body, p), modules="numpy") for p in all_params]
    theta0 = np.array([1.0, 0.0] + [float(v) for v in floats])

    def residual(t):
        with np.errstate(all="ignore"):
            r = np.asarray(f(*X.T, *t), dtype=float) * np.ones(len(X)) - y
        return np.where(np.isfinite(r), r, 1e150)

    def jacobian(t):
        with np.errstate(all="ignore"):
            J = np.column_stack([np.asarray(g(*X.T, *t), dtype=float) * np.ones(len(X)) for g in jac])
        return np.where(np.isfinite(J), J, 0.0)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = least_squares(residual, theta0, jac=jacobian, method="lm", x_scale="jac", ftol=1e-15,
                                xtol=1e-15, gtol=1e-15, max_nfev=200)
        theta = res.x if np.sum(res.fun**2) <= np.sum(residual(theta0) ** 2) else theta0
    except (ValueError, np.linalg.LinAlgError):
        theta = theta0
    values = {p: sp.Float(float(v)) for p, v in zip(all_params, theta)}
    return body.xreplace(values)


def decompose(oracle: Callable, Xtr: np.ndarray, ytr: np.ndarray, Xva: np.ndarray, yva: np.ndarray,
              symbols: Sequence[sp.Symbol], time_limit: float, progress, stages: list[str],
              seed: int = 0, depth: int = 0, *, solve: Callable, split: Callable
              ) -> tuple[list[tuple[sp.Expr, str]], str]:
    """Formulas built from the parts of a separable or symmetric problem, fitted to the data.

    `solve` and `split` are discover.solve / discover.split, passed in (not imported) because the
    search that calls this is also the search that solves the parts: one direction of import only.
    """

    start = clock()
    deadline = start + time_limit
    rng = np.random.default_rng(seed + 101 * depth)
    X = np.vstack([Xtr, Xva])
    n = X.shape[1]

    def f(A: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(oracle(A), dtype=float).reshape(-1)

    error = float(np.sqrt(np.mean((f(Xva) - yva) ** 2)))
    error = max(error, 1e-13 * (float(np.sqrt(np.mean(yva**2))) or 1.0))
    low, high = _box(X)
    out: list[tuple[sp.Expr, str]] = []
    found_structure = ""

    def say(text):
        stages.append(text)
        if progress is not None:
            progress(text)

    def sub_solve(cols: Sequence[int], fixed: np.ndarray, transform, seconds: float, error_gain: float = 1.0):
        """Solve the slice g(x_cols) = transform(f(x_cols, rest fixed))."""
        P = np.tile(fixed, (SLICE_POINTS, 1))
        P[:, cols] = _uniform(rng, low[cols], high[cols], SLICE_POINTS)
        t = transform(f(P))
        if not np.all(np.isfinite(t)):
            return []
        sub_syms = [symbols[c] for c in cols]
        Ptr, ttr, Pva, tva = split(P[:, cols], t, 0.3, seed)
        # a part reproduces the oracle when within twice its error (looser, and simpler wrong parts pass)
        floor = max(PART_FACTOR * error * error_gain, EXACT_FLOOR * (float(np.sqrt(np.mean(tva**2))) or 1.0))
        cands = solve(Ptr, ttr, Pva, tva, sub_syms, seconds, None, seed=seed, tolerance_floor=floor)
        # parts that reproduce the oracle to its accuracy first (simplest first), then the closest ones
        within = sorted([c for c in cands if c.val_rmse <= floor], key=lambda c: c.complexity)
        closest = sorted(cands, key=lambda c: c.val_rmse)
        picked = []
        for c in within[:3] + closest[:3]:   # the simplest parts that match the oracle, and the closest ones
            if all(c is not p for p in picked):
                picked.append(c)
        return [c.expression for c in picked]

    # symmetry: a pair of inputs acting as one variable
    if n >= 2:
        for i in range(n):
            for j in range(i + 1, n):
                for op in ("-", "+", "*", "/"):
                    if clock() > deadline:
                        break
                    score = symmetry(f, X, i, j, op, error, rng)
                    if score <= SEPARABLE_FACTOR:
                        u = sp.Symbol("_u", real=True)
                        found_structure = (f"oracle: {symbols[i]} and {symbols[j]} enter only as "
                                           f"{symbols[i]} {op} {symbols[j]}")
                        say(found_structure)
                        # the reduced problem: inputs (u, others), with x_j recovered from u and x_i fixed mid-range
                        others = [k for k in range(n) if k not in (i, j)]
                        fwd, back = SYMMETRIES[op]
                        U = fwd(X[:, i], X[:, j])
                        xi0 = 0.5 * (low[i] + high[i]) if op in "+-" else float(np.median(X[:, i]))
                        m = SLICE_POINTS
                        Ur = rng.uniform(U.min(), U.max(), m)
                        P = np.tile(0.5 * (low + high), (m, 1))
                        P[:, i] = xi0
                        with np.errstate(all="ignore"):
                            P[:, j] = back(Ur, np.full(m, xi0))
                        for k in others:
                            P[:, k] = rng.uniform(low[k], high[k], m)
                        t = f(P)
                        if not np.all(np.isfinite(t)):
                            continue
                        red = np.column_stack([Ur] + [P[:, k] for k in others])
                        red_syms = [u] + [symbols[k] for k in others]
                        Ptr, ttr, Pva, tva = split(red, t, 0.3, seed)
                        left = deadline - clock()
                        cands = solve(Ptr, ttr, Pva, tva, red_syms, 0.6 * left, None, seed=seed,
                                                   tolerance_floor=SEPARABLE_FACTOR * error)
                        cands.sort(key=lambda c: c.val_rmse)
                        for c in cands[:3]:
                            expr = c.expression.xreplace({u: fwd(symbols[i], symbols[j])})
                            out.append((refit_constants(expr, symbols, Xtr, ytr), f"oracle symmetry ({op})"))
                        return out, found_structure
    # separability between one input and the rest
    splits = [([k], [m for m in range(n) if m != k]) for k in range(n)] if n >= 2 else []
    if n == 2:
        splits = splits[:1]
    for A, B in splits:
        if clock() > deadline:
            break
        s = separability(f, X, A, B, error, rng)
        kind = "additive" if s["additive"] <= SEPARABLE_FACTOR else (
            "multiplicative" if s["multiplicative"] <= SEPARABLE_FACTOR else "")
        if not kind:
            continue
        names_a = ", ".join(str(symbols[k]) for k in A)
        names_b = ", ".join(str(symbols[k]) for k in B)
        found_structure = f"oracle: {kind}ly separable: ({names_a}) | ({names_b})"
        say(found_structure)
        mid = 0.5 * (low + high)
        mid_value = float(f(mid[None, :])[0])
        left = deadline - clock()
        if kind == "additive":
            gs = sub_solve(A, mid, lambda v: v, 0.3 * left)
            hs = sub_solve(B, mid, lambda v: v - mid_value, 0.4 * left)
            joined = [g + h for g in gs[:3] for h in hs[:3]]
        else:
            if abs(mid_value) < 1e-12:
                continue
            gs = sub_solve(A, mid, lambda v: v, 0.3 * left)
            # h = f(mid_a, b) / f(mid): the oracle's error is divided by |f(mid)| too
            hs = sub_solve(B, mid, lambda v: v / mid_value, 0.4 * left, 1.0 / abs(mid_value))
            joined = [g * h for g in gs[:3] for h in hs[:3]]
        for expr in joined:
            if clock() > deadline + 5:
                break
            out.append((refit_constants(expr, symbols, Xtr, ytr), f"oracle {kind}"))
        return out, found_structure
    return out, found_structure
