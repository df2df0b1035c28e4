"""Expression-tree enumeration: every small formula of the inputs, by size, deduplicated by value.

Trees are built bottom-up by node count from the leaves (each input and the constant 1) with unary
operators (sqrt, log, exp, sin, cos, square, 1/u) and binary ones (+, -, *, /). Every tree is
evaluated at once on a few hundred sample points (vectorised NumPy, all pairs of two size classes in
one broadcast); trees with the same values -- x*x and x**2, or (x+1)-1 and x -- are kept once,
recognised by a fingerprint (the values' dot product with a fixed random vector, rounded), and trees
that are not finite or are constant on the sample are dropped.

Each tree f is then scored as y ≈ a + b·f (a correlation, for all trees in one matrix product), and the
best trees are extended greedily by a second and third tree fitted to the residual, so that sums such as
x1*x2 + sin((x1-1)*(x2-1)) are found although neither part alone explains y. The constants a, b, ...
are linear least squares; the survivors are checked on the full training and held-out points.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import sympy as sp

from nnfit.explain.budget import clock
from nnfit.metrics import rmse as _rmse

SAMPLE_POINTS = 100
MAX_TREES = 80_000          # memory: MAX_TREES x SAMPLE_POINTS float64 values (about 130 MB)
MAX_SIZE = {1: 9, 2: 7, 3: 7}

UNARY = ("sqrt", "log", "exp", "sin", "cos", "sq", "inv")
TRANSCENDENTAL = ("log", "exp", "sin", "cos")   # applied only to algebraic arguments: no sin(exp(log(x)))
BINARY = ("+", "-", "*", "/")


@dataclasses.dataclass
class TreeFit:
    expression: sp.Expr
    val_rmse: float
    train_rmse: float
    size: int
    n_trees: int


class _Pool:
    """All distinct trees so far: values on the sample, structure, size."""

    def __init__(self, n_points: int):
        self.values: list[np.ndarray] = []     # one (count, n_points) block per size
        self.nodes: list[tuple] = []           # (op, a, b) with indices into the pool; leaves ("x", j) / ("1",)
        self.size: list[int] = []
        self.algebraic: list[bool] = []        # no exp/log/sin/cos inside
        self.by_size: dict[int, np.ndarray] = {}
        self.seen: set[int] = set()
        self.rng = np.random.default_rng(12345)
        self.probe = self.rng.normal(size=n_points)
        self.count = 0

    def quota(self, size: int) -> int:
        """Room up to this size: each size may fill at most half of what is left, so larger trees get room."""
        return self.count + max(0, (MAX_TREES - self.count) // 2) if size > 3 else MAX_TREES

    def matrix(self) -> np.ndarray:
        return np.vstack(self.values) if self.values else np.zeros((0, len(self.probe)))

    def add_block(self, V: np.ndarray, nodes: list[tuple], size: int, allow_constant: bool = False,
                  algebraic: Sequence[bool] | bool = True) -> None:
        if isinstance(algebraic, bool):
            algebraic = [algebraic] * len(V)
        if len(V) == 0:
            return
        with np.errstate(all="ignore"):
            finite = np.all(np.isfinite(V), axis=1) & (np.max(np.abs(V), axis=1) < 1e12)
            spread = np.ptp(V, axis=1) > 1e-9 * np.maximum(1.0, np.max(np.abs(V), axis=1))
        ok = finite & (spread | allow_constant)
        V = V[ok]
        nodes = [n for n, k in zip(nodes, ok) if k]
        algebraic = [a for a, k in zip(algebraic, ok) if k]
        if len(V) == 0:
            return
        fingerprints = V @ self.probe
        scale = np.maximum(np.abs(fingerprints), 1e-30)
        keys = np.round(fingerprints / 10 ** np.floor(np.log10(scale)) * 1e9).astype(np.int64) \
            ^ (np.floor(np.log10(scale)).astype(np.int64) << 40)
        keep = []
        for i, key in enumerate(keys.tolist()):
            if key not in self.seen:
                self.seen.add(key)
                keep.append(i)
            if self.count + len(keep) >= self.quota(size):
                break
        if not keep:
            return
        idx = np.arange(self.count, self.count + len(keep))
        self.values.append(V[keep])
        self.nodes.extend(nodes[i] for i in keep)
        self.size.extend([size] * len(keep))
        self.algebraic.extend(algebraic[i] for i in keep)
        self.by_size[size] = np.concatenate([self.by_size.get(size, np.zeros(0, int)), idx])
        self.count += len(keep)


def _unary(op: str, V: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        if op == "sqrt":
            return np.where(V >= 0, np.sqrt(np.abs(V)), np.nan)
        if op == "log":
            return np.where(V > 0, np.log(np.abs(V) + 1e-300), np.nan)
        if op == "exp":
            return np.where(V < 60, np.exp(np.minimum(V, 60)), np.nan)
        if op == "sin":
            return np.sin(V)
        if op == "cos":
            return np.cos(V)
        if op == "sq":
            return V * V
        if op == "inv":
            return np.where(np.abs(V) > 1e-12, 1.0 / V, np.nan)
    raise ValueError(op)


def _binary(op: str, A: np.ndarray, B: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        if op == "+":
            return A + B
        if op == "-":
            return A - B
        if op == "*":
            return A * B
        return np.where(np.abs(B) > 1e-12, A / B, np.nan)


def enumerate_trees(X: np.ndarray, time_limit: float, max_size: int | None = None) -> _Pool:
    n_in = X.shape[1]
    max_size = max_size or MAX_SIZE.get(n_in, 5)
    pool = _Pool(len(X))
    deadline = clock() + time_limit
    leaves = [X[:, j] for j in range(n_in)]
    pool.add_block(np.array(leaves), [("x", j) for j in range(n_in)], 1)
    pool.add_block(np.ones((1, len(X))), [("1",)], 1, allow_constant=True)
    pool.add_block(np.full((1, len(X)), 2.0), [("2",)], 1, allow_constant=True)
    for size in range(2, max_size + 1):
        if clock() > deadline or pool.count >= MAX_TREES:
            break
        M = pool.matrix()
        # unary: children of size - 1
        kids = pool.by_size.get(size - 1, np.zeros(0, int))
        alg = np.array(pool.algebraic, dtype=bool)
        for op in UNARY:
            use = kids[alg[kids]] if op in TRANSCENDENTAL or op == "sqrt" else kids
            if len(use):
                pool.add_block(_unary(op, M[use]), [(op, int(k)) for k in use], size,
                               algebraic=[op not in TRANSCENDENTAL and bool(alg[k]) for k in use])
        # binary: sizes i + j = size - 1
        for i in range(1, size - 1):
            j = size - 1 - i
            A_idx, B_idx = pool.by_size.get(i, np.zeros(0, int)), pool.by_size.get(j, np.zeros(0, int))
            if not len(A_idx) or not len(B_idx):
                continue
            for op in BINARY:
                if op in "+*" and i > j:
                    continue  # commutative: each pair once
                chunk = max(1, 2_000_000 // (len(B_idx) * M.shape[1] + 1))
                for s in range(0, len(A_idx), chunk):
                    if clock() > deadline or pool.count >= MAX_TREES:
                        break
                    a = A_idx[s:s + chunk]
                    V = _binary(op, M[a][:, None, :], M[B_idx][None, :, :]).reshape(-1, M.shape[1])
                    nodes = [(op, int(x), int(y)) for x in a for y in B_idx]
                    both = [bool(alg[x] and alg[y]) for x in a for y in B_idx]
                    pool.add_block(V, nodes, size, algebraic=both)
    return pool


def tree_expr(pool: _Pool, index: int, symbols: Sequence[sp.Symbol]) -> sp.Expr:
    node = pool.nodes[index]
    op = node[0]
    if op == "x":
        return symbols[node[1]]
    if op in ("1", "2"):
        return sp.Integer(int(op))
    if op in UNARY:
        a = tree_expr(pool, node[1], symbols)
        return {"sqrt": sp.sqrt, "log": sp.log, "exp": sp.exp, "sin": sp.sin, "cos": sp.cos,
                "sq": lambda u: u**2, "inv": lambda u: 1 / u}[op](a)
    a, b = tree_expr(pool, node[1], symbols), tree_expr(pool, node[2], symbols)
    return {"+": a + b, "-": a - b, "*": a * b, "/": a / b}[op]


def _corr_scores(F: np.ndarray, r: np.ndarray) -> np.ndarray:
    Fc = F - F.mean(axis=1, keepdims=True)
    rc = r - r.mean()
    denom = np.linalg.norm(Fc, axis=1) * (np.linalg.norm(rc) or 1.0)
    with np.errstate(all="ignore"):
        s = np.abs(Fc @ rc) / denom
    return np.where(np.isfinite(s), s, 0.0)


def tree_search(Xtr: np.ndarray, ytr: np.ndarray, Xva: np.ndarray, yva: np.ndarray,
                symbols: Sequence[sp.Symbol], time_limit: float = 15.0, beams: int = 12,
                max_terms: int = 3, keep: int = 6) -> list[TreeFit]:
    """Sums of up to max_terms enumerated trees, a + sum b_k·tree_k, best first on the held-out points."""
    start = clock()
    rng = np.random.default_rng(0)
    pick = rng.choice(len(Xtr), min(SAMPLE_POINTS, len(Xtr)), replace=False)
    Xs, ys = Xtr[pick], ytr[pick]
    pool = enumerate_trees(Xs, time_limit * 0.6)
    F = pool.matrix()
    if len(F) == 0:
        return []
    deadline = start + time_limit
    scores = _corr_scores(F, ys)
    order = np.argsort(-scores)[:beams]
    combos: list[tuple[int, ...]] = [(int(i),) for i in order]
    frontier = list(combos)
    for _ in range(max_terms - 1):
        grown = []
        for combo in frontier:
            if clock() > deadline:
                break
            A = np.column_stack([np.ones(len(ys))] + [F[i] for i in combo])
            coef = np.linalg.lstsq(A, ys, rcond=None)[0]
            r = ys - A @ coef
            if np.sqrt(np.mean(r**2)) <= 1e-12 * (np.sqrt(np.mean(ys**2)) or 1.0):
                continue
            s = _corr_scores(F, r)
            for i in np.argsort(-s)[:3]:
                grown.append(tuple(sorted(combo + (int(i),))))
        frontier = list(dict.fromkeys(grown))[: beams * 2]
        combos += frontier
    fits: list[TreeFit] = []
    seen = set()
    for combo in combos:
        if combo in seen or clock() > deadline + 0.25 * time_limit:
            continue
        seen.add(combo)
        parts = [tree_expr(pool, i, symbols) for i in combo]
        fns = [sp.lambdify(list(symbols), e, modules="numpy") for e in parts]

        def cols(X):
            out = [np.ones(len(X))]
            with np.errstate(all="ignore"):
                for fn in fns:
                    out.append(np.asarray(fn(*X.T), dtype=float) * np.ones(len(X)))
            return np.column_stack(out)

        Atr, Ava = cols(Xtr), cols(Xva)
        if not (np.all(np.isfinite(Atr)) and np.all(np.isfinite(Ava))):
            continue
        coef = np.linalg.lstsq(Atr, ytr, rcond=None)[0]
        v, tr = _rmse(Ava @ coef, yva), _rmse(Atr @ coef, ytr)
        expr = sp.Float(coef[0]) + sum(sp.Float(c) * e for c, e in zip(coef[1:], parts))
        fits.append(TreeFit(expr, v, tr, sum(pool.size[i] for i in combo), len(combo)))
    fits.sort(key=lambda f: f.val_rmse)
    return fits[:keep]
