"""NumPy / math / random calls for the abstract interpreter, and hand-written weight updates."""
from __future__ import annotations

import ast
import copy
import dataclasses
import math

from nnfit.doctor.run import OptimizerInfo, UpdateRule
from nnfit.doctor.static.nodes import _GRAD_NAME, _PARAM_NAME, _dotted, _is_lr, _last, _safe_unparse
from nnfit.doctor.static import datafiles, datasets
from nnfit.doctor.static.descent import gradient_orientation
from nnfit.doctor.static.values import (MAX_COLUMNS, UNKNOWN, V, _MONOTONE, _concat_rows, _n_of, _union_range, apply_func, binop,
                                        const, summary_stat, table_value)


class NumpyReader:
    """Mixin of Interpreter (static/interp.py): reads self.config, self.models, ... set up there."""

    def data_file_call(self, last: str, prefix: str, args: list[V], kw: dict[str, V]) -> V | None:
        """np.load / np.loadtxt / np.genfromtxt / pd.read_csv of a literal path beside the script."""
        p = prefix.split(".")[-1] if prefix else ""
        numpy_load = last in ("load", "loadtxt", "genfromtxt") and p in ("np", "numpy")
        pandas_load = last in ("read_csv", "read_table") and p in ("pd", "pandas")
        if not (numpy_load or pandas_load):
            return None
        path = kw.get("fname") or kw.get("filepath_or_buffer") or (args[0] if args else None)
        if path is None or not isinstance(path.const, str):
            return UNKNOWN
        delim = kw.get("delimiter") or kw.get("sep")
        skip = kw.get("skiprows") or kw.get("skip_header")
        header = kw.get("header")
        table = datafiles.read(path.const, self.script_dir,
                               delimiter=delim.const if delim is not None and isinstance(delim.const, str) else None,
                               skiprows=skip.const if skip is not None and isinstance(skip.const, int) else 0,
                               header=False if (header is not None and header.kind == "none") or numpy_load and skip is not None
                               else None)
        if table is None:
            # not beside the script: a well-known data set's file by its name (pima-indians-diabetes.csv,
            # iris.csv, sonar.csv, housing.csv, ...) stands in with its documented table
            sep = delim.const if delim is not None and isinstance(delim.const, str) else ""
            spaces = kw.get("delim_whitespace")
            whitespace = bool(spaces is not None and spaces.const) or sep in (r"\s+", " ") or (numpy_load and delim is None)
            no_header = header is not None and header.kind == "none"
            return datasets.known_file(path.const, whitespace, False if no_header else None, pandas_load) or UNKNOWN
        self.data_files.append(table.path)
        if table.arrays is not None:
            return V("dict", const={name: table_value(datafiles.Table(values=arr.reshape(len(arr), -1) if arr.ndim else arr.reshape(1, 1)))
                                    for name, arr in table.arrays.items()})
        if numpy_load and last != "load" and table.names:
            table = dataclasses.replace(table, names=None)   # numpy skips no header by itself: a NaN first row
        return table_value(table, frame=pandas_load)

    # ---- numpy / math / random
    def library_call(self, dotted: str, last: str, prefix: str, args: list[V], kw: dict[str, V], node: ast.Call) -> V:
        out = self._library_call(dotted, last, prefix, args, kw, node)
        if out.kind == "seq" and (out.ndim or 2) <= 2 and last in _ARRAY_MAKERS:
            # np.empty((n, 50, 2)), torch.randn(n, 5, 3): the abstract value keeps two axes (rows, columns);
            # the number of axes says the array has more
            sizes = [v for v in (kw.get("size"), kw.get("shape")) if v is not None] + [a for a in args if a.kind == "tuple"]
            rank = max((len(v.items) for v in sizes if v.items), default=0)
            if not sizes and len(args) > 2 and all(a.kind == "num" and isinstance(a.const, int) for a in args):
                rank = len(args)
            if rank > 2:
                out = dataclasses.replace(out, ndim=rank)
        return out

    def _library_call(self, dotted: str, last: str, prefix: str, args: list[V], kw: dict[str, V], node: ast.Call) -> V:
        p = prefix.split(".")[-1] if prefix else ""

        def size_of(v: V | None) -> tuple[int | None, int | None]:
            if v is None:
                return None, None
            if isinstance(v.const, int) and not isinstance(v.const, bool):
                return v.const, None
            if v.kind in ("tuple", "seq") and v.items:     # (2, 3) or a list literal [2, 3]
                n = v.items[0].const if isinstance(v.items[0].const, int) else None
                c = v.items[1].const if len(v.items) > 1 and isinstance(v.items[1].const, int) else None
                return n, c
            return None, None

        def shaped(lo: float | None, hi: float | None, integer: bool, n: int | None, c: int | None,
                   dist: str | None = None) -> V:
            if n is None and c is None:
                return V("num", lo, hi, integer, dist=dist)
            base = V("seq", lo, hi, integer, n, dist=dist, shape=(n, c) if c else (n,), ndim=2 if c else 1)
            if c and 1 < c <= MAX_COLUMNS:   # wider arrays (images, ...) keep one shared range
                col = V("seq", lo, hi, integer, n, dist=dist)
                base.cols = [col] * c
            return base

        def dims(vals: list[V]) -> tuple[int | None, int | None]:
            if len(vals) == 1 and vals[0].kind in ("tuple", "seq") and vals[0].items:
                return size_of(vals[0])
            # by position: rand(n, 2) with n unknown is (?, 2), not 2 rows
            pos = [v.const if isinstance(v.const, int) and not isinstance(v.const, bool) else None for v in vals[:2]]
            return (pos[0] if pos else None), (pos[1] if len(pos) > 1 else None)

        loaded = self.data_file_call(last, prefix, args, kw)
        if loaded is not None:
            return loaded
        text = self.text_file_call(last, prefix, args, kw)
        if text is not None:
            return text
        known = self.known_data_call(last, p, args, kw)
        if known is not None:
            return known
        random_mod = p in ("random",) or dotted.startswith("random.")
        numpyish = prefix.startswith(("np", "numpy", "torch", "tf", "jnp")) or p in ("random", "np", "numpy", "torch", "math", "rng")
        if last in ("rand", "random", "random_sample", "sample") and (random_mod or numpyish or p in ("rng", "gen", "generator")):
            if last == "sample" and p == "random" and not prefix.startswith(("np", "numpy")):
                return UNKNOWN
            n, c = dims(args) if last == "rand" or prefix.startswith("torch") else size_of(kw.get("size") or (args[0] if args else None))
            return shaped(0.0, 1.0, False, n, c, dist="uniform")
        if last in ("randn", "standard_normal") and numpyish:
            n, c = dims(args) if last == "randn" else size_of(kw.get("size") or (args[0] if args else None))
            return shaped(-3.0, 3.0, False, n, c, dist="normal")
        if last in ("normal", "gauss") and (numpyish or random_mod):
            loc = kw.get("loc") or kw.get("mean") or (args[0] if args else const(0.0))
            scale = kw.get("scale") or kw.get("std") or (args[1] if len(args) > 1 else const(1.0))
            n, c = size_of(kw.get("size") or (args[2] if len(args) > 2 else None))
            if loc.known and scale.known:
                return shaped(loc.lo - 3 * scale.hi, loc.hi + 3 * scale.hi, False, n, c, dist="normal")
            return shaped(None, None, False, n, c)
        if last == "uniform" and (numpyish or random_mod):
            lo = kw.get("low") or kw.get("a") or (args[0] if args else const(0.0))
            hi = kw.get("high") or kw.get("b") or (args[1] if len(args) > 1 else const(1.0))
            n, c = size_of(kw.get("size") or (args[2] if len(args) > 2 else None))
            exact = lo.known and hi.known and lo.lo == lo.hi and hi.lo == hi.hi     # literal bounds: uniform on them
            return shaped(lo.lo, hi.hi, False, n, c, dist="uniform" if exact else None)
        if last in ("randint", "integers", "random_integers") and (numpyish or random_mod):
            lo = kw.get("low") if "low" in kw else (args[0] if args else None)
            hi = kw.get("high") if "high" in kw else (args[1] if len(args) > 1 else None)
            size = kw.get("size") or (args[2] if len(args) > 2 and not prefix.startswith("torch") else None)
            if prefix.startswith("torch"):
                size = kw.get("size") or (args[-1] if args and args[-1].kind == "tuple" else None)
                if len(args) == 2 and args[1].kind == "tuple":
                    lo, hi = const(0), args[0]
            if hi is None or hi.kind == "none":
                lo, hi = const(0), lo
            # dist "integers": drawn as integers on purpose (rules/integer_typed_data.py reads it)
            if lo is None or hi is None or not (lo.known and hi.known):
                return shaped(None, None, True, *size_of(size), dist="integers")
            inclusive = random_mod and not numpyish or (dotted.startswith("random.") and last == "randint") or last == "random_integers"
            top = hi.hi if inclusive else hi.hi - 1
            n, c = size_of(size)
            return shaped(lo.lo, top, True, n, c, dist="integers")
        if last == "randrange" and random_mod and args:
            # random.randrange(stop) / randrange(start, stop[, step]): one integer in [start, stop - 1]
            lo, hi = (const(0), args[0]) if len(args) == 1 else (args[0], args[1])
            if not (lo.known and hi.known):
                return shaped(None, None, True, None, None)
            return shaped(lo.lo, hi.hi - 1, True, None, None)
        if last == "choice" and (numpyish or random_mod or p in ("rng", "gen", "generator")) and args:
            # np.random.choice([0, 1], size=n, p=[0.9, 0.1]): values from the list, class counts from p
            pool = args[0]
            if isinstance(pool.const, int) and not isinstance(pool.const, bool) and pool.const > 0:
                values = list(range(pool.const))
            elif isinstance(pool.const, list) and pool.const and all(
                    isinstance(v, (int, float)) and not isinstance(v, bool) for v in pool.const):
                values = list(pool.const)
            elif isinstance(pool.const, list) and pool.const and all(isinstance(v, str) for v in pool.const) \
                    and len(pool.const) <= 50:
                # np.random.choice(['cat', 'dog', 'bird'], 900): string labels, as many rows of each as p says
                n, c = size_of(kw.get("size") or (args[1] if len(args) > 1 else None))
                if n is None or c is not None:
                    return V("seq", n=n)
                probs = kw.get("p") or (args[3] if len(args) > 3 else None)
                weights = probs.const if probs is not None and isinstance(probs.const, list) else None
                if weights is None or len(weights) != len(pool.const) or not all(
                        isinstance(w, (int, float)) and not isinstance(w, bool) for w in weights) or sum(weights) <= 0:
                    weights = [1.0] * len(pool.const)
                labels: dict[str, int] = {}
                for v, w in zip(pool.const, weights):
                    labels[v] = labels.get(v, 0) + int(round(n * w / float(sum(weights))))
                return V("seq", n=n, counts=labels, ndim=1, dtype="object")
            else:
                return V("seq" if (kw.get("size") or len(args) > 1) else "num")
            size = kw.get("size") or (args[1] if len(args) > 1 else None)
            n, c = size_of(size)
            integer = all(isinstance(v, int) for v in values)
            out = shaped(float(min(values)), float(max(values)), integer, n, c)
            probs = kw.get("p") or (args[3] if len(args) > 3 else None)
            weights = probs.const if probs is not None and isinstance(probs.const, list) else None
            if out.kind == "seq" and c is None and n and len(values) <= 50:
                if weights is None or len(weights) != len(values) or not all(isinstance(w, (int, float)) for w in weights):
                    weights = [1.0 / len(values)] * len(values) if weights is None else None
                if weights is not None and sum(weights) > 0:
                    total = float(sum(weights))
                    counts: dict[str, int] = {}
                    for v, w in zip(values, weights):
                        counts[f"{v:g}"] = counts.get(f"{v:g}", 0) + int(round(n * w / total))
                    out = dataclasses.replace(out, counts=counts)
            return dataclasses.replace(out, dtype="int64" if integer else "float64") if out.kind == "seq" else out
        if last in ("linspace", "logspace", "geomspace", "arange"):
            made = self._ranges(dotted, last, prefix, args, kw)
            if made.kind == "seq" and numpyish:
                # a 1-D array: shape (n,) (what `reshape(-1, 1)` / `unsqueeze(1)` turns into a column)
                floats = last != "arange" or not made.integer
                dtype = ("float32" if prefix.startswith("torch") else "float64") if floats else "int64"
                made = dataclasses.replace(made, ndim=1, shape=(made.n,) if made.n is not None else None, dtype=dtype)
            return dataclasses.replace(made, order=1.0) if made.n is None or made.n > 1 else made
        if last in ("range", "xrange") and not prefix:     # xrange: Python 2's range
            made = self._ranges(dotted, last, prefix, args, kw)
            return dataclasses.replace(made, order=1.0) if made.n is None or made.n > 1 else made
        return self._library_rest(dotted, last, prefix, args, kw, node, p)

    def _ranges(self, dotted: str, last: str, prefix: str, args: list[V], kw: dict[str, V]) -> V:
        """linspace / logspace / arange / range: evenly spaced values (in order)."""
        if last in ("linspace", "logspace", "geomspace"):
            a = kw.get("start") or (args[0] if args else UNKNOWN)
            b = kw.get("stop") or kw.get("end") or (args[1] if len(args) > 1 else UNKNOWN)
            n = kw.get("num") or kw.get("steps") or (args[2] if len(args) > 2 else const(50 if not prefix.startswith("torch") else 100))
            count = n.const if isinstance(n.const, int) else None
            if last == "logspace" and a.known and b.known:
                return V("seq", 10 ** a.lo, 10 ** b.hi, False, count)
            lo, hi = _union_range([a, b])
            integer = a.integer and b.integer and count is not None and a.known and b.known and count > 1 and \
                float((b.hi - a.lo) / (count - 1)).is_integer()
            return V("seq", lo, hi, integer, count)
        if last == "arange" or (last in ("range", "xrange") and not prefix):
            vals = [a for a in args]
            if len(vals) == 1:
                start, stop, step = const(0), vals[0], const(1)
            elif len(vals) >= 2:
                start, stop = vals[0], vals[1]
                step = vals[2] if len(vals) > 2 else const(1)
            else:
                return V("seq")
            if start.known and stop.known and step.known and step.lo == step.hi and step.lo != 0 and start.lo == start.hi and stop.lo == stop.hi:
                count = max(0, math.ceil((stop.lo - start.lo) / step.lo))
                if count == 0:
                    return V("seq", 0.0, 0.0, True, 0)
                lo = start.lo
                hi = start.lo + step.lo * (count - 1)
                return V("seq", min(lo, hi), max(lo, hi), start.integer and step.integer, count)
            return V("seq", start.lo, (stop.hi - 1) if stop.known else None, True, None)
        return V("seq")

    def _np_append(self, dotted: str, prefix: str, args: list[V], kw: dict[str, V], node: ast.Call, p: str) -> V:
        """np.append(arr, values, axis=0): the rows of both, in order; without an axis both are flattened
        first (a 1-D array of all their elements). An empty start (np.empty((0, 2))) adds nothing, so a
        table built point by point (`X = np.append(X, [[0, 1]], axis=0)`) keeps its size and range."""
        axis = kw.get("axis") or (args[2] if len(args) > 2 else None)
        parts: list[V] = []
        for a in args[:2]:
            if a.kind == "num":
                a = V("seq", a.lo, a.hi, a.integer, 1, ndim=1)
            elif a.kind == "seq" and a.items is not None:
                a = self._library_rest(dotted, "array", prefix, [a], {}, node, p)
            if a.kind != "seq":
                return V("seq")
            if a.n != 0:
                parts.append(a)
        if not parts:
            return V("seq", n=0)

        def width(v: V) -> int | None:
            if v.cols:
                return len(v.cols)
            if v.shape and len(v.shape) > 1:
                return v.shape[1] if isinstance(v.shape[1], int) else None
            return 1 if v.ndim == 1 else None

        if axis is None:
            sizes = [v.n * w if v.n is not None and (w := width(v)) is not None else None for v in parts]
            lo, hi = _union_range(parts)
            total = sum(sizes) if all(z is not None for z in sizes) else None
            return V("seq", lo, hi, all(v.integer for v in parts), total, ndim=1, shape=(total,) if total is not None else None)
        if axis.const != 0 or len({width(v) for v in parts}) != 1:
            return V("seq")
        if len(parts) == 1:
            return parts[0]
        joined = _concat_rows(parts)
        k = width(parts[0])
        if k and 1 < k <= MAX_COLUMNS and all(v.cols and len(v.cols) == k for v in parts):
            joined.cols = [_concat_rows([v.cols[j] for v in parts]) for j in range(k)]
        if k and joined.n is not None:
            joined.shape, joined.ndim = ((joined.n, k) if k > 1 else (joined.n,)), (2 if k > 1 else 1)
        return joined

    def _library_rest(self, dotted: str, last: str, prefix: str, args: list[V], kw: dict[str, V], node: ast.Call,
                      p: str) -> V:
        def dims(vals: list[V]) -> tuple[int | None, int | None]:
            if len(vals) == 1 and vals[0].kind in ("tuple", "seq") and vals[0].items:
                v = vals[0]
                n = v.items[0].const if isinstance(v.items[0].const, int) else None
                c = v.items[1].const if len(v.items) > 1 and isinstance(v.items[1].const, int) else None
                return n, c
            pos = [v.const if isinstance(v.const, int) and not isinstance(v.const, bool) else None for v in vals[:2]]
            return (pos[0] if pos else None), (pos[1] if len(pos) > 1 else None)

        def shaped(lo: float | None, hi: float | None, integer: bool, n: int | None, c: int | None) -> V:
            if n is None and c is None:
                return V("num", lo, hi, integer)
            base = V("seq", lo, hi, integer, n, shape=(n, c) if c else (n,), ndim=2 if c else 1)
            if c and 1 < c <= MAX_COLUMNS:
                base.cols = [V("seq", lo, hi, integer, n)] * c
            return base

        if p in ("np", "numpy", "torch", "jnp") and len(args) >= 2 and last in _BINARY_UFUNCS:
            # np.power(x, 3), np.multiply(a, b), torch.add(a, b): the operator itself
            return binop(_BINARY_UFUNCS[last](), args[0], args[1])
        if p in ("np", "numpy", "torch") and len(args) == 2 and last in ("maximum", "minimum", "fmax", "fmin"):
            a, b = args
            n = a.n if a.n is not None else b.n
            pick = max if last in ("maximum", "fmax") else min
            if a.cols and not b.cols and b.kind == "num" and b.known:
                a, b = b, a
            if b.cols and not a.cols and a.kind == "num" and a.known and all(c.known for c in b.cols):
                # np.maximum(X, 0) of a 2-D array: column by column
                cols = [dataclasses.replace(c, lo=pick(a.lo, c.lo), hi=pick(a.hi, c.hi), integer=a.integer and c.integer,
                                            order=None, counts=None) for c in b.cols]
                lo, hi = _union_range(cols)
                return dataclasses.replace(b, lo=lo, hi=hi, cols=cols, order=None, counts=None, integer=all(c.integer for c in cols))
            if not (a.known and b.known) or a.cols or b.cols:
                return V("seq" if n is not None else "num", n=n, ndim=a.ndim or b.ndim, shape=a.shape or b.shape)
            return V("seq" if n is not None else "num", pick(a.lo, b.lo), pick(a.hi, b.hi), a.integer and b.integer, n,
                     ndim=a.ndim or b.ndim, shape=a.shape or b.shape, dtype=a.dtype or b.dtype)
        if last == "argmax" and p in ("np", "numpy", "torch") and args:
            # np.argmax(scores, axis=1): one integer class label per row, 0 .. k-1 for k columns
            axis = kw.get("axis") or kw.get("dim") or (args[1] if len(args) > 1 else None)
            a = args[0]
            k = len(a.cols) if a.cols else (a.shape[1] if a.shape and len(a.shape) == 2 and isinstance(a.shape[1], int)
                                           else None)
            if axis is not None and axis.const in (1, -1) and k:
                return V("seq", 0.0, float(k - 1), True, a.n, ndim=1, dtype="int64")
        if last == "where" and p in ("np", "numpy", "torch") and len(args) == 3:
            # np.where(cond, a, b): each element is a or b (labels from a condition: np.where(x > 0, 1, 0))
            cond, a, b = args
            n = next((v.n for v in (cond, a, b) if v.n is not None), None)
            lo, hi = _union_range([a, b]) if a.known and b.known else (None, None)
            ints = [v for v in (a, b) if v.kind == "num" and isinstance(v.const, (int, float)) and not isinstance(v.const, bool)]
            dtype = ("int64" if all(isinstance(v.const, int) for v in ints) else "float64") if len(ints) == 2 else (
                a.dtype or b.dtype)
            counts = None
            words = [v.const for v in (a, b) if v.kind == "str" and isinstance(v.const, str)]
            if cond.counts and set(cond.counts) <= {"0", "1"} and len(words) == 2:
                counts = {words[0]: cond.counts.get("1", 0)}            # np.where(x > 2, 'yes', 'no')
                counts[words[1]] = counts.get(words[1], 0) + cond.counts.get("0", 0)
                return V("seq", n=n, ndim=cond.ndim, shape=cond.shape, dtype="object", counts=counts)
            if cond.counts and set(cond.counts) <= {"0", "1"} and len(ints) == 2:
                # the rows where the condition holds take a, the others b (np.where(x > 2, 1, 0))
                counts = {}
                for value, flag in ((a.const, "1"), (b.const, "0")):
                    counts[f"{value:g}"] = counts.get(f"{value:g}", 0) + cond.counts.get(flag, 0)
            return V("seq" if n is not None else "num", lo, hi, a.integer and b.integer, n,
                     ndim=cond.ndim, shape=cond.shape, dtype=dtype, counts=counts)
        if last == "meshgrid" and p in ("np", "numpy", "torch") and args:
            # xx, yy = np.meshgrid(a, b): each holds every grid point (len(a) * len(b) of them, after
            # .ravel()), with the range of its own axis
            grids = [dataclasses.replace(a, kind="seq", items=None, mutable_list=False, cols=None, order=None,
                                         counts=None, const=None, ndim=len(args), shape=None) for a in args]
            # flattened row-major, the grid that varies along the rows repeats each value of its axis in one
            # block (np.repeat): as ordered as that axis; the other cycles through its axis (order unknown).
            # indexing='xy' (the default) blocks the second grid, 'ij' the first
            ij = kw.get("indexing") is not None and kw["indexing"].const == "ij"
            blocked = 0 if ij else 1
            if len(grids) == 2 and args[blocked].order is not None:
                grids[blocked] = dataclasses.replace(grids[blocked], order=args[blocked].order)
            sizes = [a.n for a in args]
            total = math.prod(sizes) if all(isinstance(k, int) for k in sizes) else None
            return V("tuple", items=[dataclasses.replace(g, n=total) for g in grids])
        if last in ("clip", "clamp") and args and args[0].kind == "seq":
            # np.clip(a, lo, hi) / torch.clamp(t, min=, max=): the range cut to the bounds given (None: open)
            lo_v = kw.get("a_min") or kw.get("min") or (args[1] if len(args) > 1 else None)
            hi_v = kw.get("a_max") or kw.get("max") or (args[2] if len(args) > 2 else None)
            v = args[0]
            lo = float(lo_v.const) if lo_v is not None and isinstance(lo_v.const, (int, float)) else None
            hi = float(hi_v.const) if hi_v is not None and isinstance(hi_v.const, (int, float)) else None
            if not v.known:
                return dataclasses.replace(v, items=None, mutable_list=False, cols=None)
            new_lo = max(v.lo, lo) if lo is not None else v.lo
            new_hi = min(v.hi, hi) if hi is not None else v.hi
            return dataclasses.replace(v, lo=min(new_lo, new_hi), hi=max(new_lo, new_hi), items=None, mutable_list=False,
                                       cols=None, counts=None)
        if last in ("len",) and args:
            v = args[0]
            if v.n is not None:
                return const(v.n)
            if v.items is not None:
                return const(len(v.items))
            return V("num", 0.0, None, True)
        if last in ("array", "asarray", "tensor", "Tensor", "FloatTensor", "from_numpy", "as_tensor", "DataFrame",
                    "float32", "float64", "expand_dims", "atleast_2d", "vstack", "squeeze", "copy", "LongTensor",
                    "IntTensor", "DoubleTensor", "ByteTensor", "HalfTensor") and args:
            v = args[0]
            if last in ("Tensor", "FloatTensor", "LongTensor", "IntTensor", "DoubleTensor", "ByteTensor", "HalfTensor") \
                    and all(isinstance(a.const, int) and not isinstance(a.const, bool) and a.kind == "num" for a in args):
                # torch.FloatTensor(1000, 1): an uninitialised tensor of that shape (filled by .uniform_(a, b) ...)
                n, c = args[0].const, (args[1].const if len(args) > 1 else None)
                return V("seq", n=n, shape=(n, c) if c else (n,), ndim=len(args), dist="uninitialised",
                         cols=[V("seq", n=n)] * c if c and 1 < c <= MAX_COLUMNS else None)
            stacked = stacked_rows(v.items, blocks=last == "vstack") if last in ("vstack", "array", "asarray") \
                and v.items else None
            if stacked is not None:
                return stacked
            if last == "vstack" and v.items:
                return _concat_rows(v.items)
            if v.kind == "seq" and v.items is not None and v.items and all(i.kind == "seq" and i.items is not None for i in v.items):
                # nested literal lists: rows x columns
                width = len(v.items[0].items or [])
                if width and all(len(i.items or []) == width for i in v.items):
                    cols = [V("seq", *_union_range([r.items[k] for r in v.items]), all(r.items[k].integer for r in v.items),
                              len(v.items)) for k in range(width)]
                    return V("seq", *_union_range(cols), all(c.integer for c in cols), len(v.items),
                             cols=cols if width > 1 else None, ndim=2, shape=(len(v.items), width))
            if v.kind == "seq":
                flat = v.mutable_list and not v.cols and v.ndim is None and last in (
                    "array", "asarray", "tensor", "Tensor", "FloatTensor", "as_tensor", "LongTensor", "IntTensor",
                    "DoubleTensor", "ByteTensor", "HalfTensor") and (v.items is None or not any(
                        i.kind == "seq" for i in v.items))
                # a Python list of numbers (appended one by one, or written out) is a 1-D array: shape (n,)
                return dataclasses.replace(v, items=None, mutable_list=False, ndim=1 if flat else v.ndim)
            if v.kind == "frame" and last != "DataFrame":
                # np.array(df), torch.tensor(df), np.asarray(df[['a', 'b']]): the table's numbers as an array,
                # positional from here on (as df.values), so `X @ w` reads X as data rows
                return dataclasses.replace(v, kind="seq", const=None)
            return v
        if last == "append" and p in ("np", "numpy") and len(args) >= 2:
            return self._np_append(dotted, prefix, args, kw, node, p)
        if last in ("column_stack", "stack", "hstack", "c_", "concatenate", "cat", "dstack") and args:
            seq = args[0]
            parts = seq.items or []
            axis = kw.get("axis") or kw.get("dim")
            if parts and (last in ("column_stack", "hstack", "dstack") or (axis is not None and axis.const in (1, -1))):
                cols: list[V] = []
                for prt in parts:
                    cols.extend(prt.cols if prt.cols else [dataclasses.replace(prt, kind="seq")])
                lo, hi = _union_range(cols)
                return V("seq", lo, hi, all(c.integer for c in cols), _n_of(*parts), cols=cols)
            if parts and last in ("concatenate", "stack") and (axis is None or axis.const == 0):
                stacked = stacked_rows(parts, vectors=last == "stack", blocks=last == "concatenate")
                if stacked is not None:
                    return stacked      # feature rows of (features, samples) data
            if parts and last in ("concatenate", "cat", "stack"):
                return _concat_rows(parts)
            return V("seq")
        if last in ("zeros", "ones", "empty", "full", "zeros_like", "ones_like"):
            n, c = dims(args[:1]) if args else (None, None)
            if last in ("zeros", "ones", "empty"):
                val = 0.0 if last == "zeros" else 1.0
                return shaped(val if last != "empty" else None, val if last != "empty" else None, True, n, c)
            if last == "full" and len(args) > 1:
                return shaped(args[1].lo, args[1].hi, args[1].integer, n, c)
            return V("seq")
        fname = last.lower()
        if fname in _MONOTONE or fname in ("sin", "cos", "abs", "fabs", "absolute", "square", "round", "floor", "ceil",
                                           "rint", "int", "float"):
            if args and (p in ("np", "numpy", "math", "torch", "tf", "jnp", "") or dotted in ("abs", "round", "int", "float")):
                out = apply_func(fname, args[0])
                if out.kind == "seq" and args[0].kind == "seq":
                    # elementwise: the array keeps its shape (np.tanh(x) of an (n,) vector is (n,)); a float
                    # function of integers is float64
                    src = args[0]
                    rounding = fname in ("round", "floor", "ceil", "rint", "int", "abs", "fabs", "absolute", "square")
                    dtype = src.dtype if rounding or (src.dtype or "").startswith(("float", "bfloat")) else (
                        "float64" if src.dtype else None)
                    out = dataclasses.replace(out, ndim=src.ndim, shape=src.shape, dtype=dtype)
                if fname in _MONOTONE and args[0].order is not None and not out.cols:
                    out = dataclasses.replace(out, order=args[0].order)   # a monotone function keeps the row order
                return out
        if last in ("permutation", "randperm") and args:
            n = args[0].const if isinstance(args[0].const, int) else args[0].n
            return V("seq", 0.0, float(n - 1) if n else None, True, n, dist="permutation", dtype="int64")
        if last == "sort" and args and args[0].kind == "seq":     # sorted (a sorted permutation indexes rows in order)
            return dataclasses.replace(args[0], order=1.0, dist=None if args[0].dist == "permutation" else args[0].dist)
        if last == "repeat" and p in ("np", "numpy") and args and args[0].kind == "seq" and args[0].known:
            k = kw.get("repeats") or (args[1] if len(args) > 1 else None)
            reps = k.const if k is not None and isinstance(k.const, int) else None
            blocks = args[0].n or (len(args[0].items) if args[0].items else None)
            base = args[0]
            ordered = base.order if base.order is not None else None
            return dataclasses.replace(base, n=base.n * reps if base.n and reps else None, items=None,
                                       mutable_list=False, counts=None,
                                       order=(ordered * (1 - 1 / blocks ** 2) ** 0.5) if ordered and blocks and blocks > 1 else None)
        if last in ("mean", "std", "var", "min", "max", "amin", "amax") and p in ("np", "numpy", "torch") and args \
                and args[0].kind == "seq":
            axis = kw.get("axis") or kw.get("dim") or (args[1] if len(args) > 1 else None)
            if axis is None or axis.const == 0:
                stat = summary_stat(args[0], {"amin": "min", "amax": "max"}.get(last, last), axis is not None)
                if stat is not None:
                    return stat
        if last in ("sum", "max", "min", "mean") and not prefix and args and args[0].kind == "seq":
            return V("num")
        if last in ("matmul", "dot") and args:
            return V("seq", n=args[0].n)
        return UNKNOWN

    # ---- a text file read line by line: open(path) / f.readlines() / csv.reader(f) / line.split(',')
    def text_file_call(self, last: str, prefix: str, args: list[V], kw: dict[str, V]) -> V | None:
        if last == "open" and not prefix and args and isinstance(args[0].const, str):
            mode = kw.get("mode") or (args[1] if len(args) > 1 else None)
            if mode is not None and isinstance(mode.const, str) and any(c in mode.const for c in "wab+"):
                return V("obj")
            table = datafiles.read(args[0].const, self.script_dir)
            if table is None or table.arrays is not None:
                return V("obj")
            self.data_files.append(table.path)
            return V("file", n=len(table.values), ref=table_value(table))
        if last == "reader" and prefix.split(".")[-1] == "csv" and args and args[0].kind == "file":
            return dataclasses.replace(args[0], kind="rows")
        if last in ("map", "list", "tuple") and args and args[-1].kind in ("tuple", "seq") and args[-1].items:
            return args[-1]           # list(map(float, line.split(','))): the numbers of the line
        return None

    def text_file_method(self, attr: str, obj: V, args: list[V]) -> V | None:
        if obj.kind == "file" and attr in ("readlines", "read"):
            return dataclasses.replace(obj, kind="file")
        if obj.kind == "file" and attr in ("splitlines",):
            return obj
        if obj.kind == "line" and attr in ("strip", "rstrip", "lstrip", "replace"):
            return obj
        if obj.kind == "line" and attr == "split":
            table = obj.ref
            cols = table.cols if table.cols else [table]
            # each field keeps its column's row order: lines are read, and appended, in file order
            return V("tuple", items=[dataclasses.replace(c, n=None, kind="num", counts=None, exact=False) for c in cols])
        return None

    # ---- named data sets, splits, scalers, label encoders, pass-through wrappers
    def known_data_call(self, last: str, p: str, args: list[V], kw: dict[str, V]) -> V | None:
        if last == "load_data":
            return datasets.keras_load_data(p)
        if last in datasets.SKLEARN_SETS:
            flag = kw.get("return_X_y")
            return datasets.sklearn_load(last, bool(flag is not None and flag.const))
        if last.startswith("make_"):
            return datasets.sklearn_make(last, kw, args)
        if last == "fetch_openml":
            name = kw.get("name") or (args[0] if args else None)
            flag = kw.get("return_X_y")
            if name is not None and isinstance(name.const, str):
                return datasets.openml(name.const, bool(flag is not None and flag.const))
        if p == "transforms" and last in ("ToTensor", "Normalize", "Compose"):
            # torchvision transforms: which of them a data set applies decides its images' range
            if last == "Compose":
                steps = args[0].items if args and args[0].items else []
                names = [str(t.const)[len("transform:"):] for t in steps
                         if t.kind == "obj" and isinstance(t.const, str) and t.const.startswith("transform:")]
                return V("obj", const="transform:" + "+".join(names))
            return V("obj", const="transform:" + ("to_tensor" if last == "ToTensor" else "normalize"))
        if last in datasets.TORCHVISION_SETS and p == "datasets":
            train = kw.get("train") or (args[1] if len(args) > 1 else None)
            transform = kw.get("transform")
            steps = transform.const if transform is not None and isinstance(transform.const, str) else ""
            ds = datasets.torchvision_dataset(last, not (train is not None and train.const is False), steps)
            if ds is not None and self.torch_data is None and not (train is not None and train.const is False):
                self.torch_data = (ds.items[0], ds.items[1], 0)     # the training set: what the network learns
            return ds
        if last in ("Variable", "Parameter") and args and args[0].kind in ("seq", "num"):
            return args[0]      # torch.autograd.Variable(x) (old PyTorch), nn.Parameter(t): the same values
        if last == "unsqueeze" and args and args[0].kind == "seq":
            return unsqueezed(args[0])
        if last == "pow" and len(args) == 2:
            return binop(ast.Pow(), args[0], args[1])
        if last == "train_test_split" and args:
            return split_rows(args, kw)
        if last in ("to_categorical", "one_hot") and args:
            k = kw.get("num_classes") or (args[1] if len(args) > 1 else None)
            return one_hot(args[0], k.const if k is not None and isinstance(k.const, int) else None)
        if last == "Series" and args and args[0].kind == "seq" and p in ("pd", "pandas", ""):
            return dataclasses.replace(args[0], ndim=1) if not args[0].cols else args[0]   # pd.Series(values)
        if last == "get_dummies" and args:
            return one_hot(args[0], None)
        if last in ("scale", "minmax_scale", "maxabs_scale", "robust_scale") and p == "preprocessing" and args:
            return scaled(args[0], last.replace("_scale", "").replace("scale", "standard"))
        if last in SCALERS:
            rng = kw.get("feature_range")
            return V("obj", const=("scaler", SCALERS[last], rng.const if rng is not None and isinstance(rng.const, tuple) else None))
        if last == "DataFrame" and not args and not kw:
            return V("frame", n=None, cols=[], const=[])    # filled column by column: df['x'] = ...
        columns = kw.get("columns")
        names = columns.const if columns is not None and isinstance(columns.const, list) else None
        if last == "DataFrame" and args and names and all(isinstance(c, str) for c in names) \
                and args[0].kind in ("seq", "frame") and args[0].cols and len(args[0].cols) == len(names):
            # pd.DataFrame(bunch.data, columns=bunch.feature_names): the array's columns, named
            return dataclasses.replace(args[0], kind="frame", const=list(names))
        if last == "DataFrame" and args and args[0].kind == "dict" and isinstance(args[0].const, dict) and args[0].const:
            # pd.DataFrame({'x': ..., 'y': ...}): named columns, as a CSV with a header gives them
            names = [k for k in args[0].const if isinstance(k, str)]
            cols = [dataclasses.replace(args[0].const[k], kind="seq", ndim=1) for k in names]
            n = next((c.n for c in cols if c.n is not None), None)
            lo, hi = _union_range(cols) if all(c.known for c in cols) else (None, None)
            return V("frame", lo, hi, all(c.integer for c in cols), n, cols=cols, const=names)
        if last == "read_data_sets":
            return V("obj", const=("tf_mnist", "all"))
        if last in ("LabelBinarizer", "OneHotEncoder"):
            return V("obj", const=("onehot",))
        if last == "LabelEncoder":
            return V("obj", const=("labels",))
        return None

    def data_transform_method(self, attr: str, obj: V, args: list[V]) -> V | None:
        """scaler.fit(X) / .fit_transform(X) / .transform(X); LabelBinarizer().fit_transform(y)."""
        tag = obj.const if obj.kind == "obj" and isinstance(obj.const, tuple) else None
        if not tag:
            return None
        if tag[0] == "pl_trainer":
            if attr == "fit" and args:
                if tag[1] is not None:
                    self.config.epochs = tag[1]
                module = args[0]
                cls = self.classes.get(module.const) if isinstance(module.const, str) else None
                hook = next((f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "configure_optimizers"),
                            None) if cls is not None else None
                if hook is not None:     # the optimiser it returns is the one Lightning steps
                    got = self.call_user(hook, [], {}, {}, 1, self_obj=module)
                    for opt in ([got] if got.kind == "opt" else list(got.items or [])):
                        if opt.kind == "opt" and isinstance(opt.ref, OptimizerInfo):
                            opt.ref.passed_to_compile = True
                            self.compiled = self.compiled or opt.ref
                return V("none")
            return None
        if tag[0] == "keras_wrapper":
            if attr == "fit" and len(args) >= 2 and isinstance(obj.ref, dict):
                self.wrapper_fit(self._call_node, obj, args[0], args[1], None)     # estimator.fit(X, y)
                return obj
            return V("seq") if attr in ("predict", "predict_proba", "score") else None
        if attr == "fit":
            return obj
        if attr in ("fit_transform", "transform") and args:
            if tag[0] == "scaler":
                return scaled(args[0], tag[1], tag[2])
            if tag[0] == "onehot":
                return one_hot(args[0], None)
            if tag[0] == "labels":
                return encoded_labels(args[0])
        return None

    # ---- dtypes
    _DTYPE_NAMES = {"float": "float32", "float32": "float32", "float64": "float64", "double": "float64",
                    "half": "float16", "float16": "float16", "long": "int64", "int": "int64", "int64": "int64",
                    "int32": "int32", "int16": "int16", "int8": "int8", "uint8": "uint8", "short": "int16",
                    "bool": "bool", "uint16": "uint16", "uint32": "uint32"}
    # NumPy / torch defaults for arrays created without dtype=
    _FLOAT_MAKERS = {"zeros", "ones", "empty", "linspace", "logspace", "rand", "randn", "random", "normal",
                     "uniform", "standard_normal", "random_sample", "FloatTensor", "eye"}
    _INT_MAKERS = {"randint", "integers", "random_integers", "LongTensor"}

    def with_dtype(self, v: V, last: str, prefix: str, args: list[V], node: ast.Call) -> V:
        """The dtype of an array a library call makes: dtype= when given, else the library's default."""
        if v.kind != "seq":
            return v
        for k in node.keywords:
            if k.arg == "dtype":
                dotted = k.value.value if isinstance(k.value, ast.Constant) and isinstance(k.value.value, str) else (
                    _dotted(k.value) if isinstance(k.value, (ast.Name, ast.Attribute)) else None)
                name = _last(dotted)
                if name in ("float", "int") and not (dotted or "").startswith("torch"):
                    name = name + "64"       # Python's float / int and np.float: NumPy's 64-bit types
                return dataclasses.replace(v, dtype=self._DTYPE_NAMES.get(name, name or None))
        typed = {"FloatTensor": "float32", "LongTensor": "int64", "IntTensor": "int32", "DoubleTensor": "float64",
                 "ByteTensor": "uint8", "HalfTensor": "float16"}
        if last in typed and args:       # torch.LongTensor(y): that type whatever y held
            return dataclasses.replace(v, dtype=typed[last], integer=v.integer or "int" in typed[last])
        if v.dtype:
            return v
        dtype = None
        torch = prefix.startswith("torch") or last in ("tensor", "Tensor", "FloatTensor", "LongTensor")
        if last in self._FLOAT_MAKERS:
            dtype = "float32" if torch else "float64"
        elif last in self._INT_MAKERS:
            dtype = "int64"
        elif last in ("IntTensor", "DoubleTensor", "ByteTensor", "HalfTensor"):
            dtype = {"IntTensor": "int32", "DoubleTensor": "float64", "ByteTensor": "uint8", "HalfTensor": "float16"}[last]
        elif last == "arange" and args:
            dtype = "int64" if all(a.kind == "num" and isinstance(a.const, int) for a in args) else "float64"
            dtype = "float32" if torch and dtype == "float64" else dtype
        elif last in ("tensor", "as_tensor", "from_numpy") and args and args[0].dtype:
            dtype = "float32" if args[0].dtype == "float64" and last == "tensor" else args[0].dtype
        elif last == "Tensor":
            dtype = "float32"
        return dataclasses.replace(v, dtype=dtype) if dtype else v

    # ---- numpy update rules
    def note_update_assign(self, target: ast.Attribute, stmt: ast.Assign, env: dict[str, V]) -> None:
        self._note_update(target, stmt.value, stmt, env, aug_op=None)

    def note_update_aug(self, stmt: ast.AugAssign, env: dict[str, V]) -> None:
        if isinstance(stmt.op, (ast.Sub, ast.Add)):
            self._note_update(stmt.target, stmt.value, stmt, env, aug_op=stmt.op)

    def _helper_step(self, value: ast.AST) -> ast.AST | None:
        """`W = step(W, dW)` / `w = self.gradient(w, dw)` with `def step(w, dw, lr=0.1): return w - lr * dw`:
        the helper's returned expression with its parameters replaced by the call's arguments (defaults for
        the rest), i.e. `W - 0.1 * dW`, so the update reads as if written out. Only a helper whose body is
        one `return` of a sum or difference (a docstring aside); anything else is left alone."""
        if not isinstance(value, ast.Call) or any(isinstance(a, ast.Starred) for a in value.args) \
                or any(k.arg is None for k in value.keywords):
            return None
        func = value.func
        name = func.id if isinstance(func, ast.Name) else (
            func.attr if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self" else None)
        defs = self.funcs.get(name or "", [])
        if len(defs) != 1 or not isinstance(defs[0], ast.FunctionDef):
            return None
        fn = defs[0]
        body = [b for b in fn.body if not (isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant))]
        if len(body) != 1 or not isinstance(body[0], ast.Return) or not isinstance(body[0].value, ast.BinOp) \
                or not isinstance(body[0].value.op, (ast.Sub, ast.Add)):
            return None
        params = [a.arg for a in fn.args.args]
        if isinstance(func, ast.Attribute):
            params = params[1:]         # self
        if fn.args.vararg or fn.args.kwarg or len(value.args) > len(params):
            return None
        bound: dict[str, ast.AST] = dict(zip(params, value.args))
        for k in value.keywords:
            if k.arg not in params:
                return None
            bound[k.arg] = k.value
        defaults = fn.args.defaults
        for p, d in zip(params[len(params) - len(defaults):], defaults):
            bound.setdefault(p, d)
        if any(p not in bound for p in params):
            return None

        class _Sub(ast.NodeTransformer):
            def visit_Name(self, node: ast.Name) -> ast.AST:   # noqa: N802 - ast API
                return copy.deepcopy(bound[node.id]) if node.id in bound and isinstance(node.ctx, ast.Load) else node

        out = _Sub().visit(copy.deepcopy(body[0].value))
        for n in ast.walk(out):
            ast.copy_location(n, value)
        return out

    def _note_update(self, target: ast.AST, value: ast.AST, stmt: ast.stmt, env: dict[str, V], aug_op: ast.operator | None) -> None:
        if aug_op is None and isinstance(value, ast.Call):
            value = self._helper_step(value) or value
        while isinstance(target, ast.Attribute) and target.attr == "data":
            target = target.value          # a.data -= lr * a.grad.data: an update of a
        tname = _dotted(target) if isinstance(target, (ast.Name, ast.Attribute)) else (
            _dotted(target.value) if isinstance(target, ast.Subscript) else None)
        if not tname:
            return
        short = _last(tname)
        # made with requires_grad=True, whatever its name; or bound by `for p in model.parameters()`: each
        # weight and bias of the model in turn (interp.iter_elem), as `for p in (w, b)` binds each listed one
        trainable = tname in env and (env[tname].param or env[tname].kind == "params")
        if not (_PARAM_NAME.match(short) or trainable) or _GRAD_NAME.search(short) \
                or short.lower().endswith(("_old", "old", "_new", "new")):
            return
        step: ast.AST | None = None
        if aug_op is not None:
            step = value
            added = isinstance(aug_op, ast.Add)
        elif isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Sub, ast.Add)):
            base = _dotted(value.left)
            if base is None and isinstance(target, ast.Name) and _key(value.left) == target.id:
                base = tname    # W1 = parameters["W1"] - learning_rate * grads["dW1"]: the weight kept in a dict
            if base is None and isinstance(target, ast.Subscript) and isinstance(value.left, ast.Subscript) \
                    and _dotted(value.left.value) == tname and _safe_unparse(value.left) == _safe_unparse(target):
                base = tname    # W[i, j] = W[i, j] - lr * dW[i, j]: the same entry, stepped
            if base is None or not self._same_param(base, tname, env):
                return
            step = value.right
            added = isinstance(value.op, ast.Add)
        if step is None:
            return
        whole_step = step
        # the step must look like lr * G (or G * lr, or G / n)
        grad_node = step
        lr_seen = False
        lr_node: ast.AST | None = None
        if isinstance(step, ast.UnaryOp) and isinstance(step.op, ast.USub):
            step = step.operand      # w.add_(-lr * w.grad)
            grad_node = step
        divisors: list[ast.AST] = []
        if isinstance(step, ast.BinOp) and isinstance(step.op, (ast.Mult, ast.Div)):
            l, r = step.left, step.right
            if isinstance(l, ast.UnaryOp) and isinstance(l.op, ast.USub):
                l = l.operand
            if _is_lr(l):
                grad_node, lr_seen, lr_node = r, True, l
            elif _is_lr(r):
                grad_node, lr_seen, lr_node = l, True, r
            else:
                # lr * g / n, (lr / n) * g: a chain of products and quotients; the rate is one factor, the
                # gradient the other factor above the line, and what is below the line divides the step
                top, below = _factors(step)
                rate = next((f for f in top if _is_lr(f)), None)
                rest = [f for f in top if f is not rate]
                if rate is not None and len(rest) == 1:
                    grad_node, lr_seen, lr_node, divisors = rest[0], True, rate, below
        if isinstance(grad_node, ast.UnaryOp):
            grad_node = grad_node.operand
        if not lr_seen:
            self._implicit_rate_step(short, whole_step, stmt, added, env)
            return
        names = {(_dotted(n) or "") for n in ast.walk(grad_node) if isinstance(n, (ast.Name, ast.Attribute))}
        names.discard("")
        for nm in names:
            self.update_reads.add(_last(nm))
        gname = _dotted(grad_node)
        while gname and gname.endswith(".data") and gname != "data":
            gname = gname[:-len(".data")]      # p.data -= lr * p.data: the weights of p, as the target's .data is p
        if gname is None and _key(grad_node) is not None and _GRAD_NAME.search(_key(grad_node) or ""):
            gname = _key(grad_node)     # grads["dW1"]: the gradient by its key (grads['W2'] is not the weight)
            self.update_reads.add(gname)
        if gname is None and isinstance(grad_node, ast.Subscript) and _key(grad_node) is None:
            gname = _dotted(grad_node.value)    # W[i, j] - lr * W[i, j]: an entry of that array
        uses: bool | None = None
        note = None
        if gname and self._same_param(gname, tname, env):
            uses = False
            note = f"the step is `{ast.unparse(step)}`: the weights themselves, not their gradient"
        elif any(_GRAD_NAME.search(_last(n)) or _last(n) in self.derived_gradients for n in names):
            uses = True
        orientation = None
        if uses:
            # a gradient written by hand from the residual: does the step go down it or up it?
            orientation = gradient_orientation(whole_step, self.assigned_values.get,
                                               lambda sub: self.residuals.get(sub))
            if orientation is not None and (orientation > 0) == added:
                uses = False
                note = (f"the step `{_safe_unparse(stmt)}` climbs the loss (gradient ascent): `{_safe_unparse(whole_step)}` "
                        f"points {'along' if orientation > 0 else 'against'} the gradient (the sign of the residual "
                        f"prediction - target it is built from), so it must be {'subtracted' if added else 'added'}")
        if uses and lr_node is not None and any(n.endswith(".grad") or ".grad." in n for n in names):
            # `w -= lr * w.grad`: plain SGD by hand on autograd's gradients; each pass is one update
            rate = self.eval(lr_node, env, 1)
            if isinstance(rate.const, (int, float)) and not isinstance(rate.const, bool) and rate.const > 0:
                self.manual_sgd.append((float(rate.const), self.line(stmt) or 0))
            for d in divisors:      # w -= lr * w.grad / batch_size: the step divided by a count
                value = self.eval(d, env, 1)
                if isinstance(value.const, (int, float)) and not isinstance(value.const, bool) and value.const > 1:
                    self.grad_divisors.append((float(value.const), _safe_unparse(d), self.line(stmt) or 0))
            self._step_calls += 1
        elif uses and lr_node is not None and self._averaged_gradient(
                (self.gradient_values.get(_last(gname)) or self.derived_gradients.get(_last(gname))) if gname else grad_node, env):
            # `w = w - lr * grad` with `grad = X.T @ (pred - y) / len(X)`: gradient descent by hand on the
            # mean loss's gradient, i.e. plain SGD at that rate (a summed gradient is left alone: its
            # effective rate is lr x n)
            rate = self.eval(lr_node, env, 1)
            if isinstance(rate.const, (int, float)) and not isinstance(rate.const, bool) and rate.const > 0:
                self.manual_sgd.append((float(rate.const), self.line(stmt) or 0))
                if orientation is not None:
                    # a step on a gradient built from the residual: one update of a training loop written by
                    # hand (its loops give the epochs); on a linear output that gradient is the squared error's
                    self._step_calls += 1
                    self.custom_loop = True
                    if self.config.loss is None and not self.residual_activated:
                        self.config.loss = "mse"
        key = (self.line(stmt) or 0, short)
        self.updates[key] = UpdateRule(parameter=short, expression=_safe_unparse(stmt), uses_gradient=uses,
                                       line=self.line(stmt))
        self.updates[key].span = self.span(stmt)  # type: ignore[attr-defined]
        self.updates[key].note = note  # type: ignore[attr-defined]
        self.updates[key].gradient = gname  # type: ignore[attr-defined]

    def _implicit_rate_step(self, short: str, step: ast.AST, stmt: ast.stmt, added: bool, env: dict[str, V]) -> None:
        """`w0 += X.T.dot(y - pred)`: a hand-written step on a gradient summed over the rows, built from the
        residual of a linear output, with no learning-rate factor at all: plain SGD at rate 1 on the summed
        loss (n times that on the mean). Recorded as such, so the learning-rate rules judge it. Not a mean's
        gradient (`/ len(X)`, np.mean): rate 1 on it can be a stable step for scaled data. Only
        a residual of a linear (unactivated) prediction: a delta through a sigmoid's derivative
        (`syn0 += l0.T.dot(l1_delta)`) is the classic from-scratch network whose steps the derivative keeps
        small, and rate 1 is its ordinary setting."""
        if self.residual_activated:
            return
        named = self.assigned_values.get(step.id) if isinstance(step, ast.Name) else None
        if self._averaged_gradient(step, env) or self._averaged_gradient(named, env):
            return      # a mean's gradient at rate 1 can be stable on scaled data; only the summed one is n times it
        orientation = gradient_orientation(step, self.assigned_values.get, lambda sub: self.residuals.get(sub))
        if orientation is None or (orientation > 0) == added:
            return      # no residual in the step, or one it climbs (the ascent note is the lr case's)
        line = self.line(stmt) or 0
        self.manual_sgd.append((1.0, line))
        self._step_calls += 1
        self.custom_loop = True
        if self.config.loss is None:
            self.config.loss = "mse"
        key = (line, short)
        self.updates[key] = UpdateRule(parameter=short, expression=_safe_unparse(stmt), uses_gradient=True, line=line)
        self.updates[key].span = self.span(stmt)  # type: ignore[attr-defined]
        self.updates[key].note = None  # type: ignore[attr-defined]
        self.updates[key].gradient = _dotted(step)  # type: ignore[attr-defined]

    def _averaged_gradient(self, value: ast.AST | None, env: dict[str, V], depth: int = 0) -> bool:
        """Is this gradient expression a mean over rows: divided by a row count (`/ len(X)`,
        `/ X.shape[0]`, `/ n` with n >= 10, `(1 / m) * ...`) or taken with np.mean? Or built from a
        gradient that is (`dW1 = np.dot(dZ1, X.T)` with `dZ2 = (A2 - Y) / m` upstream: back-propagation
        carries the 1/m of the output's delta into every weight's gradient)."""
        if value is None or depth > 4:
            return False
        for sub in ast.walk(value):
            if isinstance(sub, ast.Name) and _GRAD_NAME.search(sub.id) and sub.id in self.gradient_values \
                    and self.gradient_values[sub.id] is not value \
                    and self._averaged_gradient(self.gradient_values[sub.id], env, depth + 1):
                return True
            if isinstance(sub, ast.Name) and sub.id in self.derived_gradients \
                    and self.derived_gradients[sub.id] is not value \
                    and self._averaged_gradient(self.derived_gradients[sub.id], env, depth + 1):
                return True     # d1 = d2 @ W2.T with d2 = (out - y) / n: the mean carried back

        def count(node: ast.AST) -> bool:
            if isinstance(node, ast.Call) and _dotted(node.func) == "len":
                return True
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "shape":
                return True
            if not isinstance(node, (ast.Name, ast.Constant, ast.Attribute)):
                return False     # read only plain names and numbers (evaluating a call could record a layer)
            held = self.assigned_values.get(node.id) if isinstance(node, ast.Name) else None
            if held is not None and held is not node and (
                    (isinstance(held, ast.Subscript) and isinstance(held.value, ast.Attribute) and held.value.attr == "shape")
                    or (isinstance(held, ast.Call) and _dotted(held.func) == "len")):
                return True      # m = X.shape[1] (in another function, out of this scope): a row count
            v = self.eval(node, env, 1)
            return isinstance(v.const, (int, float)) and not isinstance(v.const, bool) and v.const >= 10

        for sub in ast.walk(value):
            if isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Div) and count(sub.right):
                return True
            if isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Div) and isinstance(sub.left, ast.Constant) \
                    and sub.left.value == 1 and count(sub.right):
                return True
            if isinstance(sub, ast.Call) and _last(_dotted(sub.func) or "") == "mean":
                return True
        return False

    def _same_param(self, name: str, param: str, env: dict[str, V]) -> bool:
        if name == param:
            return True
        alias = self._aliases.get(_last(name))
        return alias is not None and (alias == param or _last(alias) == _last(param))

    _aliases: dict[str, str] = {}

    def finish_updates(self) -> list[UpdateRule]:
        """Updates that use a generic gradient while the parameter's own gradient is computed and unused."""
        out = []
        for (_, short), upd in sorted(self.updates.items()):
            if upd.uses_gradient is True:
                g = _last(getattr(upd, "gradient", None) or "")
                own = [n for n in self.gradient_names if n != g and n.lower().endswith(short.lower())
                       and len(n) > len(short) and n[-len(short) - 1] in "_dD"]
                if own and g and short.lower() not in g.lower() and not any(o in self.update_reads for o in own):
                    upd.uses_gradient = False
                    upd.note = (f"the step uses `{g}`, but the gradient of {short} is `{own[0]}` "  # type: ignore[attr-defined]
                                f"(computed at line {self.gradient_names[own[0]]}, never used)")
            out.append(upd)
        return out




# array constructors whose size argument gives the number of axes
_ARRAY_MAKERS = {"zeros", "ones", "empty", "full", "rand", "randn", "random", "random_sample", "normal", "uniform",
                 "randint", "integers", "standard_normal", "FloatTensor", "Tensor"}

_BINARY_UFUNCS = {"power": ast.Pow, "float_power": ast.Pow, "pow": ast.Pow, "multiply": ast.Mult, "mul": ast.Mult,
                  "add": ast.Add, "subtract": ast.Sub, "sub": ast.Sub, "divide": ast.Div, "true_divide": ast.Div,
                  "div": ast.Div}

SCALERS = {"StandardScaler": "standard", "MinMaxScaler": "minmax", "MaxAbsScaler": "maxabs", "RobustScaler": "robust"}


def stacked_rows(parts: list[V], vectors: bool = True, blocks: bool = True) -> V | None:
    """np.vstack([a, b]) / np.array([a, b]) of 1-D arrays (or (1, m) rows) of one length m: an (k, m) array
    whose rows are those arrays, each keeping its own range (the rows of X in a column-major network,
    X of shape (features, samples): its features after X.T). None for anything else (literal lists of
    numbers, 2-D blocks of several rows: those stack as before). `vectors`: 1-D parts count as rows
    (np.vstack, np.stack, np.array; np.concatenate joins them end to end); `blocks`: (1, m) parts do
    (np.concatenate(axis=0), np.vstack; np.stack gives a 3-D array of them)."""
    rows: list[V] = []
    width = None
    for p in parts:
        if p.kind != "seq" or p.items is not None or p.cols or p.dist == "prediction":
            return None
        if p.ndim == 1 and p.n is not None and vectors:
            m = p.n
        elif blocks and p.ndim == 2 and p.shape and len(p.shape) == 2 and p.shape[0] == 1 and isinstance(p.shape[1], int):
            m = p.shape[1]
        else:
            return None
        if width not in (None, m):
            return None
        width = m
        rows.append(V("seq", p.lo, p.hi, p.integer, m, dist=p.dist, dtype=p.dtype, ndim=1))
    if len(rows) < 2 or width is None:
        return None
    lo, hi = _union_range(rows)
    dtypes = {r.dtype for r in rows}
    return V("seq", lo, hi, all(r.integer for r in rows), len(rows), ndim=2, shape=(len(rows), width), rows=rows,
             dtype=dtypes.pop() if len(dtypes) == 1 else None)


def unsqueezed(v: V) -> V:
    """x[:, None] / x.unsqueeze(1): an (n,) array becomes (n, 1)."""
    if v.ndim == 1 or (v.ndim is None and not v.cols):
        return dataclasses.replace(v, ndim=2, shape=(v.n, 1))
    return dataclasses.replace(v, ndim=(v.ndim or 1) + 1, shape=None)


def split_rows(arrays: list[V], kw: dict[str, V]) -> V:
    """train_test_split(X, y, test_size=...): (X_train, X_test, y_train, y_test), rows shuffled by default."""
    test = kw.get("test_size")
    train = kw.get("train_size")
    shuffle = kw.get("shuffle")
    shuffled = not (shuffle is not None and shuffle.const is False)
    out: list[V] = []
    for a in arrays:
        n = a.n
        n_test = None
        if n is not None:
            if test is not None and isinstance(test.const, float) and 0 < test.const < 1:
                n_test = math.ceil(test.const * n)
            elif test is not None and isinstance(test.const, int) and not isinstance(test.const, bool):
                n_test = test.const
            elif train is not None and isinstance(train.const, float) and 0 < train.const < 1:
                n_test = n - math.floor(train.const * n)
            elif test is None and train is None:
                n_test = math.ceil(0.25 * n)
        order = None if shuffled else a.order
        cols = [dataclasses.replace(c, order=None if shuffled else c.order) for c in a.cols] if a.cols else a.cols
        for rows in ((n - n_test) if n_test is not None else None, n_test):
            out.append(dataclasses.replace(a, n=rows, order=order, cols=cols, items=None, mutable_list=False))
    return V("tuple", items=out)


def encoded_labels(y: V) -> V:
    """LabelEncoder().fit_transform(y): the classes numbered 0..k-1 (sorted), the rows per class kept."""
    if y.counts:
        keys = sorted(y.counts)
        counts = {str(i): y.counts[k] for i, k in enumerate(keys)}
        return V("seq", 0.0, float(len(keys) - 1), True, y.n, counts=counts, ndim=1, dtype="int64", order=y.order)
    if y.known and y.integer:
        return dataclasses.replace(y, lo=0.0, hi=y.hi - y.lo, dtype="int64", cols=None, ndim=1)
    return V("seq", None, None, True, y.n, ndim=1, dtype="int64")


def one_hot(y: V, k: int | None) -> V:
    """to_categorical(y, k) / LabelBinarizer: 0/1 columns, one per class."""
    if k is None and y.known and y.integer and y.lo is not None and y.lo >= 0:
        k = int(y.hi) + 1
    if k is None and y.counts:
        k = len(y.counts)       # string labels with their class counts (a documented data file)
    cols = [V("seq", 0.0, 1.0, True, y.n) for _ in range(k)] if k and 1 < k <= MAX_COLUMNS else None
    if k is None:
        # labels the reader could not see: 0/1 rows of an unknown width (not one column of labels)
        return V("seq", None, None, True, y.n, ndim=2, dtype="float32")
    return V("seq", 0.0, 1.0, True, y.n, cols=cols, counts=y.counts, ndim=2, dtype="float32", order=y.order)


def scaled(x: V, kind: str, feature_range: tuple | None = None) -> V:
    """What a scikit-learn scaler makes of x: standardised columns (about [-3, 3] for normal data,
    [-1.73, 1.73] for uniform ones), [0, 1] (or feature_range) for min-max, [-1, 1] for max-abs."""
    def one(c: V) -> V:
        if kind == "minmax":
            lo, hi = feature_range if feature_range and all(isinstance(b, (int, float)) for b in feature_range) else (0.0, 1.0)
        elif kind == "maxabs":
            lo, hi = -1.0, 1.0
        elif c.known and kind == "standard":
            std = (c.hi - c.lo) / 6 if c.dist == "normal" else (c.hi - c.lo) / math.sqrt(12)
            mid = (c.lo + c.hi) / 2
            lo, hi = ((c.lo - mid) / std, (c.hi - mid) / std) if std > 0 else (0.0, 0.0)
        else:
            lo, hi = -3.0, 3.0
        return dataclasses.replace(c, lo=float(lo), hi=float(hi), integer=False, counts=None, exact=False,
                                   const=None, dtype="float64")
    if x.cols:
        cols = [one(c) for c in x.cols]
        lo, hi = _union_range(cols)
        return dataclasses.replace(x, cols=cols, lo=lo, hi=hi, integer=False, counts=None, exact=False,
                                   const=None, dtype="float64", kind="seq")
    return dataclasses.replace(one(x), kind="seq")


def _key(node: ast.AST | None) -> str | None:
    """The literal string key of a subscript (parameters["W1"] -> "W1"), else None."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        return node.slice.value
    return None


def _factors(node: ast.AST, above: bool = True) -> tuple[list[ast.AST], list[ast.AST]]:
    """The factors of a product / quotient chain: (above the line, below it)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
        lt, lb = _factors(node.left, above)
        rt, rb = _factors(node.right, above if isinstance(node.op, ast.Mult) else not above)
        return lt + rt, lb + rb
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _factors(node.operand, above)
    return ([node], []) if above else ([], [node])
