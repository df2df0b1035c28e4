"""Step 4a of the static reader: abstract values (intervals, sizes, kinds) and arithmetic on them."""
from __future__ import annotations

import ast
import dataclasses
import math
from typing import Any

from nnfit.doctor.run import LayerInfo


# --------------------------------------------------------------------------------------------------
# Step 4: abstract values


# Columns tracked one by one; a wider array (np.zeros((1, 2**30)) in a pasted test file) keeps a single
# range, so the reader never allocates in proportion to a size written in the script.
MAX_COLUMNS = 256


@dataclasses.dataclass
class V:
    """What the interpreter knows about a value. Element ranges are intervals; n is a sample count."""
    kind: str = "unknown"    # num, seq, tuple, func, class, obj, str, model, opt, layer, none, unknown, loss
    lo: float | None = None
    hi: float | None = None
    integer: bool = False
    n: int | None = None                 # rows (samples) of an array / list
    cols: list["V"] | None = None        # per-column values of a 2-D array
    items: list["V"] | None = None       # tuple / small list contents
    const: Any = None                    # a literal (number, string, list of strings)
    node: Any = None                     # defining ast node (functions, lambdas)
    ref: Any = None                      # model / optimiser / layer record
    line: int | None = None
    dist: str | None = None              # "normal" for randn-like values
    mutable_list: bool = False           # a Python list built by append
    shape: tuple | None = None           # literal array shape, when created with one
    counts: dict | None = None           # class label -> rows, for a column read from a data file
    order: float | None = None           # |rank correlation| of the values with row position (data file)
    exact: bool = False                  # read from a data file, not guessed from literals
    ndim: int | None = None              # array dimensions when known (1: shape (n,), 2: (n, k))
    dtype: str | None = None             # numpy dtype name set by astype / dtype= ("int8", "float32")
    activation: str | None = None        # the activation a value last went through (torch.sigmoid(out))
    param: bool = False                  # a trainable tensor (requires_grad=True, nn.Parameter): a weight, not data
    rows: list["V"] | None = None        # per-row values of a 2-D array whose rows are features (the transpose
                                         # of known columns, np.vstack of feature rows): its columns after .T
    features_first: bool = False         # a prediction of a column-major network (`W @ X`): shape (units,
                                         # samples), n counts the samples along the LAST axis
    made_at: tuple | None = None         # (loop depth, multiplicity) where a list literal was built: appends made
                                         # there run once per list, so its items stay known (row.append(x ** 2))

    @property
    def known(self) -> bool:
        return self.lo is not None and self.hi is not None

    def elem(self) -> "V":
        """One element (row) of a sequence."""
        if self.cols and len(self.cols) == 1:
            return dataclasses.replace(self.cols[0], n=None)
        if self.cols:
            return V("seq", *_union_range(self.cols), integer=all(c.integer for c in self.cols),
                     n=None, cols=None, items=[dataclasses.replace(c, n=None) for c in self.cols])
        return dataclasses.replace(self, n=None, kind="num" if self.kind in ("seq", "num") else self.kind, mutable_list=False)


UNKNOWN = V()


def num(lo: float | None, hi: float | None = None, integer: bool = False, n: int | None = None, **kw: Any) -> V:
    return V("num" if n is None else "seq", lo, lo if hi is None else hi, integer, n, **kw)


def const(value: Any) -> V:
    if isinstance(value, bool):
        return V("num", float(value), float(value), True, const=value)
    if isinstance(value, (int, float)):
        f = float(value)
        return V("num", f, f, isinstance(value, int) or f.is_integer(), const=value)
    if isinstance(value, str):
        return V("str", const=value)
    if value is None:
        return V("none", const=None)
    return V(const=value)


def _union_range(vals: list[V]) -> tuple[float | None, float | None]:
    if not vals or any(not v.known for v in vals):
        return None, None
    return min(v.lo for v in vals), max(v.hi for v in vals)


def _n_of(*vals: V) -> int | None:
    for v in vals:
        if v.n is not None:
            return v.n
    return None


def _safe(f: Any, *args: float) -> float | None:
    try:
        out = f(*args)
    except (OverflowError, ValueError, ZeroDivisionError):
        return None
    return out if isinstance(out, float) and math.isfinite(out) else (float(out) if isinstance(out, int) else None)


def _row_vector(v: V, width: int) -> list[V] | None:
    """A literal row of numbers as wide as the other operand ([100, 10, 1], np.array([...])): it
    broadcasts along the rows, one number per column."""
    if v.cols or width < 2 or (v.ndim or 1) != 1 or v.kind != "seq":
        return None
    if v.items is None and isinstance(v.const, list) and len(v.const) == width \
            and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in v.const):
        return [V("num", float(c), float(c), float(c).is_integer()) for c in v.const]   # np.array([...]) of a literal
    if v.items is None or len(v.items) != width:
        return None
    return list(v.items) if all(i.kind == "num" and i.known for i in v.items) else None


def linear_combination(a: V, b: V) -> V | None:
    """X @ w (np.dot(X, w), X.dot(w)) with the columns of X known and w a literal vector (1-D: one value
    per row) or a literal column ([[.], [.]]: shape (n, 1)): the interval of sum_j X[:, j] * w[j]."""
    if not a.cols:
        return None
    k = len(a.cols)
    column = isinstance(b.const, list) and len(b.const) == k and all(
        isinstance(r, list) and len(r) == 1 and isinstance(r[0], (int, float)) and not isinstance(r[0], bool)
        for r in b.const)
    w = [V("num", float(r[0]), float(r[0]), float(r[0]).is_integer()) for r in b.const] if column \
        else _row_vector(b, k)
    if not w:
        return _shaped_product(a, b, k)
    if not all(c.known for c in a.cols):
        return None
    total = binop(ast.Mult(), dataclasses.replace(a.cols[0], cols=None), w[0])
    for c, x in zip(a.cols[1:], w[1:]):
        total = binop(ast.Add(), total, binop(ast.Mult(), dataclasses.replace(c, cols=None), x))
    return V("seq", total.lo, total.hi, total.integer, a.n, ndim=2 if column else 1,
             shape=(a.n, 1) if column else None, dtype=a.dtype, exact=False)


def _shaped_product(a: V, b: V, k: int) -> V | None:
    """X @ w with w a vector or matrix whose entries are not literals (np.arange(1, 7), a random draw, a
    variable): only the SHAPE of the product is certain. (n, k) @ (k,) is (n,) and (n, k) @ (k, m) is
    (n, m); the element range stays unknown, because bounding it by intervals (k column ranges times w's
    range) is loose by a factor of up to k and would turn into false scale findings."""
    if b.param or b.kind != "seq" or b.cols:
        return None     # trainable weights (weights_applied reads those) or a 2-D array of known columns
    if b.shape and len(b.shape) == 2 and b.shape[0] in (k, None):
        m = b.shape[1]
        return V("seq", n=a.n, ndim=2, shape=(a.n, m) if isinstance(m, int) else None, dtype=a.dtype)
    flat = b.items is not None and len(b.items) == k and all(i.kind == "num" for i in b.items)
    if b.ndim == 1 or (b.ndim is None and b.shape is None and flat):
        if b.n not in (None, k):
            return None
        return V("seq", n=a.n, ndim=1, shape=(a.n,) if a.n else None, dtype=a.dtype)
    return None


def binop(op: ast.operator, a: V, b: V) -> V:
    if a.cols and not b.cols and _row_vector(b, len(a.cols)) and not isinstance(op, ast.MatMult):
        b = dataclasses.replace(b, cols=_row_vector(b, len(a.cols)), n=None)
    elif b.cols and not a.cols and _row_vector(a, len(b.cols)) and not isinstance(op, ast.MatMult):
        a = dataclasses.replace(a, cols=_row_vector(a, len(b.cols)), n=None)
    if a.cols or b.cols:  # column-wise when shapes agree
        ca = a.cols or [a] * len(b.cols or [])
        cb = b.cols or [b] * len(ca)
        if len(ca) == len(cb):
            cols = [binop(op, x, y) for x, y in zip(ca, cb)]
            lo, hi = _union_range(cols)
            return V("seq", lo, hi, all(c.integer for c in cols), _n_of(a, b), cols=cols)
    n = _n_of(a, b)
    kind = "seq" if n is not None or "seq" in (a.kind, b.kind) else "num"
    if a.kind == "str" or b.kind == "str":
        return V("str")
    if not (a.known and b.known):
        return V(kind, n=n)
    integer = a.integer and b.integer
    if isinstance(op, ast.Add):
        lo, hi = a.lo + b.lo, a.hi + b.hi
    elif isinstance(op, ast.Sub):
        lo, hi = a.lo - b.hi, a.hi - b.lo
    elif isinstance(op, (ast.Mult, ast.MatMult)):
        ps = [x * y for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
        lo, hi = min(ps), max(ps)
        if isinstance(op, ast.MatMult):
            return V(kind, n=n)
    elif isinstance(op, ast.Div):
        if b.lo <= 0 <= b.hi:
            return V(kind, n=n)
        ps = [x / y for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
        lo, hi, integer = min(ps), max(ps), False
    elif isinstance(op, ast.FloorDiv):
        if b.lo <= 0 <= b.hi:
            return V(kind, n=n)
        ps = [x // y for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
        lo, hi = min(ps), max(ps)
    elif isinstance(op, ast.Mod):
        if b.known and b.lo > 0:
            lo, hi = 0.0, b.hi
        else:
            return V(kind, n=n)
    elif isinstance(op, ast.Pow):
        if b.lo != b.hi:
            return V(kind, n=n)
        e = b.lo
        cands = [_safe(math.pow, x, e) for x in (a.lo, a.hi)]
        if a.lo < 0 < a.hi and e > 0:
            cands.append(0.0)
        if any(c is None for c in cands):
            return V(kind, n=n)
        lo, hi = min(cands), max(cands)
        integer = integer and e >= 0
    else:
        return V(kind, n=n)
    keep = None
    if isinstance(op, (ast.Mult, ast.Div)):
        if b.lo == b.hi and b.n is None:
            keep = a
        elif a.lo == a.hi and a.n is None and isinstance(op, ast.Mult):
            keep = b
    return V(kind, lo, hi, integer, n, dist=keep.dist if keep else None, shape=keep.shape if keep else None)


_MONOTONE = {
    "exp": math.exp, "log": math.log, "log10": math.log10, "log2": math.log2, "sqrt": math.sqrt,
    "tanh": math.tanh, "arctan": math.atan, "atan": math.atan, "log1p": math.log1p, "expm1": math.expm1,
    "sigmoid": lambda x: 1 / (1 + math.exp(-x)), "cbrt": lambda x: math.copysign(abs(x) ** (1 / 3), x),
    "arcsinh": math.asinh, "sinh": math.sinh,
}


def apply_func(name: str, arg: V) -> V:
    kind = "seq" if arg.n is not None else "num"
    if arg.cols:
        cols = [apply_func(name, c) for c in arg.cols]
        lo, hi = _union_range(cols)
        return V("seq", lo, hi, False, arg.n, cols=cols)
    if not arg.known:
        if name in ("sin", "cos"):
            return V(kind, -1.0, 1.0, n=arg.n)
        if name in ("tanh",):
            return V(kind, -1.0, 1.0, n=arg.n)
        if name in ("sigmoid",):
            return V(kind, 0.0, 1.0, n=arg.n)
        return V(kind, n=arg.n)
    if name in ("sin", "cos"):
        f = math.sin if name == "sin" else math.cos
        if arg.hi - arg.lo >= 2 * math.pi:
            return V(kind, -1.0, 1.0, n=arg.n)
        pts = [arg.lo + (arg.hi - arg.lo) * k / 512 for k in range(513)]
        vals = [f(p) for p in pts]
        return V(kind, min(vals), max(vals), n=arg.n)
    if name in ("abs", "fabs", "absolute"):
        lo = 0.0 if arg.lo <= 0 <= arg.hi else min(abs(arg.lo), abs(arg.hi))
        return V(kind, lo, max(abs(arg.lo), abs(arg.hi)), arg.integer, arg.n)
    if name in ("square",):
        return binop(ast.Pow(), arg, const(2))
    if name in ("round", "floor", "ceil", "rint", "int"):
        return V(kind, math.floor(arg.lo), math.ceil(arg.hi), True, arg.n)
    if name in ("float", "float32", "float64", "asarray", "array"):
        return arg
    f = _MONOTONE.get(name)
    if f is None:
        return V(kind, n=arg.n)
    a, b = _safe(f, arg.lo), _safe(f, arg.hi)
    if a is None or b is None:
        return V(kind, n=arg.n)
    return V(kind, min(a, b), max(a, b), False, arg.n)



def _const_binop(op: ast.operator, a: Any, b: Any) -> Any:
    if isinstance(op, ast.Add):
        return a + b
    if isinstance(op, ast.Sub):
        return a - b
    if isinstance(op, ast.Mult):
        return a * b
    if isinstance(op, ast.Div):
        return a / b
    if isinstance(op, ast.FloorDiv):
        return a // b
    if isinstance(op, ast.Pow) and abs(b) < 64:
        return a ** b
    return None


def _join(a: V, b: V) -> V:
    lo, hi = _union_range([a, b])
    return V(a.kind, lo, hi, a.integer and b.integer, a.n, dist=a.dist if a.dist == b.dist else None)


def _widest(vals: list[V]) -> V:
    """Several definitions of one function (a pasted script with an edited copy): keep the widest range."""
    vals = [v for v in vals if v is not None]
    if not vals:
        return UNKNOWN
    if len(vals) == 1:
        return vals[0]

    def width(v: V) -> float:
        parts = v.items or ([v] if not v.cols else v.cols)
        tot = 0.0
        for p in parts:
            for c in (p.cols or [p]):
                if c.known:
                    tot += abs(c.hi) + abs(c.lo)
        return tot

    return max(vals, key=width)


def _width(v: V) -> int | None:
    """The number of columns of a 2-D array, when known (its columns, or the second entry of its shape)."""
    if v.cols:
        return len(v.cols)
    if v.shape and len(v.shape) == 2 and isinstance(v.shape[1], int) and v.shape[1] >= 0:
        return v.shape[1]
    return None


def transposed(v: V) -> V:
    """X.T of a 2-D array whose two sizes are known: (r, c) becomes (c, r). The columns of X (its
    features, when X holds samples as rows) become the rows of X.T, and back again. Anything else (a
    1-D array, a value of unknown width, a network's output) is returned as it was: .T of those is read
    as the same value."""
    if v.kind != "seq" or v.dist == "prediction" or (v.ndim or 2) != 2:
        return v
    r, c = v.n, _width(v)
    if r is None or c is None or (v.ndim is None and not v.cols and not (v.shape and len(v.shape) == 2)):
        return v
    if v.rows is not None and len(v.rows) == r:
        cols: list[V] | None = [dataclasses.replace(x, n=c, kind="seq") for x in v.rows]
    elif 1 < r <= MAX_COLUMNS:
        cols = [V("seq", v.lo, v.hi, v.integer, c, dist=v.dist, dtype=v.dtype)] * r
    else:
        cols = None
    if cols is not None and len(cols) == 1:
        cols = None
    rows = [dataclasses.replace(x, n=r) for x in v.cols] if v.cols else None
    return dataclasses.replace(v, n=c, cols=cols, rows=rows, shape=(c, r), ndim=2, items=None, mutable_list=False,
                               const=None, counts=None, order=None)


def samples_first(x: V, features: int | None = None) -> V:
    """The data of a column-major network (`W @ X`, X of shape (features, samples)) as the reader records
    data everywhere else: one row per sample, one column per feature. `features` is the weight's input
    width when known (W.shape[1]): an array whose rows already match it is transposed; one whose
    columns match it was transposed already (through a step the reader does not follow) and is kept; a
    1-D vector as long as `features` is ONE sample (W @ x of a matrix and a vector)."""
    if x.kind != "seq":
        return x
    if x.ndim == 1 or (x.ndim is None and not x.cols and not (x.shape and len(x.shape) == 2)):
        if features is not None and x.n == features:
            one = V("seq", x.lo, x.hi, x.integer, 1, dist=x.dist, dtype=x.dtype)
            cols = [one] * features if 1 < features <= MAX_COLUMNS else None
            return V("seq", x.lo, x.hi, x.integer, 1, cols=cols, ndim=2, shape=(1, features), dtype=x.dtype,
                     exact=x.exact)
        return x
    if features is not None and _width(x) == features and x.n != features:
        return x
    return transposed(x)


def _concat_rows(parts: list[V]) -> V:
    lo, hi = _union_range(parts)
    ns = [p.n for p in parts]
    counts = None
    if parts and all(p.counts for p in parts):
        counts = {}
        for p in parts:
            for k, c in p.counts.items():
                counts[k] = counts.get(k, 0) + c
    return V("seq", lo, hi, all(p.integer for p in parts), sum(ns) if all(n is not None for n in ns) else None,
             counts=counts, order=block_order(parts), dtype=parts[0].dtype if parts and all(p.dtype == parts[0].dtype for p in parts) else None)


def block_order(parts: list[V]) -> float | None:
    """|rank correlation| of row position with the values of blocks stacked in order: constant blocks
    (labels written class by class) give sqrt(1 - 1/k**2) for k equal blocks; blocks that are each sorted
    and follow each other in range give 1. Blocks that overlap, or are unordered, give None (unknown)."""
    if len(parts) < 2 or not all(p.known for p in parts):
        return None
    rising = all(a.hi <= b.lo for a, b in zip(parts, parts[1:]))
    falling = all(a.lo >= b.hi for a, b in zip(parts, parts[1:]))
    if not (rising or falling):
        return None
    if all(p.lo == p.hi for p in parts):
        values = {p.lo for p in parts}
        return (1 - 1 / len(values) ** 2) ** 0.5 if len(values) > 1 else None
    orders = [1.0 if p.lo == p.hi else p.order for p in parts]
    return min(orders) if all(o is not None for o in orders) else None



@dataclasses.dataclass
class _Loop:
    """A loop whose body takes optimiser steps (torch): the outermost counts epochs, inner ones batches."""
    count: int | None
    line: int
    depth: int
    batch: int | None
    batch_loop: bool


@dataclasses.dataclass
class _Model:
    name: str
    framework: str
    layers: list[LayerInfo] = dataclasses.field(default_factory=list)
    line: int | None = None




def table_value(table: "Any", frame: bool = False) -> V:
    """A value for a data file read beside the script (static/datafiles.py): per-column ranges, class
    counts and row order; a pandas-style frame keeps the column names in `const`."""
    from nnfit.doctor.static.datafiles import column_facts

    arr = table.values
    cols = []
    for j in range(arr.shape[1]):
        f = column_facts(arr[:, j])
        if not f:
            cols.append(V("seq", n=arr.shape[0]))
            continue
        cols.append(V("seq", f["lo"], f["hi"], f["integer"], f["n"], counts=f["counts"], order=f["order"], exact=True))
    lo, hi = _union_range(cols) if all(c.known for c in cols) else (None, None)
    return V("frame" if frame else "seq", lo, hi, all(c.integer for c in cols), arr.shape[0],
             cols=cols if len(cols) > 1 or frame else None,
             const=list(table.names) if frame and table.names else None, exact=True,
             counts=cols[0].counts if len(cols) == 1 else None, order=cols[0].order if len(cols) == 1 else None)


def select_columns(v: V, picks: list[int]) -> V:
    """Some columns of a 2-D value (a frame keeps the matching names)."""
    if not v.cols:
        return v
    cols = [v.cols[i] for i in picks if -len(v.cols) <= i < len(v.cols)]
    if not cols:
        return v
    names = [v.const[i] for i in picks] if v.kind == "frame" and isinstance(v.const, list) and len(v.const) == len(v.cols) else None
    if len(cols) == 1 and v.kind != "frame":
        return dataclasses.replace(cols[0], n=v.n, kind="seq")
    if len(cols) > MAX_COLUMNS and all(c.known for c in cols):
        # a wide selection (784 pixel columns): one shared range, as for any array this wide
        return V("seq", min(c.lo for c in cols), max(c.hi for c in cols), all(c.integer for c in cols), v.n,
                 ndim=2, shape=(v.n, len(cols)), dist=v.dist, dtype=v.dtype, exact=v.exact)
    lo, hi = _union_range(cols) if all(c.known for c in cols) else (None, None)
    return dataclasses.replace(v, lo=lo, hi=hi, integer=all(c.integer for c in cols), cols=cols, const=names,
                               counts=None, order=None)


def summary_stat(v: V, stat: str, per_column: bool) -> V | None:
    """x.mean() / x.std() / x.min() / x.max() / x.var() of a value with a known range, as a number
    (estimated from the interval: the midpoint, and the spread of a uniform or normal draw); with
    axis=0 one number per column, so (X - X.mean(axis=0)) / X.std(axis=0) reads as standardised."""
    def one(c: V) -> V | None:
        if not c.known:
            return None
        lo, hi = float(c.lo), float(c.hi)
        spread = (hi - lo) / 6 if c.dist == "normal" else (hi - lo) / math.sqrt(12)
        value = {"mean": (lo + hi) / 2, "std": spread, "var": spread ** 2, "min": lo, "max": hi}[stat]
        return V("num", value, value, False)
    if per_column and v.cols:
        cols = [one(c) for c in v.cols]
        if any(c is None for c in cols):
            return None
        return V("num", *_union_range(cols), cols=cols)
    return one(v)
