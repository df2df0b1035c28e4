"""A loss cut from the network's graph and made to require a gradient by hand (read from the code,
never run).

    out = model(x)
    loss = criterion(torch.tensor(out.detach().numpy()), y)   # or out.detach(), out.item(), np.array(out)
    loss.requires_grad = True        # silences "element 0 of tensors does not require grad"
    loss.backward()                  # reaches no weight: the model never changes

A loss computed from the network's output already requires a gradient; a script sets it by hand only
after something on the way (a detach, a NumPy round trip, a new tensor) cut the graph and backward()
raised. The flag makes backward() run, on a new leaf that no parameter feeds (NF109; a watched run
shows it as steps that find no gradient although backward() runs).
"""
from __future__ import annotations

import ast


def _true(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _backward_receivers(tree: ast.AST) -> dict[str, int]:
    """name -> first line of `name.backward(...)`."""
    out: dict[str, int] = {}
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "backward" \
                and isinstance(n.func.value, ast.Name):
            out.setdefault(n.func.value.id, n.lineno)
    return out


def _new_leaf(value: ast.AST) -> str | None:
    """`torch.tensor(..., requires_grad=True)` / `Variable(..., requires_grad=True)` / `x.requires_grad_()`
    whose argument is computed (not a literal): how the value is made a leaf that requires a gradient."""
    if not isinstance(value, ast.Call):
        return None
    func = value.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name == "requires_grad_" and (not value.args or _true(value.args[0])):
        return "requires_grad_()"
    if name in ("tensor", "Tensor", "Variable", "as_tensor") and value.args \
            and any(k.arg == "requires_grad" and _true(k.value) for k in value.keywords) \
            and not isinstance(value.args[0], (ast.Constant, ast.List, ast.Tuple)):
        return f"{name}(..., requires_grad=True)"
    return None


def cut_loss(tree: ast.AST) -> tuple[int, str, str] | None:
    """(line, loss name, how) for the first backward() receiver that the script makes require a gradient
    by hand: `loss.requires_grad = True`, `loss.requires_grad_()`, `loss = torch.tensor(..., requires_grad=True)`
    or `loss = Variable(..., requires_grad=True)`; None when there is none."""
    receivers = _backward_receivers(tree)
    if not receivers:
        return None
    found: list[tuple[int, str, str]] = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Assign):
            for t in n.targets:
                if isinstance(t, ast.Attribute) and t.attr == "requires_grad" and isinstance(t.value, ast.Name) \
                        and t.value.id in receivers and _true(n.value):
                    found.append((n.lineno, t.value.id, f"{t.value.id}.requires_grad = True"))
                elif isinstance(t, ast.Name) and t.id in receivers:
                    how = _new_leaf(n.value)
                    if how is not None:
                        found.append((n.lineno, t.id, f"{t.id} = {how}"))
        elif isinstance(n, ast.Expr) and isinstance(n.value, ast.Call):
            call = n.value
            if isinstance(call.func, ast.Attribute) and call.func.attr == "requires_grad_" \
                    and isinstance(call.func.value, ast.Name) and call.func.value.id in receivers \
                    and (not call.args or _true(call.args[0])):
                found.append((n.lineno, call.func.value.id, f"{call.func.value.id}.requires_grad_()"))
    return min(found) if found else None
