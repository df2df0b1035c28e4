"""An optimiser built from a model that the script then makes again (read from the code, never run).

    model = Net()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    model = Net()                 # a new model: the optimiser still holds the first one's weights
    for epoch in ...: ... optimizer.step()

backward() then fills the new model's gradients, and the optimiser steps the old model's weights,
which nothing back-propagates into: the model that trains never changes (NF109; a watched run shows
it as steps that find no gradient although backward() runs).
"""
from __future__ import annotations

import ast


def _parameters_of(call: ast.AST) -> str | None:
    """`X(model.parameters(), ...)` / `X(list(model.parameters()), ...)` / `X(params=model.parameters())`:
    the model's name, else None."""
    if not isinstance(call, ast.Call):
        return None
    candidates = list(call.args[:1]) + [k.value for k in call.keywords if k.arg in ("params", "parameters")]
    for arg in candidates:
        if isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name) and arg.func.id in ("list", "tuple") \
                and arg.args:
            arg = arg.args[0]
        if isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) \
                and arg.func.attr in ("parameters", "named_parameters") and isinstance(arg.func.value, ast.Name):
            return arg.func.value.id
    return None


def _assigned(stmt: ast.stmt) -> list[str]:
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, ast.AnnAssign) else []
    return [t.id for t in targets if isinstance(t, ast.Name)]


def _steps(stmts: list[ast.stmt], optimizer: str) -> bool:
    """Does `optimizer.step()` run anywhere in these statements?"""
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "step"
               and isinstance(n.func.value, ast.Name) and n.func.value.id == optimizer
               for s in stmts for n in ast.walk(s))


def stale_optimizer(tree: ast.AST) -> tuple[str, int, str, int] | None:
    """(optimiser name, its line, model name, the line that makes the model again) for the first optimiser
    whose model is rebound, in the same block, before the optimiser is built again and before it steps."""
    blocks = [n.body for n in ast.walk(tree) if isinstance(n, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef))]
    for body in blocks:
        for i, stmt in enumerate(body):
            if not isinstance(stmt, (ast.Assign, ast.AnnAssign)) or stmt.value is None:
                continue
            model = _parameters_of(stmt.value)
            names = _assigned(stmt)
            if model is None or len(names) != 1:
                continue
            optimizer = names[0]
            for j in range(i + 1, len(body)):
                later = body[j]
                if optimizer in _assigned(later) or _steps([later], optimizer):
                    break                    # built again, or it steps first: the order is right
                if model in _assigned(later):
                    for after in body[j + 1:]:
                        if optimizer in _assigned(after):
                            break            # built again from the new model before it steps
                        if _steps([after], optimizer):
                            return optimizer, stmt.lineno, model, later.lineno
                    break
    return None
