"""Fixes of a PyTorch loop's gradients (NF116). Gradients never reset between updates (measured at each
step): `optimizer.zero_grad()` before the loop's first `backward()` for the optimiser the loop steps
(a Keras model's custom torch `train_step`: `self.zero_grad()` before its `backward()`), or, in a loop that updates the parameters by hand (`w -= lr * w.grad`), each parameter's gradient
zeroed right after its update. The loss handed to its own `backward()` (`loss.backward(loss)`, every
step scaled by the current loss): the argument dropped.
"""
from __future__ import annotations

import libcst as cst

from nnfit.doctor.findings import Finding
from nnfit.doctor.patch.core import CallSite, Context, Edits, ScopeVisitor, _base_name, dotted


def _fix_grad_reset(ctx: Context, f: Finding, e: Edits) -> str | None:
    if ".backward(" in str(f.evidence.get("expression") or f.evidence.get("call") or ""):
        # NF116 read from `loss.backward(loss)`: the static reader's update rule (static/interp.py
        # backward_with_itself, evidence "expression") or a watched run (rules/gradient_scaled_by_loss.py,
        # evidence "call"): the argument dropped
        return _fix_backward_argument(ctx, f, e)
    if ctx.framework == "keras" and "accumulated_steps" in f.evidence:
        return _keras_train_step_reset(ctx, e)
    if ctx.framework != "torch" or "accumulated_steps" not in f.evidence:
        # the NumPy check's NF116 (an update rule that does not follow the gradient) is advice on the code
        return "a hand-written update rule: no automatic patch"
    steps = [c for c in ctx.index.calls if c.name.endswith(".step") and c.statement is not None
             and (c.loops or c.function is not None)]
    opt = ctx.run.config.optimizer
    if opt is not None and opt.variable:
        steps = [c for c in steps if c.name == f"{opt.variable}.step"] or steps
    backwards = [c for c in ctx.index.calls if c.name.endswith(".backward") and c.statement is not None]
    if steps:
        done = []
        for step in steps:
            owner = step.name[: -len(".step")]
            if owner in done:
                continue
            first = _first_backward_before(step, backwards)
            if first is not None:
                e.before.setdefault(id(first.statement), []).append(f"{owner}.zero_grad()")
            else:
                # the backward pass is elsewhere (a helper function): the reset right after the update is
                # the same thing for the next step, since gradients start at zero
                e.after.setdefault(id(step.statement), []).append(f"{owner}.zero_grad()")
            done.append(owner)
        e.changes.append(", ".join(f"{o}.zero_grad()" for o in done) + " in every step")
        return None
    return _manual_reset(ctx, backwards, e)


def _keras_train_step_reset(ctx: Context, e: Edits) -> str | None:
    """Keras 3 on the torch backend: a `train_step` method that calls `loss.backward()` itself gets
    `self.zero_grad()` (the model's own, as Keras's torch trainer calls it) before its first backward
    pass, so each `optimizer.apply` reads only the gradients of its own batch."""
    sites = [c for c in ctx.index.calls if c.name.endswith(".backward") and c.statement is not None
             and c.function is not None and c.function.name.value == "train_step"]
    if not sites:
        return "no backward() inside a train_step method was found in the script"
    done = []
    for function in {id(c.function): c.function for c in sites}.values():
        params = function.params.params
        owner = params[0].name.value if params else "self"
        first = min((c for c in sites if c.function is function), key=lambda c: c.line)
        e.before.setdefault(id(first.statement), []).append(f"{owner}.zero_grad()")
        done.append(owner)
    e.changes.append("self.zero_grad() at the start of each train_step's backward pass")
    return None


def _first_backward_before(step: CallSite, backwards: list[CallSite]) -> CallSite | None:
    """The first backward() of the step's loop (or function) that comes before the step: the reset
    goes right before it, so each update reads only the gradients of its own step."""
    same = [b for b in backwards if b.function is step.function and b.line <= step.line
            and [id(l) for l in b.loops] == [id(l) for l in step.loops]]
    # (a backward() in a loop inside the step's, several passes summed on purpose before one update,
    # or none here: the reset goes right after the step instead)
    return min(same, key=lambda b: b.line) if same else None


class _GradUpdates(cst.CSTVisitor):
    """Statements of a loop that assign from a parameter's `.grad` (`w -= lr * w.grad`,
    `p.data = p.data - lr * p.grad.data`): (statement, the parameter names), in order."""

    def __init__(self) -> None:
        self.found: list[tuple[cst.SimpleStatementLine, list[str]]] = []

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        for small in node.body:
            value = small.value if isinstance(small, (cst.Assign, cst.AugAssign)) else None
            if value is None:
                continue
            names: list[str] = []

            class Grads(cst.CSTVisitor):
                def visit_Attribute(self, attr: cst.Attribute) -> None:
                    if attr.attr.value == "grad":
                        base = attr.value
                        name = dotted(base) if isinstance(base, (cst.Name, cst.Attribute)) else _base_name(base)
                        if name and "?" not in name and name not in names:
                            names.append(name)

            value.visit(Grads())
            if names:
                self.found.append((node, names))


def _manual_reset(ctx: Context, backwards: list[CallSite], e: Edits) -> str | None:
    """No optimiser steps: the loop updates the parameters from their `.grad` itself; each one zeroed
    after its (last) update in the loop."""
    looped = [b for b in backwards if b.loops]
    if not looped:
        return "no optimiser step and no backward() inside a loop were found in the script"
    loop = looped[0].loops[-1]
    finder = _GradUpdates()
    loop.body.visit(finder)
    if not finder.found:
        return "the loop's update of the parameters from their .grad was not found"
    last: dict[str, cst.SimpleStatementLine] = {}
    for stmt, names in finder.found:
        for name in names:
            last[name] = stmt
    for name, stmt in last.items():
        e.after.setdefault(id(stmt), []).append(f"{name}.grad.zero_()")
    e.changes.append(", ".join(f"{n}.grad.zero_()" for n in last) + " after each update")
    return None


def _fix_backward_argument(ctx: Context, f: Finding, e: Edits) -> str | None:
    """`loss.backward(loss)` (or `gradient=loss`, `loss.detach()`): the loss handed back as its own output gradient scales
    every step by the loss's current value, so the steps shrink as the loss falls. The argument is
    dropped (`loss.backward()`: the gradient of a scalar loss is 1); a gradient argument that is not the
    loss itself (`out.backward(torch.ones_like(out))` on a non-scalar output) is left as written."""
    line = f.location.line if f.location is not None else None
    sites = []
    for c in ctx.index.calls:
        if not c.name.endswith(".backward") or not isinstance(c.node.func, cst.Attribute):
            continue
        receiver = ctx.module.code_for_node(c.node.func.value).replace(" ", "")
        for a in c.node.args:
            is_gradient = (a.keyword is None and not a.star and a is c.node.args[0]) or \
                (a.keyword is not None and a.keyword.value == "gradient")
            if is_gradient and _detached(ctx.module.code_for_node(a.value).replace(" ", "")) == receiver:
                sites.append((c, a))
    if line is not None and any(c.line == line for c, _ in sites):
        sites = [(c, a) for c, a in sites if c.line == line]
    if not sites:
        return "no backward() given the loss itself as its gradient was found in the script"
    for c, a in sites:
        e.remove.add(id(a.value))
    receivers = sorted({ctx.module.code_for_node(c.node.func.value) for c, _ in sites})
    e.changes.append(", ".join(f"{r}.backward()" for r in receivers) + " (the loss no longer scales its own gradient)")
    return None


def _detached(code: str) -> str:
    """`loss.detach()`, `loss.data`, `loss.clone()` -> `loss`: the same values as the tensor itself."""
    changed = True
    while changed:
        changed = False
        for tail in (".data", ".detach()", ".clone()"):
            if code.endswith(tail):
                code, changed = code[: -len(tail)], True
    return code


# Calls and attributes that take a tensor out of the graph into NumPy or Python: a loss computed
# through them cannot be reconnected by dropping a call
_LEAVES_TORCH = ("numpy", "item", "tolist")


class _Statements(ScopeVisitor):
    """Each statement line with its first line number."""

    def __init__(self) -> None:
        super().__init__()
        self.at: dict[int, cst.SimpleStatementLine] = {}

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self.at.setdefault(self.line(node), node)


class _Detaches(cst.CSTVisitor):
    """`x.detach()` calls and `x.data` attributes in an expression; whether it leaves torch."""

    def __init__(self) -> None:
        self.calls: list[cst.Call] = []
        self.datas: list[cst.Attribute] = []
        self.leaves_torch = False

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute):
            if func.attr.value == "detach" and not node.args:
                self.calls.append(node)
            elif func.attr.value in _LEAVES_TORCH:
                self.leaves_torch = True
        name = dotted(func)
        if name.split(".")[-1] in ("tensor", "Tensor", "as_tensor", "from_numpy", "Variable") or name.startswith(("np.", "numpy.")):
            self.leaves_torch = True

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value == "data":
            self.datas.append(node)


def reconnect_loss(ctx: Context, f: Finding, e: Edits) -> str | None:
    """NF109, a loss made to require a gradient by hand (static/cut_loss.py): the flag removed and the
    `.detach()` / `.data` on the loss's way removed (in its own assignment, or in the assignment of a
    name it reads), so backward() reaches the weights again. A loss that went through NumPy or a new
    tensor is left as written: its value would have to be recomputed in torch."""
    line, loss = f.evidence.get("cut_line"), f.evidence.get("cut_loss")
    statements = _Statements()
    ctx.wrapper.visit(statements)
    stmt = statements.at.get(line) if isinstance(line, int) else None
    if stmt is None or not isinstance(loss, str):
        return "the line that makes the loss require a gradient was not found"
    small = stmt.body[0] if len(stmt.body) == 1 else None
    flag = (isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Attribute)
            and small.targets[0].target.attr.value == "requires_grad") or \
        (isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) and dotted(small.value.func).endswith(".requires_grad_"))
    if not flag:
        return "the loss is made a new leaf tensor (torch.tensor / Variable): no automatic patch"
    before = [(ln, st, fn) for name, st, ln, fn in ctx.index.assigns if name == loss and ln < line]
    if not before:
        return f"the assignment of '{loss}' was not found"
    ln, assign, function = max(before, key=lambda t: t[0])
    found = _Detaches()
    assign.visit(found)
    if not found.calls and not found.datas:
        # one name back: `out = model(x).detach()` then `loss = crit(out, y)`
        from nnfit.doctor.patch.scaling import _names_read

        names = _names_read(assign) - {loss}
        for name, st, other, fn in ctx.index.assigns:
            if name in names and other < ln and fn is function:
                more = _Detaches()
                st.visit(more)
                found.calls += more.calls
                found.datas += more.datas
                found.leaves_torch |= more.leaves_torch
    if found.leaves_torch:
        return "the loss is computed through NumPy or a new tensor: no automatic patch"
    if not found.calls and not found.datas:
        return "no .detach() or .data on the loss's way was found"
    for call in found.calls:
        e.on_call(call, lambda c: c.func.value)
    for attr in found.datas:
        e.exprs.setdefault(id(attr), []).append(lambda n: n.value if isinstance(n, cst.Attribute) else n)
    e.remove.add(id(stmt))
    e.changes.append(f"the loss computed from the network's output itself (.detach() / .data dropped), "
                     f"`{f.evidence.get('cut_how')}` removed")
    return None
