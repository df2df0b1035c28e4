"""A network written in plain Python lists (no NumPy, no framework): the back-propagation class of many
old posts (bpnn.py and its copies).

    self.wi = [[random.uniform(-0.2, 0.2) for j in range(nh)] for i in range(ni)]   # or makeMatrix(ni, nh)
    self.wo = [random.uniform(-2.0, 2.0) for j in range(nh)]
    ...
    self.ah = [squash(sum(self.ai[i] * self.wi[i][j] for i in range(ni))) for j in range(nh)]
    total = 0.0
    for j in range(nh):
        total = total + self.ah[j] * self.wo[j]
    self.ao = math.tanh(total)
    ...
    pat = [[[0, 0], [0]], [[0, 1], [1]], [[1, 0], [1]], [[1, 1], [0]]]

Read here, only when the interpreter found no layers of any kind: the weight lists (names read as weights,
nodes.py _PARAM_NAME, built by a list comprehension or a matrix helper of the script), in the order the
script creates them, one dense layer each; each layer's activation is the function applied to the sum over
its weights (math.tanh, a `1 / (1 + math.exp(-x))`, or a function of the script whose return is one of
those; none: linear); a squared error `(target - out) ** 2` is the loss; the data are a literal list of
[inputs, targets] pairs. The widths stay unknown (the sizes are the script's variables).
"""
from __future__ import annotations

import ast
import re

from nnfit.doctor.run import LayerInfo
from nnfit.doctor.static.nodes import _GRAD_NAME, _PARAM_NAME, _dotted, _last, _nodes
from nnfit.doctor.static.values import V

# a data set of literal [inputs, targets] pairs longer than this is not a hand-typed pattern table
MAX_PATTERNS = 10_000


def _name(t: ast.AST) -> str | None:
    return t.attr if isinstance(t, ast.Attribute) else (t.id if isinstance(t, ast.Name) else None)


def _builds_list(value: ast.AST, funcs: dict[str, ast.FunctionDef]) -> bool:
    """A list comprehension, `[0.0] * n`, or a call to the script's own helper that returns a list."""
    if isinstance(value, ast.ListComp):
        return True
    if isinstance(value, ast.Call):
        fn = funcs.get(_dotted(value.func) or "")
        return fn is not None and any(isinstance(n, (ast.ListComp, ast.List)) for n in ast.walk(fn))
    return False


def _subscripts(node: ast.AST, weight: str) -> bool:
    return any(isinstance(n, ast.Subscript) and _name(_base(n)) == weight for n in ast.walk(node))


def _base(n: ast.Subscript) -> ast.AST:
    while isinstance(n, ast.Subscript):
        n = n.value
    return n


def _activation_of(func: ast.AST, funcs: dict[str, ast.FunctionDef], depth: int = 0) -> str | None:
    """The activation a call computes: math.tanh / np.tanh, a logistic, or the script's function whose
    return is one of those (None: not recognised)."""
    name = _last(_dotted(func) or "") or ""
    if name == "tanh":
        return "tanh"
    if name in ("sigmoid", "logistic", "expit"):
        return "sigmoid"
    fn = funcs.get(_dotted(func) or "")
    if fn is None or depth > 2:
        return None
    for ret in (n for n in ast.walk(fn) if isinstance(n, ast.Return) and n.value is not None):
        v = ret.value
        if isinstance(v, ast.Call):
            inner = _activation_of(v.func, funcs, depth + 1)
            if inner:
                return inner
        if isinstance(v, ast.BinOp) and isinstance(v.op, ast.Div) and any(
                isinstance(n, ast.Call) and _last(_dotted(n.func) or "") == "exp" for n in ast.walk(v.right)):
            return "sigmoid"    # 1 / (1 + exp(-x))
    return None


def _layer_activations(tree: ast.AST, weights: list[str], funcs: dict[str, ast.FunctionDef]) -> dict[str, str]:
    """weight name -> the activation applied to the sum over it ('linear': a sum used as it is). The sum is
    `f(sum(a[i] * w[i][j] ...))`, or a name accumulated over the weight (`total = total + a[i] * w[i][j]`)
    given to f in a later statement, before the name is accumulated over another weight."""
    out: dict[str, str] = {}

    def over(node: ast.AST) -> set[str]:
        return {w for w in weights if _subscripts(node, w)}

    def simple(st: ast.stmt, state: dict[str, set[str]]) -> None:
        for n in ast.walk(st):
            if isinstance(n, ast.Call) and n.args:
                arg = n.args[0]
                if isinstance(arg, ast.Call) and _dotted(arg.func) == "sum":
                    hit = over(arg)
                elif isinstance(arg, ast.Name):
                    hit = state.get(arg.id, set())
                else:
                    hit = set()
                act = _activation_of(n.func, funcs) if hit else None
                for w in hit:
                    if act:
                        out[w] = act
            if isinstance(n, ast.Call) and _dotted(n.func) == "sum":
                for w in over(n):
                    out.setdefault(w, "linear")
        if isinstance(st, ast.AugAssign) and isinstance(st.target, ast.Name):
            hit = over(st.value)
            if hit:
                state[st.target.id] = hit
                for w in hit:
                    out.setdefault(w, "linear")
        elif isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
            hit = over(st.value)
            if hit and not isinstance(st.value, ast.Call):
                state[st.targets[0].id] = hit
                for w in hit:
                    out.setdefault(w, "linear")
            elif not hit:
                state.pop(st.targets[0].id, None)

    def scan(body: list[ast.stmt], state: dict[str, set[str]]) -> None:
        for st in body:
            if isinstance(st, (ast.For, ast.While, ast.If, ast.With)):
                scan(st.body, state)
                scan(getattr(st, "orelse", []) or [], state)
            elif not isinstance(st, (ast.FunctionDef, ast.ClassDef)):
                simple(st, state)

    for fn in [f for f in _nodes(tree) if isinstance(f, ast.FunctionDef)]:
        if not _BACKWARD.search(fn.name):   # the backward pass multiplies by the weights too
            scan(fn.body, {})
    return out


_BACKWARD = re.compile(r"back|grad|deriv|propag|slope|prime|delta", re.I)


def _patterns(tree: ast.Module) -> tuple[V, V, int] | None:
    """A module-level literal list of [inputs, targets] pairs: (inputs, targets, line)."""
    for st in tree.body:
        if not (isinstance(st, ast.Assign) and isinstance(st.value, (ast.List, ast.Tuple))):
            continue
        rows = st.value.elts
        if not 2 <= len(rows) <= MAX_PATTERNS:
            continue
        xs: list[list[float]] = []
        ys: list[list[float]] = []
        for r in rows:
            if not (isinstance(r, (ast.List, ast.Tuple)) and len(r.elts) == 2):
                break
            parts = []
            for p in r.elts:
                vals = p.elts if isinstance(p, (ast.List, ast.Tuple)) else [p]
                nums = [v.value if isinstance(v, ast.Constant) else
                        -v.operand.value if isinstance(v, ast.UnaryOp) and isinstance(v.op, ast.USub)
                        and isinstance(v.operand, ast.Constant) else None for v in vals]
                if not nums or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in nums):
                    break
                parts.append([float(x) for x in nums])
            if len(parts) != 2:
                break
            xs.append(parts[0])
            ys.append(parts[1])
        else:
            if len({len(x) for x in xs}) != 1 or len({len(y) for y in ys}) != 1:
                continue
            n = len(xs)

            def table(rows_: list[list[float]]) -> V:
                cols = [V("seq", min(r[j] for r in rows_), max(r[j] for r in rows_),
                          all(r[j].is_integer() for r in rows_), n) for j in range(len(rows_[0]))]
                return V("seq", min(c.lo for c in cols), max(c.hi for c in cols), all(c.integer for c in cols), n,
                         cols=cols if len(cols) > 1 else None, ndim=2)
            return table(xs), table(ys), getattr(st, "lineno", 0)
    return None


def _squared_error(tree: ast.AST) -> bool:
    """(target - out) ** 2 or (t - o) * (t - o) somewhere in the script."""
    for n in ast.walk(tree):
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow) and isinstance(n.left, ast.BinOp) \
                and isinstance(n.left.op, ast.Sub) and isinstance(n.right, ast.Constant) and n.right.value == 2:
            return True
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mult) and isinstance(n.left, ast.BinOp) \
                and isinstance(n.left.op, ast.Sub) and ast.dump(n.left) == ast.dump(n.right):
            return True
    return False


def list_network(tree: ast.Module, interp, run) -> bool:
    """Fill run.layers (and the interpreter's data and loss) from a plain-Python list network; True when one
    was read. Only for a script in which nothing else was read as a network."""
    if run.layers or interp.models or interp.seen_layers or interp.framework_hint - {"numpy"}:
        return False
    funcs = {f.name: f for f in _nodes(tree) if isinstance(f, ast.FunctionDef)}
    weights: list[tuple[int, str, ast.AST]] = []
    seen: set[str] = set()
    for n in _nodes(tree):
        if isinstance(n, ast.Assign) and len(n.targets) == 1:
            name = _name(n.targets[0])
            if name and name not in seen and _PARAM_NAME.match(name) and not _GRAD_NAME.search(name) \
                    and _builds_list(n.value, funcs):
                seen.add(name)
                weights.append((n.lineno, name, n))
    weights.sort()
    acts = _layer_activations(tree, [name for _, name, _ in weights], funcs)
    layers = [(name, acts[name], node) for _, name, node in weights if name in acts]
    if len(layers) < 2:
        return False
    for name, act, node in layers:
        run.layers.append(LayerInfo(name=name, kind="dense", units=None, activation=act,
                                    line=interp.line(node), span=interp.span(node)))
    if interp.config.loss is None and _squared_error(tree):
        interp.config.loss = "mse"
    pats = _patterns(tree)
    if pats is not None and not interp.fit_calls:
        X, y, line = pats
        interp.fit_calls.append((interp.map.line(line), X, y))
    return True
