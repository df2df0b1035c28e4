"""Activation slopes taken on the wrong side of the activation, read from a hand-written backward pass.

A from-scratch network writes the logistic's slope one of two ways: on the pre-activation z
(`def sigmoid_prime(z): return sigmoid(z) * (1 - sigmoid(z))`) or on the activation a = sigmoid(z)
(`def sigmoid_derivative(a): return a * (1 - a)`). Each is right only when called with its own side:
- a slope written on z, called with an array that already holds the activation (`sigmoid_prime(self.output)`
  with `self.output = sigmoid(...)`), takes the logistic twice: it computes s(s(z))(1 - s(s(z))), which lies in
  [0.20, 0.25] whatever z is, instead of s(z)(1 - s(z)). The deltas lose their dependence on how saturated
  each unit is and the updates are not the gradient;
- a slope written on a, called with the pre-activation z (`sigmoid_derivative(z1)` with `z1 = X @ W1`),
  computes z(1 - z), negative for z > 1: the update even changes sign.
The same holds for tanh (`1 - np.tanh(x)**2` against `1 - a**2`).

Read from the code alone (never run): the script's own activation functions, the derivative helpers, the
names assigned from each, and the calls of a derivative helper on a name of the other side. An activation
chosen by name (`if activation == 'sigmoid': self.act, self.act_prime = sigmoid, sigmoid_prime`) counts
only when the script passes that name somewhere (`NeuralNetwork([2, 2, 1], 'sigmoid')`).
"""
from __future__ import annotations

import ast
import re
from typing import Any

from nnfit.doctor.static.nodes import _dotted, _last


def _param_names(fn: ast.FunctionDef) -> list[str]:
    names = [a.arg for a in fn.args.args]
    return names[1:] if names and names[0] in ("self", "cls") else names


def _is_logistic_of(node: ast.AST, arg: str | None) -> bool:
    """`1 / (1 + np.exp(-arg))` (or exp(-arg) + 1, np.power(1 + exp(-arg), -1), expit(arg)); any argument
    when arg is None."""
    def ok(z: ast.AST) -> bool:
        return arg is None or (isinstance(z, ast.Name) and z.id == arg)

    if isinstance(node, ast.BinOp):
        from nnfit.doctor.static.interp import _inline_sigmoid      # the one reader of the written-out logistic

        z = _inline_sigmoid(node)
        if z is not None and ok(z):
            return True
    if isinstance(node, ast.Call) and _last(_dotted(node.func) or "") == "expit" and node.args and ok(node.args[0]):
        return True
    return False


def _is_tanh_of(node: ast.AST, arg: str | None) -> bool:
    return isinstance(node, ast.Call) and _last(_dotted(node.func) or "") == "tanh" and bool(node.args) \
        and (arg is None or (isinstance(node.args[0], ast.Name) and node.args[0].id == arg)) \
        and (_dotted(node.func) or "").split(".")[0] in ("np", "numpy", "math", "torch", "tanh")


def _returns(fn: ast.FunctionDef) -> list[ast.AST]:
    return [n.value for n in ast.walk(fn) if isinstance(n, ast.Return) and n.value is not None]


def _one_minus(node: ast.AST) -> ast.AST | None:
    """`1 - e` (or `1.0 - e`): e; else None."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub) and isinstance(node.left, ast.Constant) \
            and node.left.value in (1, 1.0):
        return node.right
    return None


def _same(a: ast.AST, b: ast.AST) -> bool:
    return ast.dump(a) == ast.dump(b)


def _slope_form(expr: ast.AST) -> tuple[str, ast.AST] | None:
    """The sigmoid slope `e * (1 - e)` (either order, np.multiply too) -> ("sigmoid", e); the tanh slope
    `1 - e ** 2` (or 1 - np.power(e, 2), 1 - e * e) -> ("tanh", e); else None."""
    if isinstance(expr, ast.Call) and _last(_dotted(expr.func) or "") == "multiply" and len(expr.args) == 2:
        expr = ast.BinOp(left=expr.args[0], op=ast.Mult(), right=expr.args[1])
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mult):
        for e, m in ((expr.left, expr.right), (expr.right, expr.left)):
            inner = _one_minus(m)
            if inner is not None and _same(inner, e):
                return "sigmoid", e
    inner = _one_minus(expr)
    if inner is not None:
        if isinstance(inner, ast.BinOp) and isinstance(inner.op, ast.Pow) and isinstance(inner.right, ast.Constant) \
                and inner.right.value == 2:
            return "tanh", inner.left
        if isinstance(inner, ast.Call) and _last(_dotted(inner.func) or "") == "power" and len(inner.args) == 2 \
                and isinstance(inner.args[1], ast.Constant) and inner.args[1].value == 2:
            return "tanh", inner.args[0]
        if isinstance(inner, ast.BinOp) and isinstance(inner.op, ast.Mult) and _same(inner.left, inner.right):
            return "tanh", inner.left
    return None


class _Reader:
    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.nodes = list(ast.walk(tree))       # walked once: every scan below reads this list
        self.acts: dict[str, str] = {}          # function name -> "sigmoid" / "tanh" (the script's own activation)
        self.slope_in: dict[str, str] = {}      # derivative helpers written on the pre-activation z
        self.slope_out: dict[str, str] = {}     # derivative helpers written on the activation a
        self.strings: set[str] = set()          # the string arguments the script passes in its calls
        for call in self.nodes:
            if isinstance(call, ast.Call):
                for a in (*call.args, *(k.value for k in call.keywords)):
                    if isinstance(a, ast.Constant) and isinstance(a.value, str):
                        self.strings.add(a.value)

    def functions(self) -> list[ast.FunctionDef]:
        return [n for n in self.nodes if isinstance(n, ast.FunctionDef)]

    def classify(self) -> None:
        fns = self.functions()
        for fn in fns:                      # the activations first: the slopes on z call them
            params = _param_names(fn)
            if len(params) != 1:
                continue
            rets = _returns(fn)
            if len(rets) != 1:
                continue
            if _is_logistic_of(rets[0], params[0]):
                self.acts[fn.name] = "sigmoid"
            elif _is_tanh_of(rets[0], params[0]):
                self.acts[fn.name] = "tanh"
        for fn in fns:
            params = _param_names(fn)
            if len(params) != 1 or fn.name in self.acts:
                continue
            rets = _returns(fn)
            if len(rets) != 1:
                continue
            p = params[0]
            local: dict[str, ast.AST] = {}
            for st in fn.body:
                if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
                    local[st.targets[0].id] = st.value
            form = _slope_form(rets[0])
            if form is None:
                continue
            kind, e = form
            if isinstance(e, ast.Name) and e.id == p and e.id not in local:
                self.slope_out[fn.name] = kind
                continue
            if isinstance(e, ast.Name) and e.id in local:
                e = local[e.id]
            if self._activation_of(e, p) == kind:
                self.slope_in[fn.name] = kind

    def _activation_of(self, node: ast.AST, arg: str | None) -> str | None:
        """The kind of activation `node` applies (to `arg` when given): the inline logistic, np.tanh, or a
        call of the script's own activation function (sigmoid(x), self.sigmoid(x))."""
        if _is_logistic_of(node, arg):
            return "sigmoid"
        if _is_tanh_of(node, arg):
            return "tanh"
        if isinstance(node, ast.Call) and node.args and (arg is None or (
                isinstance(node.args[0], ast.Name) and node.args[0].id == arg)):
            return self.acts.get(_last(_dotted(node.func) or ""))
        return None

    def aliases(self) -> list[dict[str, tuple[str, str]]]:
        """Attribute aliases set together (`self.activation = sigmoid; self.activation_prime = sigmoid_prime`),
        one dict per block: attribute name -> ("act"/"in"/"out", kind). A block under `if x == 'name':` counts
        only when 'name' is passed in some call of the script."""
        blocks: list[dict[str, tuple[str, str]]] = []

        def read(body: list[ast.stmt]) -> dict[str, tuple[str, str]]:
            out: dict[str, tuple[str, str]] = {}
            for st in body:
                if not (isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Attribute)
                        and isinstance(st.value, ast.Name)):
                    continue
                name, fn = st.targets[0].attr, st.value.id
                if fn in self.acts:
                    out[name] = ("act", self.acts[fn])
                elif fn in self.slope_in:
                    out[name] = ("in", self.slope_in[fn])
                elif fn in self.slope_out:
                    out[name] = ("out", self.slope_out[fn])
            return out

        for node in self.nodes:
            if isinstance(node, ast.If):
                test = node.test
                chosen = True
                if isinstance(test, ast.Compare) and len(test.comparators) == 1 \
                        and isinstance(test.comparators[0], ast.Constant) \
                        and isinstance(test.comparators[0].value, str):
                    chosen = test.comparators[0].value in self.strings
                if chosen:
                    blocks.append(read(node.body))
            elif isinstance(node, ast.FunctionDef):
                blocks.append(read(node.body))
        return [b for b in blocks if b]

    def scan(self) -> list[dict[str, Any]]:
        self.classify()
        if not (self.slope_in or self.slope_out) and not any(
                isinstance(n, ast.BinOp) and _one_minus(n) is not None for n in self.nodes):
            return []       # no slope helper and no `1 - e` anywhere: nothing to read
        # each method's sibling methods (where self.output = sigmoid(...) is assigned for backprop to read)
        self.siblings: dict[int, list[ast.FunctionDef]] = {}
        for cls in self.nodes:
            if isinstance(cls, ast.ClassDef):
                methods = [f for f in cls.body if isinstance(f, ast.FunctionDef)]
                for f in methods:
                    self.siblings[id(f)] = [g for g in methods if g is not f]
        alias_sets = self.aliases()
        hits: list[dict[str, Any]] = []
        seen: set[int] = set()
        for fn in self.functions():
            for alias in alias_sets or [{}]:
                for hit in self._scan_function(fn, alias):
                    if hit["line"] not in seen:
                        seen.add(hit["line"])
                        hits.append(hit)
        return hits

    def _callee(self, call: ast.Call, alias: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
        """("act"/"in"/"out", kind) for a call of an activation or a slope helper (by name, self.name, or a
        self attribute aliasing one)."""
        name = _last(_dotted(call.func) or "")
        if isinstance(call.func, ast.Attribute) and call.func.attr in alias and not (
                name in self.acts or name in self.slope_in or name in self.slope_out):
            return alias[call.func.attr]
        if name in self.acts:
            return "act", self.acts[name]
        if name in self.slope_in:
            return "in", self.slope_in[name]
        if name in self.slope_out:
            return "out", self.slope_out[name]
        return None

    def _scan_function(self, fn: ast.FunctionDef, alias: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
        # what each name / self attribute holds: "a:<kind>" (an activation's output), "z" (a weighted sum),
        # "la:<kind>" (a list the activation outputs are appended to); a name assigned two ways holds neither
        held: dict[str, str | None] = {}
        cls_attrs = self.siblings.get(id(fn), [])

        def key(t: ast.AST) -> str | None:
            if isinstance(t, ast.Name):
                return t.id
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                return "self." + t.attr
            return None

        def kind_of(value: ast.AST) -> str | None:
            if isinstance(value, ast.Call):
                c = self._callee(value, alias)
                if c is not None:
                    return "a:" + c[1] if c[0] == "act" else None
                if _last(_dotted(value.func) or "") in ("zeros", "ones", "empty", "zeros_like", "ones_like"):
                    return "skip"       # a placeholder until the forward pass fills it
            if isinstance(value, (ast.List, ast.Tuple, ast.Dict)) or (
                    isinstance(value, ast.Constant) and value.value is None):
                return "skip"
            if _is_logistic_of(value, None):
                return "a:sigmoid"
            if _is_tanh_of(value, None):
                return "a:tanh"
            if _weighted_sum(value):
                return "z"
            return None

        def note(k: str | None, v: str | None) -> None:
            if k is None or v == "skip":
                return
            held[k] = v if k not in held or held[k] == v else None

        for src in (*cls_attrs, fn):
            own = src is fn         # another method's local names are not this one's; its self.* are
            for node in ast.walk(src):
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    k = key(node.targets[0])
                    if own or (k or "").startswith("self."):
                        note(k, kind_of(node.value))
                elif isinstance(node, ast.AugAssign):
                    k = key(node.target)
                    if own or (k or "").startswith("self."):
                        note(k, None)
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                        and node.func.attr == "append" and node.args:
                    k = key(node.func.value)
                    if own or (k or "").startswith("self."):
                        got = kind_of(node.args[0])
                        note(k, "la:" + got[2:] if got and got.startswith("a:") else None)
        hits: list[dict[str, Any]] = []
        for node in ast.walk(fn):
            if not (isinstance(node, ast.Call) and node.args and len(node.args) == 1):
                continue
            c = self._callee(node, alias)
            if c is None or c[0] == "act":
                continue
            arg = node.args[0]
            what: str | None = None
            if isinstance(arg, ast.Subscript):
                base = held.get(key(arg.value) or "")
                idx = arg.slice
                if base and base.startswith("la:") and not (isinstance(idx, ast.Constant) and idx.value == 0):
                    what = "a:" + base[3:]
            else:
                what = held.get(key(arg) or "")
            if what is None:
                continue
            side, kind = c
            text = ast.unparse(arg)
            helper = ast.unparse(node.func)
            if side == "in" and what == "a:" + kind:
                hits.append({"parameter": text, "line": node.lineno, "static": "slope-twice", "kind": kind,
                             "helper": helper,
                             "hint": f"{helper}() applies the {kind} to its argument before taking the slope, but "
                                     f"{text} already holds {kind} outputs: the slope is taken twice; "
                                     + ("write it on the activation, a * (1 - a)" if kind == "sigmoid"
                                        else "write it on the activation, 1 - a ** 2")})
            elif side == "out" and what == "z":
                hits.append({"parameter": text, "line": node.lineno, "static": "slope-of-weighted-sum", "kind": kind,
                             "helper": helper,
                             "hint": f"{helper}() is the {kind} slope written on the activation, but {text} is the "
                                     f"weighted sum before the {kind}: pass the layer's activation instead"})
        for node in ast.walk(fn):
            # the slope written out in the backward pass (`err * out * (1 - out)`) on a weighted sum that no
            # activation followed (`out = np.dot(W, h)`): the forward pass is linear there, its slope is 1
            if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult)):
                continue
            factors = _factors(node)
            for f in factors:
                e = _one_minus(f)
                if e is None or held.get(key(e) or "") != "z" or not any(_same(g, e) for g in factors if g is not f):
                    continue
                text = ast.unparse(e)
                hits.append({"parameter": text, "line": node.lineno, "static": "slope-of-weighted-sum",
                             "kind": "sigmoid", "helper": "inline",
                             "hint": f"{text} * (1 - {text}) is the logistic's slope, but {text} is a weighted sum "
                                     "that no sigmoid followed in the forward pass: apply the sigmoid there, or drop "
                                     "the slope (a linear unit's is 1)"})
                break
        return hits


def _factors(node: ast.AST) -> list[ast.AST]:
    """The factors of a product chain `a * b * (1 - b)` (np.multiply too)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return _factors(node.left) + _factors(node.right)
    if isinstance(node, ast.Call) and _last(_dotted(node.func) or "") == "multiply" and len(node.args) == 2:
        return _factors(node.args[0]) + _factors(node.args[1])
    return [node]


def _weighted_sum(node: ast.AST) -> bool:
    """`np.dot(x, W)`, `x.dot(W)`, `x @ W`, np.matmul, plus an added bias: a weighted sum, no activation."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _weighted_sum(node.left) or _weighted_sum(node.right)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        return True
    return isinstance(node, ast.Call) and _last(_dotted(node.func) or "") in ("dot", "matmul")


def wrong_slopes(tree: ast.Module) -> list[dict[str, Any]]:
    """Each call of a slope helper on the wrong side of its activation: dicts with parameter (the argument's
    text), line, static ("slope-twice" / "slope-of-weighted-sum"), kind, helper and hint."""
    try:
        return _Reader(tree).scan()
    except (RecursionError, ValueError, AttributeError):
        return []


# --------------------------------------------------------------------------------------------------
# a weight's gradient built from another array than the one the weight multiplies


# dW2, d_weights2, dJdW2 -> the weight's name
_GRAD_OF = re.compile(r"^d_?(?:J_?d_?)?([A-Za-z]\w*)$")


def _key(node: ast.AST) -> str | None:
    """W2, self.W2, parameters["W2"] -> "W2"; a name / attribute / string subscript's last part."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        return node.slice.value
    return None


def _transposed(node: ast.AST) -> ast.AST | None:
    """`G.T`, `np.transpose(G)`, `G.transpose()`: G; else None."""
    if isinstance(node, ast.Attribute) and node.attr == "T":
        return node.value
    if isinstance(node, ast.Call) and _last(_dotted(node.func) or "") == "transpose":
        if isinstance(node.func, ast.Attribute) and not node.args and (_dotted(node.func.value) or "").split(".")[0] \
                not in ("np", "numpy"):
            return node.func.value
        if node.args:
            return node.args[0]
    return None


def _products(node: ast.AST) -> list[tuple[ast.AST, ast.AST]]:
    """The matrix products in an expression: np.dot(a, b), np.matmul(a, b), a.dot(b), a @ b."""
    out = []
    for n in ast.walk(node):
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.MatMult):
            out.append((n.left, n.right))
        elif isinstance(n, ast.Call) and _last(_dotted(n.func) or "") in ("dot", "matmul"):
            if len(n.args) == 2:
                out.append((n.args[0], n.args[1]))
            elif len(n.args) == 1 and isinstance(n.func, ast.Attribute):
                out.append((n.func.value, n.args[0]))
    return out


def wrong_inputs(tree: ast.Module, weights: list[str]) -> list[dict[str, Any]]:
    """`dW2 = np.dot(dA2, A1.T)` where the forward pass multiplies W2 with Z1 (`np.dot(W2, Z1)`) and A1 is
    another array of that pass (the hidden layer's weighted sum before its activation, or the layer's own
    output): the weight's gradient is the product of its delta with the array the weight multiplies. Only
    arrays the script assigns from the forward pass count (a backward pass that recomputes the hidden layer
    under another name is not flagged), and only weights the reader found (`weights`)."""
    try:
        return _wrong_inputs(tree, set(weights))
    except (RecursionError, ValueError, AttributeError):
        return []


def _wrong_inputs(tree: ast.Module, weights: set[str]) -> list[dict[str, Any]]:
    if not weights:
        return []
    # what each weight multiplies in the forward pass
    inputs: dict[str, set[str]] = {}
    for a, b in _products(tree):
        ka, kb = _key(a), _key(b)
        if ka in weights and kb is not None and kb not in weights:
            inputs.setdefault(ka, set()).add(kb)
        elif kb in weights and ka is not None and ka not in weights:
            inputs.setdefault(kb, set()).add(ka)
    # the arrays the forward pass assigns (each key once or more: the value's nodes) and the aliases
    forward_values: dict[str, list[ast.AST]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for t in node.targets:
                targets = t.elts if isinstance(t, ast.Tuple) else [t]
                for tt in targets:
                    k = _key(tt)
                    if k is not None:
                        forward_values.setdefault(k, []).append(node.value)
    hits: list[dict[str, Any]] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        g = _key(node.targets[0])
        m = _GRAD_OF.match(g or "")
        if not m or m.group(1) not in weights:
            continue
        w = m.group(1)
        seen = inputs.get(w)
        if not seen:
            continue
        for a, b in _products(node.value):
            other = _transposed(a) or _transposed(b)
            k = _key(other) if other is not None else None
            if k is None or k in seen or k in weights:
                continue
            values = forward_values.get(k, [])
            made = bool(values) and all(
                _products(v) or any(isinstance(c, ast.Call) for c in ast.walk(v)) for v in values) and not any(
                _key(v) in seen for v in values)        # `A1 = self.Z1`: another name for the same array
            if not made:
                continue
            hits.append({"parameter": w, "line": node.lineno, "static": "gradient-of-other-array",
                         "kind": "input", "helper": g,
                         "hint": f"{g} is built from {ast.unparse(other)}, but the forward pass multiplies {w} "
                                 f"with {', '.join(sorted(seen))}: a weight's gradient is its layer's delta times "
                                 f"the array it multiplies ({'/'.join(sorted(seen))})"})
            break
    return hits
