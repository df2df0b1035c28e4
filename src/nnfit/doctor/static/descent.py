"""Which way a hand-written gradient points: the orientation of its residual (read, never run).

A from-scratch training loop computes a weight's gradient from the residual between the network's
output and the targets: `err = pred - y; grad_w = X.T.dot(err) / n`. For every usual loss (squared
error on a linear or sigmoid output, cross-entropy on a sigmoid / softmax output) the gradient is
    (positive factors and the chain rule's weights) x (pred - y)
so the residual's orientation fixes the sign: built from `pred - y` the expression is +gradient, from
`y - pred` it is -gradient. `W = W - lr * grad` then descends in the first case and `W = W + lr * grad`
in the second; the other two combinations climb the loss (gradient ascent).

gradient_orientation(expr) returns +1 (the expression is +gradient), -1 (it is -gradient), or None when
the expression holds no residual, more than one, or anything whose sign the syntax does not fix (a
constant of unknown sign, a sum of residual terms). Factors other than constants (inputs, weights,
activation derivatives such as h * (1 - h)) are the chain rule's and do not change the orientation.
"""
from __future__ import annotations

import ast
from collections.abc import Callable

from nnfit.doctor.static.values import V

# calls whose value carries their first argument's orientation (sums, means, transposes, products)
_PASS = {"mean", "sum", "dot", "matmul", "multiply", "outer", "reshape", "transpose", "squeeze", "flatten",
         "ravel", "mm", "average", "asarray", "array"}
_MAX_DEPTH = 32      # nesting of the expressions followed through names (a 3-layer backprop is ~20)


def gradient_orientation(node: ast.AST, lookup: Callable[[str], ast.AST | None],
                         residual: Callable[[ast.BinOp], int | None]) -> int | None:
    """`lookup(name)`: the expression last assigned to a name (None: data / a weight); `residual(sub)`:
    what the interpreter saw when it evaluated that subtraction (residual_orientation)."""
    found = _orient(node, lookup, residual, 0, set())
    if found is None:
        return None
    sign, residuals = found
    return sign if residuals == 1 else None


def _orient(node: ast.AST, lookup, residual, depth: int, seen: set[str]) -> tuple[int, int] | None:
    """(sign, number of residuals inside) or None when the sign cannot be read."""
    if depth > _MAX_DEPTH:
        return None
    rec = lambda n: _orient(n, lookup, residual, depth + 1, seen)   # noqa: E731
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v == 0:
            return None
        return (1 if v > 0 else -1), 0
    if isinstance(node, (ast.Name, ast.Attribute)):
        if isinstance(node, ast.Attribute) and node.attr == "T":
            return rec(node.value)
        key = node.id if isinstance(node, ast.Name) else node.attr
        value = lookup(key) if key not in seen else None
        if value is None:
            return 1, 0          # data, weights, a rate: a factor of the chain rule
        return _orient(value, lookup, residual, depth + 1, seen | {key})
    if isinstance(node, ast.Subscript):
        return rec(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = rec(node.operand)
        if inner is None:
            return None
        return (-inner[0] if isinstance(node.op, ast.USub) else inner[0]), inner[1]
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Sub):
            kind = residual(node)
            if kind is not None:
                return kind, 1
        left, right = rec(node.left), rec(node.right)
        if left is None or right is None:
            return None
        if isinstance(node.op, (ast.Mult, ast.Div, ast.MatMult)):
            if left[1] and right[1]:
                return None      # a residual times a residual: a loss, not a gradient
            return left[0] * right[0], left[1] + right[1]
        if isinstance(node.op, (ast.Add, ast.Sub)):
            # grad + lam * w (a penalty) keeps the residual term's orientation; two residual terms do not
            if left[1] and right[1]:
                return None
            if isinstance(node.op, ast.Sub) and right[1]:
                return -right[0], 1
            return (left if left[1] else right)[0], left[1] + right[1]
        return None if (left[1] or right[1]) else (1, 0)
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        parts = list(node.args)
        if isinstance(func, ast.Attribute) and name in _PASS and not _module_call(func):
            parts = [func.value] + parts          # X.T.dot(err), err.mean(axis=0)
        if name in ("len", "float", "int", "sqrt", "abs", "exp"):
            return 1, 0          # a count, a positive scale
        if name not in _PASS:
            # any other function (an activation's derivative, a helper): a positive factor only when no
            # residual is inside it
            subs = [n for a in parts for n in ast.walk(a) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Sub)]
            return None if any(residual(n) is not None for n in subs) else (1, 0)
        sign, residuals = 1, 0
        for a in parts[:2] if name in ("dot", "matmul", "multiply", "outer", "mm") else parts[:1]:
            got = rec(a)
            if got is None:
                return None
            sign, residuals = sign * got[0], residuals + got[1]
        return (sign, residuals) if residuals <= 1 else None
    return None


def _module_call(func: ast.Attribute) -> bool:
    """np.dot(a, b) / torch.mm(a, b): the module is not an operand."""
    return isinstance(func.value, ast.Name) and func.value.id in ("np", "numpy", "torch", "tf", "jnp")


def residual_orientation(a: V, b: V) -> int | None:
    """`a - b` evaluated: +1 for `prediction - targets`, -1 for `targets - prediction`, None for any
    other difference (the interpreter records it per subtraction node)."""

    def data(v: V) -> bool:
        return v.kind == "seq" and v.dist != "prediction" and not v.param and v.n is not None

    if a.dist == "prediction" and data(b):
        return 1
    if b.dist == "prediction" and data(a):
        return -1
    return None
