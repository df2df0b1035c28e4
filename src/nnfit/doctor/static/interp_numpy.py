"""NumPy / math / random calls for the abstract interpreter, and hand-written weight updates."""
from __future__ import annotations

import ast
import dataclasses
import math

from nnfit.doctor.run import UpdateRule
from nnfit.doctor.static.nodes import _GRAD_NAME, _PARAM_NAME, _dotted, _is_lr, _last, _safe_unparse
from nnfit.doctor.static import datafiles
from nnfit.doctor.static.values import (MAX_COLUMNS, UNKNOWN, V, _MONOTONE, _concat_rows, _n_of, _union_range, apply_func, const,
                                        table_value)


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
            return UNKNOWN
        self.data_files.append(table.path)
        if table.arrays is not None:
            return V("dict", const={name: table_value(datafiles.Table(values=arr.reshape(len(arr), -1) if arr.ndim else arr.reshape(1, 1)))
                                    for name, arr in table.arrays.items()})
        if numpy_load and last != "load" and table.names:
            table = dataclasses.replace(table, names=None)   # numpy skips no header by itself: a NaN first row
        return table_value(table, frame=pandas_load)

    # ---- numpy / math / random
    def library_call(self, dotted: str, last: str, prefix: str, args: list[V], kw: dict[str, V], node: ast.Call) -> V:
        p = prefix.split(".")[-1] if prefix else ""

        def size_of(v: V | None) -> tuple[int | None, int | None]:
            if v is None:
                return None, None
            if isinstance(v.const, int) and not isinstance(v.const, bool):
                return v.const, None
            if v.kind == "tuple" and v.items:
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
            ints = [v.const for v in vals if isinstance(v.const, int)]
            if len(vals) == 1 and vals[0].kind == "tuple":
                return size_of(vals[0])
            return (ints[0] if ints else None), (ints[1] if len(ints) > 1 else None)

        loaded = self.data_file_call(last, prefix, args, kw)
        if loaded is not None:
            return loaded
        random_mod = p in ("random",) or dotted.startswith("random.")
        numpyish = prefix.startswith(("np", "numpy", "torch", "tf", "jnp")) or p in ("random", "np", "numpy", "torch", "math", "rng")
        if last in ("rand", "random", "random_sample", "sample") and (random_mod or numpyish or p in ("rng", "gen", "generator")):
            if last == "sample" and p == "random" and not prefix.startswith(("np", "numpy")):
                return UNKNOWN
            n, c = dims(args) if last == "rand" or prefix.startswith("torch") else size_of(kw.get("size") or (args[0] if args else None))
            return shaped(0.0, 1.0, False, n, c)
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
            return shaped(lo.lo, hi.hi, False, n, c)
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
            if lo is None or hi is None or not (lo.known and hi.known):
                return shaped(None, None, True, *size_of(size))
            inclusive = random_mod and not numpyish or (dotted.startswith("random.") and last == "randint") or last == "random_integers"
            top = hi.hi if inclusive else hi.hi - 1
            n, c = size_of(size)
            return shaped(lo.lo, top, True, n, c)
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
        if last == "arange" or (last == "range" and not prefix):
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
        if last in ("len",) and args:
            v = args[0]
            if v.n is not None:
                return const(v.n)
            if v.items is not None:
                return const(len(v.items))
            return V("num", 0.0, None, True)
        if last in ("array", "asarray", "tensor", "Tensor", "FloatTensor", "from_numpy", "as_tensor", "DataFrame",
                    "float32", "float64", "expand_dims", "atleast_2d", "vstack", "squeeze", "copy") and args:
            v = args[0]
            if last == "vstack" and v.items:
                return _concat_rows(v.items)
            if v.kind == "seq" and v.items is not None and v.items and all(i.kind == "seq" and i.items is not None for i in v.items):
                # nested literal lists: rows x columns
                width = len(v.items[0].items or [])
                if width and all(len(i.items or []) == width for i in v.items):
                    cols = [V("seq", *_union_range([r.items[k] for r in v.items]), all(r.items[k].integer for r in v.items),
                              len(v.items)) for k in range(width)]
                    return V("seq", *_union_range(cols), all(c.integer for c in cols), len(v.items),
                             cols=cols if width > 1 else None)
            if v.kind == "seq":
                return dataclasses.replace(v, items=None, mutable_list=False)
            return v
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
                return apply_func(fname, args[0])
        if last in ("sum", "max", "min", "mean") and not prefix and args and args[0].kind == "seq":
            return V("num")
        if last in ("matmul", "dot") and args:
            return V("seq", n=args[0].n)
        return UNKNOWN

    # ---- numpy update rules
    def note_update_assign(self, target: ast.Attribute, stmt: ast.Assign, env: dict[str, V]) -> None:
        self._note_update(target, stmt.value, stmt, env, aug_op=None)

    def note_update_aug(self, stmt: ast.AugAssign, env: dict[str, V]) -> None:
        if isinstance(stmt.op, (ast.Sub, ast.Add)):
            self._note_update(stmt.target, stmt.value, stmt, env, aug_op=stmt.op)

    def _note_update(self, target: ast.AST, value: ast.AST, stmt: ast.stmt, env: dict[str, V], aug_op: ast.operator | None) -> None:
        tname = _dotted(target) if isinstance(target, (ast.Name, ast.Attribute)) else (
            _dotted(target.value) if isinstance(target, ast.Subscript) else None)
        if not tname:
            return
        short = _last(tname)
        if not _PARAM_NAME.match(short) or _GRAD_NAME.search(short) or short.lower().endswith(("_old", "old", "_new", "new")):
            return
        step: ast.AST | None = None
        if aug_op is not None:
            step = value
        elif isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Sub, ast.Add)):
            base = _dotted(value.left)
            if base is None or not self._same_param(base, tname, env):
                return
            step = value.right
        if step is None:
            return
        # the step must look like lr * G (or G * lr, or G / n)
        grad_node = step
        lr_seen = False
        if isinstance(step, ast.BinOp) and isinstance(step.op, (ast.Mult, ast.Div)):
            l, r = step.left, step.right
            if _is_lr(l):
                grad_node, lr_seen = r, True
            elif _is_lr(r):
                grad_node, lr_seen = l, True
        if isinstance(grad_node, ast.UnaryOp):
            grad_node = grad_node.operand
        if not lr_seen:
            return
        names = {(_dotted(n) or "") for n in ast.walk(grad_node) if isinstance(n, (ast.Name, ast.Attribute))}
        names.discard("")
        for nm in names:
            self.update_reads.add(_last(nm))
        gname = _dotted(grad_node)
        uses: bool | None = None
        note = None
        if gname and self._same_param(gname, tname, env):
            uses = False
            note = f"the step is `{ast.unparse(step)}`: the weights themselves, not their gradient"
        elif any(_GRAD_NAME.search(_last(n)) for n in names):
            uses = True
        key = (self.line(stmt) or 0, short)
        self.updates[key] = UpdateRule(parameter=short, expression=_safe_unparse(stmt), uses_gradient=uses,
                                       line=self.line(stmt))
        self.updates[key].span = self.span(stmt)  # type: ignore[attr-defined]
        self.updates[key].note = note  # type: ignore[attr-defined]
        self.updates[key].gradient = gname  # type: ignore[attr-defined]

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


