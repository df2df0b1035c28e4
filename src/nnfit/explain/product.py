"""Sums of products of one-input functions, found fast: y = c0 + sum_k c_k * prod_j phi_kj(x_j).

Many closed forms of two or three inputs are short sums of terms that are each a product of one
function per input: 6 sin(x1) cos(x2), 1.5 exp(x1) + 5 cos(x2), x1 sqrt(x2) cos(x1) - 3.41 x1 + x3,
2.1 cos(9.8 x1) sin(1.3 x2), and the power x1**x2. This stage builds such terms numerically (no
symbolic algebra until a candidate is kept), so that a read-back that fails here fails in well under
a second:

1. per input, a library of one-input functions ("atoms"): powers x..x^4, 1/x and 1/x^2 where x keeps
   one sign, sqrt and log where defined, sin/cos(w x) for w in 1, 2, 3 and the frequencies a
   periodogram finds in y and in (y - mean)^2 (a product's frequency shows in the square when the
   other factor averages to zero), sin/cos(x^2), exp(+-x), exp(-x^2), and x times the trig/exp atoms;
2. columns: every atom, every product of two atoms of different inputs, x_i**x_j for positive x_i,
   sin/cos(w (x_i + a)(x_j + b)) for small integer shifts, and sqrt(+-x_i +- x_j + c) alone or times
   x_k or x_k^2 (c starting at the edge of the rows, where such a root's table ends);
3. supports (which columns) from orthogonal matching pursuit and an exhaustive search over pairs and
   triples of the most promising columns, each scored by least squares on the training rows and RMSE
   on the held-out rows;
4. the best few supports are handed to the term library's polish (Levenberg-Marquardt over the
   coefficients and the frequencies/rates inside the atoms, then simple values for the constants,
   each kept only when the held-out error does not worsen), so a frequency that starts at 1 or at the
   periodogram's estimate ends at 1.3 when the data say so.

The caller (discover.solve) judges each returned formula on the held-out rows; nothing here is
carried unless its held-out error is at rounding level there.
"""
from __future__ import annotations

import dataclasses
import itertools
import math
import warnings
from collections.abc import Sequence

import numpy as np
import sympy as sp

from nnfit.explain.budget import clock
from nnfit.metrics import rmse as _rmse

# Largest input magnitude at which x^2, x^3 and x^4 enter the atoms (the DSO ranges reach 50; beyond
# 1e3 the columns' dynamic range swamps the least squares).
MAX_POWER_SPAN = 1e3
# Trig and exp of x^2 only where x^2 stays small enough to be a sensible argument (span <= 10, as the
# term library).
SQUARE_ARGUMENT_SPAN = 10.0
# exp(+-x) only where it stays within float64's comfortable range for least squares (span <= 30, as
# the term library); exp(-x^2) where the Gaussian is not vanishingly small on most of the data.
EXP_SPAN = 30.0
GAUSS_SPAN = 5.0
# Supports polished by Levenberg-Marquardt: the best by held-out error (each polish compiles the
# formula, 20-80 ms); a support whose least-squares held-out error is above this fraction of the
# target's RMS is not polished (measured on the DSO products with a wrong starting frequency: 0.002
# to 0.3 before the polish; structurally wrong supports sit at 0.3 and above).
POLISH_COUNT = 10
POLISH_MAX_RELATIVE = 0.5
OMP_STEPS = 8
DEBUG = False
POOL = 18
# Columns whose every pair is scored (the most correlated with y; with the one-input columns): 600^2
# pairs cost about 0.1 s.
PAIR_COLUMNS = 600
# Roots x^(1/k) of inputs that are never negative on the data (x^(-1/k) where positive; k = 2 there)
ROOTS = (3, 4)
# Bins of the periodogram's FFT: 8192 keep the phase blur under 0.3 rad up to 800 cycles over the span.
PERIODOGRAM_BINS = 8192
# A periodogram peak is taken as a frequency when its sinusoid explains at least this share of what
# a quadratic trend leaves (random rows of a smooth non-periodic DSO target give spurious peaks of a
# few percent; a product of sinusoids gives 30 % and more, in y or in its square).
PEAK_SHARE = 0.15


@dataclasses.dataclass(frozen=True)
class Atom:
    """A function of one input: kind in pow, inv, sqrt, root (x^(1/k)), log, sin, cos, sin2, cos2, exp, gauss, xsin,
    xcos, xexp; k a power (pow, inv) and w an inner frequency or rate (a parameter of the polish)."""
    j: int
    kind: str
    k: int = 1
    w: float = 1.0

    @property
    def has_param(self) -> bool:
        return self.kind in ("sin", "cos", "sin2", "cos2", "exp", "gauss", "xsin", "xcos", "xexp")

    def values(self, x: np.ndarray) -> np.ndarray:
        w = self.w
        with np.errstate(all="ignore"):
            return {
                "pow": lambda: x**self.k, "inv": lambda: 1.0 / x**self.k, "sqrt": lambda: np.sqrt(x),
                "root": lambda: np.abs(x) ** (1.0 / self.k) if self.k > 0 else np.abs(x) ** (1.0 / self.k),
                "log": lambda: np.log(x), "sin": lambda: np.sin(w * x), "cos": lambda: np.cos(w * x),
                "sin2": lambda: np.sin(w * x * x), "cos2": lambda: np.cos(w * x * x),
                "exp": lambda: np.exp(w * x), "gauss": lambda: np.exp(w * x * x),
                "xsin": lambda: x * np.sin(w * x), "xcos": lambda: x * np.cos(w * x),
                "xexp": lambda: x * np.exp(w * x),
            }[self.kind]()

    def expr(self, x: sp.Symbol, p: sp.Symbol | None) -> sp.Expr:
        w = p if p is not None else sp.Integer(1)
        return {
            "pow": lambda: x**self.k, "inv": lambda: x**-self.k, "sqrt": lambda: sp.sqrt(x),
            "root": lambda: x ** sp.Rational(1, self.k),
            "log": lambda: sp.log(x), "sin": lambda: sp.sin(w * x), "cos": lambda: sp.cos(w * x),
            "sin2": lambda: sp.sin(w * x**2), "cos2": lambda: sp.cos(w * x**2),
            "exp": lambda: sp.exp(w * x), "gauss": lambda: sp.exp(w * x**2),
            "xsin": lambda: x * sp.sin(w * x), "xcos": lambda: x * sp.cos(w * x),
            "xexp": lambda: x * sp.exp(w * x),
        }[self.kind]()


def _periodogram_peak(x: np.ndarray, v: np.ndarray, max_cycles: float) -> float | None:
    """The angular frequency whose sinusoid (beside a quadratic trend) best explains v(x)."""
    span = float(np.ptp(x))
    if span <= 0 or len(x) < 20:
        return None
    trend = np.column_stack([np.ones_like(x), x, x * x])
    r = v - trend @ np.linalg.lstsq(trend, v, rcond=None)[0]
    if not np.any(r):
        return None
    # a periodogram (|sum r e^{-i w x}|^2) on a binned copy of the rows, by one FFT: from half a cycle
    # over the span (slower is a trend) to max_cycles, in steps of 1/10 cycle (a peak is about one
    # cycle wide). Binning blurs the phase by at most pi * cycles / BINS, a loss the exact
    # least-squares refinement below does not share.
    bins = PERIODOGRAM_BINS
    index = np.clip(((x - x.min()) / span * bins).astype(int), 0, bins - 1)
    spectrum = np.abs(np.fft.rfft(np.bincount(index, weights=r, minlength=bins), n=10 * bins)) ** 2
    cycles = np.arange(len(spectrum)) / 10.0
    usable = (cycles >= 0.5) & (cycles <= max_cycles)
    power = np.where(usable, spectrum, -1.0)
    omegas = 2 * math.pi * cycles / span
    best = int(np.argmax(power))
    if power[best] <= 0:
        return None
    from scipy.optimize import minimize_scalar

    def rss(w: float) -> float:
        A = np.column_stack([trend, np.sin(w * x), np.cos(w * x)])
        coef = np.linalg.lstsq(A, v, rcond=None)[0]
        return float(np.sum((A @ coef - v) ** 2))

    step = 2 * math.pi * 0.1 / span
    res = minimize_scalar(rss, bounds=(max(1e-9, omegas[best] - step), omegas[best] + step), method="bounded",
                          options={"xatol": 1e-10})
    if not res.success or float(res.fun) > (1 - PEAK_SHARE) * float(r @ r):
        return None
    return float(res.x)


def _frequencies(x: np.ndarray, y: np.ndarray) -> list[float]:
    """1, 2, 3 and the periodogram's peaks in y and (halved) in (y - mean)^2, where they are new."""
    freqs = [1.0, 2.0, 3.0]
    # cycles: up to half as many as there are rows (random rows do not alias), at most 400 over the span
    max_cycles = min(400.0, len(x) / 2)
    found = []
    for v, factor in ((y, 1.0), ((y - y.mean()) ** 2, 0.5)):
        w = _periodogram_peak(x, v, max_cycles / factor)
        if w is not None:
            found.append(w * factor)
    for w in found:
        if all(abs(w - f) > 1e-3 * max(1.0, f) for f in freqs):
            freqs.append(w)
    return freqs


def atoms_for(j: int, x: np.ndarray, y: np.ndarray) -> list[Atom]:
    lo, hi = float(x.min()), float(x.max())
    span = max(abs(lo), abs(hi))
    atoms = [Atom(j, "pow", 1)]
    if span <= MAX_POWER_SPAN:
        atoms += [Atom(j, "pow", k) for k in (2, 3, 4)]
    if lo > 0 or hi < 0:
        atoms += [Atom(j, "inv", 1), Atom(j, "inv", 2)]
    if lo >= 0:
        atoms.append(Atom(j, "sqrt"))
        atoms += [Atom(j, "root", k=k) for k in ROOTS]
    if lo > 0:
        atoms += [Atom(j, "root", k=-k) for k in ROOTS + (2,)]
    if lo > 0:
        atoms.append(Atom(j, "log"))
    freqs = _frequencies(x, y)
    for w in freqs:
        atoms += [Atom(j, "sin", w=w), Atom(j, "cos", w=w)]
    if span <= SQUARE_ARGUMENT_SPAN:
        atoms += [Atom(j, "sin2"), Atom(j, "cos2")]
    if span <= EXP_SPAN:
        atoms += [Atom(j, "exp", w=1.0), Atom(j, "exp", w=-1.0)]
        if span <= GAUSS_SPAN:
            atoms.append(Atom(j, "gauss", w=-1.0))
    for w in freqs[:1] + freqs[3:]:
        atoms += [Atom(j, "xsin", w=w), Atom(j, "xcos", w=w)]
    if span <= EXP_SPAN:
        atoms += [Atom(j, "xexp", w=1.0), Atom(j, "xexp", w=-1.0)]
    return atoms


Column = tuple  # (atom, ...) of distinct inputs, or ("power", i, j) for x_i**x_j


def _columns(X: np.ndarray, y: np.ndarray, X_all: np.ndarray | None = None) -> tuple[list[Column], np.ndarray]:
    """Columns on the rows X; X_all (training and held-out rows) sets the offsets of the roots of
    two inputs' sums, which must stay defined on every row."""
    n = X.shape[1]
    X_all = X if X_all is None else X_all
    per_input = [atoms_for(j, X[:, j], y) for j in range(n)]
    values = [np.column_stack([a.values(X[:, j]) for a in atoms]) for j, atoms in enumerate(per_input)]
    cols: list[Column] = []
    blocks = []
    for j in range(n):
        cols += [(a,) for a in per_input[j]]
        blocks.append(values[j])
    for i, j in itertools.combinations(range(n), 2):
        prod = (values[i][:, :, None] * values[j][:, None, :]).reshape(len(X), -1)
        cols += [(a, b) for a in per_input[i] for b in per_input[j]]
        blocks.append(prod)
    for i in range(n):
        if X[:, i].min() > 0:
            for j in range(n):
                if i != j:
                    cols.append(("power", i, j))
                    blocks.append(column_values(cols[-1], X)[:, None])
    # sin/cos(w (x_i + a)(x_j + b)), integer shifts |a|, |b| <= 2 (as the term library; w is polished)
    for i, j in itertools.combinations(range(n), 2):
        for a, b in itertools.product(range(-2, 3), repeat=2):
            for fn in ("sin", "cos"):
                cols.append(("pairtrig", fn, i, j, a, b))
                blocks.append(column_values(cols[-1], X)[:, None])
    # sqrt(s_i x_i + s_j x_j + c), alone and times x_k or x_k^2: a table drawn where such a root is
    # defined ends at the root's zero, so c starts at the edge, -min(s_i x_i + s_j x_j), and is polished
    for i, j in itertools.combinations(range(n), 2):
        for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
            c = -float(np.min(si * X_all[:, i] + sj * X_all[:, j]))
            for mult in [None] + [(k, e) for k in range(n) for e in (1, 2)]:
                cols.append(("pairroot", i, j, si, sj, c, mult))
                blocks.append(column_values(cols[-1], X)[:, None])
    return cols, np.column_stack(blocks)


def column_values(col: Column, X: np.ndarray) -> np.ndarray:
    if col and col[0] == "power":
        with np.errstate(all="ignore"):
            return X[:, col[1]] ** X[:, col[2]]
    if col and col[0] == "pairroot":
        _, i, j, si, sj, c, mult = col
        with np.errstate(all="ignore"):
            out = np.sqrt(si * X[:, i] + sj * X[:, j] + c)
        return out if mult is None else out * X[:, mult[0]] ** mult[1]
    if col and col[0] == "pairtrig":
        _, fn, i, j, a, b = col
        u = (X[:, i] + a) * (X[:, j] + b)
        return np.sin(u) if fn == "sin" else np.cos(u)
    out = np.ones(len(X))
    for a in col:
        out = out * a.values(X[:, a.j])
    return out


def _usable(A: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        finite = np.all(np.isfinite(A), axis=0) & (np.max(np.abs(A), axis=0) < 1e150)
        spread = np.ptp(np.where(np.isfinite(A), A, 0.0), axis=0) > 1e-12 * np.maximum(1.0, np.max(np.abs(np.where(np.isfinite(A), A, 0.0)), axis=0))
    return finite & spread


def _omp(An: np.ndarray, yc: np.ndarray, steps: int) -> list[int]:
    order: list[int] = []
    r = yc.copy()
    for _ in range(min(steps, An.shape[1])):
        s = np.abs(An.T @ r)
        s[order] = -1
        j = int(np.argmax(s))
        if s[j] <= 1e-14 * (np.linalg.norm(yc) or 1.0):
            break
        order.append(j)
        coef = np.linalg.lstsq(An[:, order], yc, rcond=None)[0]
        r = yc - An[:, order] @ coef
    return order


def _score(A, Av, y, yv, S):
    M = np.column_stack([np.ones(len(A)), A[:, S]])
    coef = np.linalg.lstsq(M, y, rcond=None)[0]
    with np.errstate(all="ignore"):
        v = _rmse(coef[0] + Av[:, S] @ coef[1:], yv)
    return v, coef


def _best_pairs(An, yc, Ac, norms, A, Av, y, yv, candidates, keep: int = 40) -> list[tuple[int, int]]:
    """The `keep` pairs of candidate columns whose two-column least squares (with intercept) has the
    smallest held-out error, all pairs scored at once from Gram matrices."""
    idx = np.array(sorted(set(int(i) for i in candidates)), dtype=int)
    if len(idx) < 2:
        return []
    T = An[:, idx]
    mean = A[:, idx].mean(axis=0)
    V = (Av[:, idx] - mean) / norms[idx]          # held-out columns, centred with the training means
    yvc = yv - y.mean()
    G = T.T @ T
    r = T.T @ yc
    H = V.T @ V
    h = V.T @ yvc
    d = np.diag(G)
    det = d[:, None] * d[None, :] - G**2
    with np.errstate(all="ignore"):
        ca = (d[None, :] * r[:, None] - G * r[None, :]) / det      # coefficient of column a in pair (a, b)
        cb = (d[:, None] * r[None, :] - G * r[:, None]) / det
        hd = np.diag(H)
        sse = (yvc @ yvc - 2 * (ca * h[:, None] + cb * h[None, :])
               + ca**2 * hd[:, None] + cb**2 * hd[None, :] + 2 * ca * cb * H)
    bad = ~np.isfinite(sse) | (np.abs(det) <= 1e-10 * d[:, None] * d[None, :])
    sse[bad] = np.inf
    sse[np.tril_indices(len(idx))] = np.inf
    flat = np.argsort(sse, axis=None)[:keep]
    a, b = np.unravel_index(flat, sse.shape)
    return [(int(idx[i]), int(idx[j])) for i, j in zip(a, b) if np.isfinite(sse[i, j])]


def supports(A: np.ndarray, Av: np.ndarray, y: np.ndarray, yv: np.ndarray, deadline: float,
             max_terms: int = 6, floor: float = 0.0, cols: Sequence[Column] | None = None
             ) -> list[tuple[float, tuple[int, ...], np.ndarray]]:
    """Scored supports, best held-out RMSE first. cols (the columns' structure) adds the additive
    pairs f(x_i) + g(x_j) of single-input atoms, and each short support with the inputs' linear terms."""
    Ac = A - A.mean(axis=0)
    norms = np.linalg.norm(Ac, axis=0)
    norms[norms == 0] = 1.0
    An = Ac / norms
    yc = y - y.mean()
    proposals: set[tuple[int, ...]] = set()
    omp = _omp(An, yc, OMP_STEPS)
    for k in range(1, min(max_terms, len(omp)) + 1):
        proposals.add(tuple(sorted(omp[:k])))
    corr = np.abs(An.T @ yc)
    pool: list[int] = []
    for j in omp + list(np.argsort(-corr)[:POOL]):
        if int(j) not in pool:
            pool.append(int(j))
    pool = pool[:POOL]
    # the residual of the best single column: a second term that explains it
    for first in pool[:6]:
        coef = np.linalg.lstsq(An[:, [first]], yc, rcond=None)[0]
        r = yc - An[:, [first]] @ coef
        for j in np.argsort(-np.abs(An.T @ r))[:4]:
            if int(j) != first:
                proposals.add(tuple(sorted((first, int(j)))))
    for k in (1, 2, 3):
        for combo in itertools.combinations(pool, k):
            proposals.add(tuple(sorted(combo)))
        if clock() > deadline:
            break
    singles: dict[int, list[int]] = {}
    if cols is not None:
        linear: list[int] = []
        for index, col in enumerate(cols):
            if len(col) == 1 and isinstance(col[0], Atom):
                singles.setdefault(col[0].j, []).append(index)
                if col[0].kind == "pow" and col[0].k == 1:
                    linear.append(index)
        # a short nonlinear part beside the linear terms of every input
        if linear:
            Lr = An[:, linear]
            r = yc - Lr @ np.linalg.lstsq(Lr, yc, rcond=None)[0]
            order = [int(j) for j in np.argsort(-np.abs(An.T @ r)) if int(j) not in linear][:POOL]
            for k in (1, 2):
                for combo in itertools.combinations(order, k):
                    proposals.add(tuple(sorted(set(combo) | set(linear))))
    # every pair of columns (of the PAIR_COLUMNS most correlated with y, and all one-input ones), at
    # once: on a short range the columns are nearly collinear and the greedy proposals miss the exact
    # pair (sin(x1) + sin(x2**2) on [0, 1]^2)
    extra = [i for c in singles.values() for i in c]
    for S in _best_pairs(An, yc, Ac, norms, A, Av, y, yv, list(np.argsort(-corr)[:PAIR_COLUMNS]) + extra):
        proposals.add(S)
    scored = []
    for S in sorted(proposals, key=lambda s: (len(s), s)):
        if clock() > deadline:
            break
        v, coef = _score(A, Av, y, yv, list(S))
        if math.isfinite(v):
            scored.append((v, S, coef))
    # below the rounding floor, held-out errors are noise: the shorter support first
    scored.sort(key=lambda s: (max(s[0], floor), len(s[1]), s[0]))
    return scored


def product_search(Xtr: np.ndarray, ytr: np.ndarray, Xva: np.ndarray, yva: np.ndarray,
                   symbols: Sequence[sp.Symbol], time_limit: float, floor: float,
                   max_terms: int = 6) -> list[sp.Expr]:
    """Formulas c0 + sum c_k * (product of one-input atoms), best first (constants polished and snapped)."""
    from nnfit.explain import sparse as sparse_mod

    start = clock()
    deadline = start + time_limit
    if Xtr.shape[1] < 2 or len(Xtr) < 20:
        return []
    cols, A = _columns(Xtr, ytr, np.vstack([Xtr, Xva]))
    keep = np.flatnonzero(_usable(A))
    cols = [cols[i] for i in keep]
    A = A[:, keep]
    Av = np.column_stack([column_values(c, Xva) for c in cols])
    ok = np.all(np.isfinite(Av), axis=0)
    cols = [c for c, k in zip(cols, ok) if k]
    A, Av = A[:, ok], Av[:, ok]
    if A.shape[1] == 0:
        return []
    scale = float(np.sqrt(np.mean(yva**2))) or 1.0
    scored = supports(A, Av, ytr, yva, start + 0.5 * time_limit, max_terms, floor, cols)
    # to the polish: the best two supports of each size, simplest first (a one-term support whose
    # frequency starts at 1 is worse by least squares than three terms that imitate it, and exact
    # after the polish), then the best overall
    chosen, per_size = [], {}
    for item in scored:
        if per_size.get(len(item[1]), 0) < (4 if len(item[1]) == 1 else 2):
            per_size[len(item[1])] = per_size.get(len(item[1]), 0) + 1
            chosen.append(item)
    chosen.sort(key=lambda s: (len(s[1]), s[0]))
    chosen = [c for c in chosen if c[0] <= POLISH_MAX_RELATIVE * scale]
    out: list[sp.Expr] = []
    polished: set[tuple] = set()
    for v, S, coef in chosen + scored[:2]:
        if len(polished) >= POLISH_COUNT or clock() > deadline:
            break
        key = tuple(sorted(repr(cols[i]) for i in S))
        if key in polished:
            continue
        polished.add(key)
        terms = [_term(cols[i], symbols, k) for k, i in enumerate(S)]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cand = sparse_mod.polish_and_snap(terms, symbols, Xtr, ytr, Xva, yva, np.asarray(coef, float),
                                                  scale, 2, source="products")
        except Exception as exc:  # noqa: BLE001 - one failing polish must not lose the others
            if DEBUG:
                print("polish failed", type(exc).__name__, exc)
            continue
        if math.isfinite(cand.val_rmse):
            out.append((cand.val_rmse, cand.expression))
            if cand.val_rmse <= floor and not cand.expression.has(sp.Float):
                break
    out.sort(key=lambda c: c[0])
    return [e for _, e in out]


def _term(col: Column, symbols: Sequence[sp.Symbol], index: int):
    """The column as a term of the polish; its inner constants are named per term (_pw<term>_<input>)."""
    from nnfit.explain.sparse import Term

    if col[0] == "power":
        return Term(symbols[col[1]] ** symbols[col[2]], {}, "power", complexity=3)
    if col[0] == "pairroot":
        _, i, j, si, sj, c, mult = col
        p = sp.Symbol(f"_pw{index}_c", real=True)
        expr = sp.sqrt(si * symbols[i] + sj * symbols[j] + p)
        if mult is not None:
            expr = expr * symbols[mult[0]] ** mult[1]
        return Term(expr, {p: c}, "root", complexity=8 + (0 if mult is None else 2 * mult[1]))
    if col[0] == "pairtrig":
        _, fn, i, j, a, b = col
        w = sp.Symbol(f"_pw{index}_t", real=True)
        f = sp.sin if fn == "sin" else sp.cos
        return Term(f(w * (symbols[i] + a) * (symbols[j] + b)), {w: 1.0}, fn,
                    complexity=7 + 2 * (a != 0) + 2 * (b != 0))
    expr = sp.Integer(1)
    params: dict[sp.Symbol, float] = {}
    for a in col:
        p = None
        if a.has_param:
            p = sp.Symbol(f"_pw{index}_{a.j}", real=True)
            params[p] = float(a.w)
        expr = expr * a.expr(symbols[a.j], p)
    return Term(expr, params, "product", complexity=2 * len(col) + 1)
