"""Hand-written parameter updates (`w -= lr * w.grad`, `p.data.sub_(lr * p.grad)`,
`p.add_(p.grad, alpha=-lr)`): where they are, the loops that repeat them, and the number that sets
their rate, so the training fixes (rate, update count, a step divided twice) reach a script that
has no optimiser object at all.

The rate is the factor of the step that is not the gradient: a literal, or a name followed back to
the one literal it is bound to (a top-level `lr = 0.03`, one element of `lr, epochs = 0.03, 3`, an
assignment in the same function, or the argument the function's one caller passes for that
parameter, itself followed back the same way).
"""
from __future__ import annotations

import dataclasses

import libcst as cst

from nnfit.doctor.patch.core import CallSite, Context, ScopeVisitor, _assigned_value, dotted


@dataclasses.dataclass
class ManualUpdate:
    statement: cst.SimpleStatementLine
    line: int
    function: cst.FunctionDef | None
    loops: tuple[cst.For, ...]
    step: cst.BaseExpression           # the expression subtracted from (or added to) the parameter
    rate: cst.BaseExpression | None    # the factor of `step` that sets its size, when one is found


def _has_grad(node: cst.CSTNode) -> bool:
    found = []

    class Find(cst.CSTVisitor):
        def visit_Attribute(self, attr: cst.Attribute) -> None:
            if attr.attr.value == "grad":
                found.append(attr)

    node.visit(Find())
    return bool(found)


def _factors(node: cst.BaseExpression) -> tuple[list[cst.BaseExpression], list[cst.BaseExpression]]:
    """A chain of * and / as (factors above the line, factors below it); `-x` is x."""
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return _factors(node.expression)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Multiply):
        lt, lb = _factors(node.left)
        rt, rb = _factors(node.right)
        return lt + rt, lb + rb
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
        lt, lb = _factors(node.left)
        rt, rb = _factors(node.right)
        return lt + rb, lb + rt
    return [node], []


def _rate_of(step: cst.BaseExpression) -> cst.BaseExpression | None:
    """The one factor above the line that does not hold the gradient: the rate."""
    top, _ = _factors(step)
    if len(top) == 1 and not _has_grad(top[0]):
        # `alpha=-lr`: the step is the rate itself (times the gradient, the call's other argument)
        top = top + [cst.Attribute(cst.Name("p"), cst.Name("grad"))]
    if len(top) < 2:
        return None
    others = [f for f in top if not _has_grad(f)]
    if len(others) != 1 or len(others) == len(top):
        return None
    rate = others[0]
    return rate if isinstance(rate, (cst.Name, cst.Float, cst.Integer, cst.Attribute, cst.Subscript)) else None


def _subtracted(small: cst.BaseSmallStatement) -> cst.BaseExpression | None:
    """What a hand-written update subtracts from the parameter, or None when `small` is not one."""
    if isinstance(small, cst.AugAssign) and isinstance(small.operator, cst.SubtractAssign) and _has_grad(small.value):
        return small.value
    if isinstance(small, cst.AugAssign) and isinstance(small.operator, cst.AddAssign) and _has_grad(small.value) \
            and isinstance(small.value, cst.UnaryOperation) and isinstance(small.value.operator, cst.Minus):
        return small.value.expression
    if isinstance(small, cst.Assign) and isinstance(small.value, cst.BinaryOperation) \
            and isinstance(small.value.operator, cst.Subtract) and _has_grad(small.value.right) \
            and not _has_grad(small.value.left):
        return small.value.right          # p.data = p.data - lr * p.grad
    value = small.value if isinstance(small, cst.Expr) else None
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.args \
            and value.func.attr.value in ("sub_", "add_") and _has_grad(value):
        alpha = next((a for a in value.args if a.keyword is not None and a.keyword.value == "alpha"), None)
        if alpha is not None:                       # p.add_(p.grad, alpha=-lr)
            return alpha.value
        first = value.args[0].value
        if value.func.attr.value == "add_":
            if isinstance(first, cst.UnaryOperation) and isinstance(first.operator, cst.Minus):
                return first.expression
            return None
        return first
    return None


class _Updates(ScopeVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[ManualUpdate] = []

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        for small in node.body:
            step = _subtracted(small)
            if step is not None:
                self.found.append(ManualUpdate(node, self.line(node),
                                               self._func[-1] if self._func else None, tuple(self._loops),
                                               step, _rate_of(step)))


def manual_updates(ctx: Context) -> list[ManualUpdate]:
    cached = getattr(ctx, "_manual_updates", None)
    if cached is None:
        visitor = _Updates()
        ctx.wrapper.visit(visitor)
        cached = visitor.found
        ctx._manual_updates = cached
    return cached


def manual_step_sites(ctx: Context) -> list[CallSite]:
    """Where the hand-written updates repeat: each update inside a loop (as a site of its own), and
    each call, inside a loop, of a function that makes them (`sgd([w, b], lr, batch_size)`)."""
    out: list[CallSite] = []
    updates = manual_updates(ctx)
    holders = {u.function.name.value for u in updates if u.function is not None}
    called = set()
    for c in ctx.index.calls:
        if c.loops and c.name in holders:
            out.append(c)
            called.add(c.name)
    for u in updates:
        # an update in a loop of its own (`for w in params: w -= ...` in a helper called from the
        # training loop counts through that call)
        if u.loops and (u.function is None or u.function.name.value not in called):
            out.append(CallSite(u.statement, u.line, "<update>", u.statement, u.function, u.loops))   # type: ignore[arg-type]
    return out


Context.manual_step_sites = staticmethod(manual_step_sites)


def _caller_value(ctx: Context, function: cst.FunctionDef, name: str) -> tuple[cst.BaseExpression, cst.FunctionDef | None] | None:
    """The argument the function's one caller passes for parameter `name` (else its default), with the
    function that call is in."""
    params = list(function.params.params)
    index = next((i for i, p in enumerate(params) if p.name.value == name), None)
    if index is None:
        return None
    callers = [c for c in ctx.index.calls if c.name.split(".")[-1] == function.name.value]
    if len(callers) > 1:
        return None
    for c in callers:
        given = next((a for a in c.node.args if a.keyword is not None and a.keyword.value == name), None)
        if given is not None:
            return given.value, c.function
        plain = [a for a in c.node.args if a.keyword is None and not a.star]
        offset = 1 if params and params[0].name.value == "self" and "." in c.name else 0
        if len(plain) > index - offset >= 0:
            return plain[index - offset].value, c.function
    return (params[index].default, None) if params[index].default is not None else None


def number_node(ctx: Context, node: cst.BaseExpression | None, function: cst.FunctionDef | None,
                depth: int = 0) -> cst.BaseExpression | None:
    """The Integer / Float literal that `node` (a name, in `function`) stands for, followed back
    through assignments and the caller's argument; None when it is not one literal."""
    if node is None or depth > 4:
        return None
    if isinstance(node, (cst.Float, cst.Integer)):
        return node
    if isinstance(node, cst.Subscript):
        return _keyed_value(ctx, node, function, depth)
    if isinstance(node, cst.Attribute):
        return _attribute_value(ctx, node, function, depth)
    if not isinstance(node, cst.Name):
        return None
    name = node.value
    if function is not None:
        if any(p.name.value == name for p in function.params.params):
            found = _caller_value(ctx, function, name)
            return number_node(ctx, found[0], found[1], depth + 1) if found else None
        local = _assigned_value(ctx, name, function)
        if local is not None:
            return number_node(ctx, local, function, depth + 1)
    return number_node(ctx, _assigned_value(ctx, name, None), None, depth + 1)


def _bound_value(ctx: Context, name: str, function: cst.FunctionDef | None) -> tuple[cst.BaseExpression, cst.FunctionDef | None] | None:
    if function is not None:
        local = _assigned_value(ctx, name, function)
        if local is not None:
            return local, function
    top = _assigned_value(ctx, name, None)
    return (top, None) if top is not None else None


def _keyed_value(ctx: Context, node: cst.Subscript, function: cst.FunctionDef | None, depth: int) -> cst.BaseExpression | None:
    """`config["lr"]`, `config` bound to a dict literal (`{"lr": 0.01}` or `dict(lr=0.01)`)."""
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index) or not isinstance(node.value, cst.Name):
        return None
    key = node.slice[0].slice.value
    if not isinstance(key, cst.SimpleString):
        return None
    wanted = key.evaluated_value
    bound = _bound_value(ctx, node.value.value, function)
    if bound is None:
        return None
    value, scope = bound
    if isinstance(value, cst.Dict):
        for el in value.elements:
            if isinstance(el, cst.DictElement) and isinstance(el.key, cst.SimpleString) and el.key.evaluated_value == wanted:
                return number_node(ctx, el.value, scope, depth + 1)
    if isinstance(value, cst.Call) and dotted(value.func) == "dict":
        arg = next((a for a in value.args if a.keyword is not None and a.keyword.value == wanted), None)
        return number_node(ctx, arg.value, scope, depth + 1) if arg is not None else None
    return None


def _attribute_value(ctx: Context, node: cst.Attribute, function: cst.FunctionDef | None, depth: int) -> cst.BaseExpression | None:
    """`args.epochs` (`args = parser.parse_args()`: the default of `--epochs`), `Config.lr` / `cfg.lr`
    (`lr = 0.1` in the body of class Config, `cfg = Config()`), `hp.lr` (`hp = SimpleNamespace(lr=...)`)."""
    if not isinstance(node.value, cst.Name):
        return None
    attr, owner = node.attr.value, node.value.value
    bound = _bound_value(ctx, owner, function)
    value = bound[0] if bound is not None else None
    if isinstance(value, cst.Call) and dotted(value.func).split(".")[-1] == "parse_args":
        for c in ctx.index.calls:
            if c.name.split(".")[-1] != "add_argument" or not c.node.args:
                continue
            flags = [a.value.evaluated_value for a in c.node.args if a.keyword is None
                     and isinstance(a.value, cst.SimpleString)]
            dest = next((a.value.evaluated_value for a in c.node.args if a.keyword is not None
                         and a.keyword.value == "dest" and isinstance(a.value, cst.SimpleString)), None)
            names = {dest} if dest else {f.lstrip("-").replace("-", "_") for f in flags}
            if attr in names:
                default = next((a.value for a in c.node.args if a.keyword is not None and a.keyword.value == "default"), None)
                return number_node(ctx, default, c.function, depth + 1)
        return None
    if isinstance(value, cst.Call) and dotted(value.func).split(".")[-1] == "SimpleNamespace":
        arg = next((a for a in value.args if a.keyword is not None and a.keyword.value == attr), None)
        return number_node(ctx, arg.value, bound[1], depth + 1) if arg is not None else None
    cls_name = owner
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and not value.args:
        cls_name = value.func.value          # cfg = Config()
    for stmt in ctx.module.body:
        if isinstance(stmt, cst.ClassDef) and stmt.name.value == cls_name:
            for inner in stmt.body.body:
                small = inner.body[0] if isinstance(inner, cst.SimpleStatementLine) and inner.body else None
                if isinstance(small, (cst.Assign, cst.AnnAssign)):
                    target = small.targets[0].target if isinstance(small, cst.Assign) and len(small.targets) == 1 \
                        else getattr(small, "target", None)
                    if isinstance(target, cst.Name) and target.value == attr and small.value is not None:
                        return number_node(ctx, small.value, None, depth + 1)
    return None


def literal_value(node: cst.BaseExpression) -> float | None:
    if isinstance(node, cst.Integer):
        return float(int(node.value.replace("_", ""), 0))
    if isinstance(node, cst.Float):
        return float(node.value.replace("_", ""))
    return None


def is_hand_written(ctx: Context) -> bool:
    opt = ctx.run.config.optimizer
    if opt is not None and opt.arguments.get("hand_written"):
        return True
    return opt is None and bool(manual_updates(ctx))


def manual_rate_literals(ctx: Context) -> list[cst.BaseExpression]:
    """Every literal the hand-written updates' rates come from (one per distinct literal), all holding
    the same value; [] when any rate is not a literal or they differ."""
    if not is_hand_written(ctx):
        return []
    nodes: list[cst.BaseExpression] = []
    for u in manual_updates(ctx):
        lit = number_node(ctx, u.rate, u.function)
        if lit is None:
            return []
        if all(lit is not n for n in nodes):
            nodes.append(lit)
    values = {literal_value(n) for n in nodes}
    return nodes if nodes and len(values) == 1 and None not in values else []


def doubled_division(ctx: Context, line: int | None, text: str) -> list[cst.BinaryOperation]:
    """The `... / batch_size` of the hand-written updates (on `line`, else every update) whose divisor
    reads `text`: the division dropped, the step has the size the rate says."""
    out = []
    for u in manual_updates(ctx):
        if line is not None and u.line != line and any(x.line == line for x in manual_updates(ctx)):
            continue

        class Div(cst.CSTVisitor):
            def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
                if isinstance(node.operator, cst.Divide) and ctx.module.code_for_node(node.right).strip() == text.strip():
                    out.append(node)

        u.step.visit(Div())
    return out


def describe(node: cst.BaseExpression) -> str:
    return dotted(node) if isinstance(node, (cst.Name, cst.Attribute)) else getattr(node, "value", "?")
