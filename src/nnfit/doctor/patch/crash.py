"""Fixes of a script that raised before it trained, from the numbers its framework's message gives
(rules/script_error.py): tensors of another floating type than the layers cast where they are made
(NF132), float labels given to a class-index loss as integers (NF132), and the first layer made to
take as many inputs as the data have columns (NF133).
"""
from __future__ import annotations

import re

import libcst as cst

from nnfit.doctor.findings import Finding
from nnfit.doctor.patch.core import CallSite, Context, Edits, _assigned_value, _kw, _literal, _suffix, dotted, set_kwarg, wrap


def _message(ctx: Context, f: Finding) -> str:
    err = ctx.run.script_error
    return (err.detail or err.message) if err is not None else str(f.evidence.get("message") or "")


# -- NF132: two floating types, or float class labels -------------------------------------------------
# (the data's type, the layers' type) in each message that names both; torch 2 wordings (crashes.py)
_TYPE_PAIRS = [
    (re.compile(r"mat1 and mat2 must have the same dtype, but got (\w+) and (\w+)"), (1, 2)),
    (re.compile(r"expected (?:m1 and m2|both vectors|mat1 and mat2) to have the same dtype, but got:? (\w+) != (\w+)"), (1, 2)),
    (re.compile(r"expected scalar type (\w+) but found (\w+)"), (2, 1)),
    (re.compile(r"[Ff]ound dtype (\w+) but expected (\w+)"), (1, 2)),
]
_CLASS_INDEX = re.compile(r"expected scalar type Long but found \w+|expected target dtype to be Long or Byte")
_FLOATS = {"float": "float32", "float32": "float32", "double": "float64", "float64": "float64"}

# torch calls that make a tensor from data (NumPy's float64 stays float64 through them)
TENSOR_MAKERS = ("torch.from_numpy", "torch.tensor", "torch.as_tensor", "torch.DoubleTensor", "from_numpy")

AS_LAYER_TYPE = '''
def as_{dtype}(data):
    """Added by nnfit doctor: floating data in {dtype}, the layers' type (NumPy arrays are float64);
    integer data (class labels, token ids) stay as they are."""
    if hasattr(data, "is_floating_point"):
        return data.{method}() if data.is_floating_point() else data
    import numpy
    data = numpy.asarray(data)
    return data.astype("{dtype}") if data.dtype.kind == "f" else data
'''


def _fix_dtype(ctx: Context, f: Finding, e: Edits) -> str | None:
    if ctx.framework != "torch":
        return "a Keras script: Keras converts the data's type itself; no automatic patch"
    text = _message(ctx, f)
    if _CLASS_INDEX.search(text):
        return _long_labels(ctx, e)
    layers = None
    for pattern, (_, layer_group) in _TYPE_PAIRS:
        m = pattern.search(text)
        if m:
            layers = _FLOATS.get(m.group(layer_group).lower())
            break
    if layers is None:
        return "the message does not name the layers' floating type"
    helper = f"as_{layers}"
    made = [c for c in ctx.index.calls if c.name in TENSOR_MAKERS or dotted(c.node.func) in TENSOR_MAKERS]
    wrapped: set[int] = set()
    for site in made:
        target = _assignment_value(site)
        node = target if target is not None else site.node
        if id(node) in wrapped or _inside_wrapped(site, made):
            continue
        wrapped.add(id(node))
        e.exprs.setdefault(id(node), []).append(wrap(helper + "({})"))
    if not wrapped:
        return "no torch.from_numpy / torch.tensor call makes the data in the script"
    e.header.append(AS_LAYER_TYPE.format(dtype=layers, method="float" if layers == "float32" else "double"))
    e.changes.append(f"tensors made from the data cast to {layers} (the layers' type) where they are made")
    return None


def _assignment_value(site: CallSite) -> cst.BaseExpression | None:
    """The whole right-hand side of `X = torch.from_numpy(x).to(device)`, when the call is in it (the cast
    then also covers a later `.double()` / `.type(...)` in the same chain)."""
    stmt = site.statement
    small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 else None
    if not isinstance(small, cst.Assign) or len(small.targets) != 1:
        return None
    if isinstance(small.targets[0].target, (cst.Tuple, cst.List)):
        return None       # `X, y = torch.tensor(a), torch.tensor(b)`: each call on its own
    value = small.value
    node: cst.BaseExpression = value
    while True:               # the call is the chain's root: value = call(.attr(...))*
        if node is site.node:
            return value
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            node = node.func.value
            continue
        if isinstance(node, cst.Attribute):
            node = node.value
            continue
        return None


def _inside_wrapped(site: CallSite, made: list[CallSite]) -> bool:
    """`torch.tensor(torch.from_numpy(x))`: the inner call is covered by the outer one."""
    class Find(cst.CSTVisitor):
        hit = False

        def visit_Call(self, node: cst.Call) -> None:
            if node is site.node:
                Find.hit = True

    for other in made:
        if other is site or other.line != site.line:
            continue
        Find.hit = False
        for a in other.node.args:
            a.value.visit(Find())
        if Find.hit:
            return True
    return False


CLASS_INDEX_LOSSES = ("CrossEntropyLoss", "NLLLoss", "cross_entropy", "nll_loss")


def _long_labels(ctx: Context, e: Edits) -> str | None:
    """The labels passed as integers at the loss call that raised: loss(out, y) -> loss(out, y.long())."""
    err = ctx.run.script_error
    line = err.line if err is not None else None
    losses = {a[0] for a in ctx.index.assigns if any(
        c.name.split(".")[-1] in CLASS_INDEX_LOSSES for c in ctx.index.calls if c.line == a[2])}
    sites = [c for c in ctx.index.calls if len([a for a in c.node.args if a.keyword is None]) >= 2
             and (c.name.split(".")[-1] in CLASS_INDEX_LOSSES or c.name in losses)]
    at_line = [c for c in sites if c.line == line]
    sites = at_line or sites
    if not sites:
        return "the class-index loss call was not found in the script"
    for site in sites:
        target = [a for a in site.node.args if a.keyword is None][1].value
        e.exprs.setdefault(id(target), []).append(_suffix(target, "{}.long()"))
    e.changes.append("the labels passed to the loss as integers (.long())")
    return None


# -- NF133: a data width the first layer does not take ---------------------------------------------------
_WIDTHS = [
    # (features, expected) groups
    (re.compile(r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x\d+\)"), (2, 3)),
    (re.compile(r"expected axis -1 of input shape to have value (\d+), but received input with shape \((?:None|\d+), (\d+)\)"), (2, 1)),
    (re.compile(r"Expected shape \((?:None|\d+), (\d+)\), but input has incompatible shape "
                r"(?:torch\.Size\(\[|\()(?:None|\d+), (\d+)[\])]"), (2, 1)),
]
KERAS_INPUT_ARGS = ("input_shape", "input_dim", "shape", "batch_input_shape")


def _fix_width(ctx: Context, f: Finding, e: Edits) -> str | None:
    text = _message(ctx, f)
    found = None
    for pattern, (fg, eg) in _WIDTHS:
        m = pattern.search(text)
        if m:
            found = (int(m.group(fg)), int(m.group(eg)), m)
            break
    if found is None:
        return "the message gives no data width (a 1-D vector needs a column axis: x.reshape(-1, 1))"
    features, expected, m = found
    if pattern is _WIDTHS[0][0] and m.group(1) == "1" and expected == 1:
        return "a 1-D vector read as one row: it needs a column axis (x.reshape(-1, 1)); no automatic patch"
    if ctx.framework == "torch":
        return _torch_width(ctx, features, expected, e)
    return _keras_width(ctx, features, expected, e)


def _integer_node(ctx: Context, node: cst.BaseExpression, expected: int) -> cst.BaseExpression | None:
    """The node holding the width `expected`: the literal itself, or the literal a top-level name is assigned once."""
    if isinstance(node, cst.Name):
        node = _assigned_value(ctx, node.value) or node
    if isinstance(node, cst.Integer) and _literal(ctx, node) == expected:
        return node
    return None


def _torch_width(ctx: Context, features: int, expected: int, e: Edits) -> str | None:
    linears = sorted((c for c in ctx.index.calls if c.name.split(".")[-1] == "Linear"), key=lambda c: c.line)
    if not linears:
        return "no nn.Linear layer in the script"
    first = linears[0]
    arg = _kw(first.node, "in_features")
    plain = [a for a in first.node.args if a.keyword is None and not a.star]
    arg = arg or (plain[0] if plain else None)
    if arg is None:
        return "the first nn.Linear's input width is not written in its call"
    value = _literal(ctx, arg.value)
    if isinstance(arg.value, cst.Name):
        value = _literal(ctx, _assigned_value(ctx, arg.value.value)) if _assigned_value(ctx, arg.value.value) is not None else None
    if value is not None and value != expected:
        # the layer that refused the data is not the first one: the mismatch is between two layers
        return f"the first nn.Linear takes {value} inputs, not the {expected} the message names; no automatic patch"
    e.on_call(first.node, lambda c: set_kwarg(c, "in_features", str(features), positional=0))
    e.changes.append(f"the first nn.Linear takes {features} inputs (was {expected}), the data's width")
    return None


def _keras_width(ctx: Context, features: int, expected: int, e: Edits) -> str | None:
    sites = [c for c in ctx.index.calls if c.name.split(".")[-1] in ("Dense", "Input", "InputLayer")
             and any(_kw(c.node, k) is not None for k in KERAS_INPUT_ARGS)
             or (c.name.split(".")[-1] == "Input" and c.node.args and c.node.args[0].keyword is None)]
    sites.sort(key=lambda c: c.line)
    if not sites:
        return "the first layer's input width is not written in the script"
    site = sites[0]
    arg = next((_kw(site.node, k) for k in KERAS_INPUT_ARGS if _kw(site.node, k) is not None), None) \
        or site.node.args[0]
    value = arg.value
    last = value.elements[-1].value if isinstance(value, (cst.Tuple, cst.List)) and value.elements else value
    if _integer_node(ctx, last, expected) is None:
        return f"the first layer's input width is not written as {expected}; no automatic patch"
    # the literal replaced where the layer is made (a named width may also size other things)
    e.exprs.setdefault(id(last), []).append(lambda n: cst.Integer(str(features)))
    e.changes.append(f"the first layer takes {features} inputs (was {expected}), the data's width")
    return None
