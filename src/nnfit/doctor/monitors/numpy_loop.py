"""`doctor check` on a hand-written NumPy network written as a plain training loop (no class).

Many hand-written networks are a script: weight arrays made at the top level, then one `for` loop
whose body computes the forward pass, the gradients and the updates (`W1 -= lr * dW1`). This module
reads that loop from the syntax tree and presents it to `check_network` as a network object: the
loop's statements before the first gradient are its forward pass, those up to the first update its
backward pass, the updates its update. Only assignments whose values are pure numeric expressions are
run (the same rule as `load_definitions` for the top level); prints, plots and anything else in the
loop are left out. Full-batch loops only (the body reads the whole input array): a loop over
samples or mini-batches is left to `--class` and a wrapper.

The loss the gradients belong to is not written anywhere (the code writes its derivative): of the
usual conventions (½Σr², Σr², mean r², ½·mean r²) the one whose finite-difference gradient matches
the output layer's analytic gradient is used; when none matches, ½Σr² (every gradient then reads as
scaled, and the report says which).
"""
from __future__ import annotations

import ast
import copy
import dataclasses
import types
from typing import Any

import numpy as np

from nnfit.doctor.monitors.numpy import NUMERIC_MODULES, _gradient_for, _loss, _pure
from nnfit.errors import NNFitError

LOSS_CONVENTIONS = ("half_mse", "mse", "half_se", "se")


@dataclasses.dataclass
class LoopSpec:
    params: list[str]
    grads: list[str]
    forward: list[ast.stmt]
    backward: list[ast.stmt]
    update: list[ast.stmt]
    x_name: str
    y_name: str
    out_name: str
    lr: float
    line: int
    reasons: list[str]


def _names(node: ast.AST, ctx: type) -> list[str]:
    """The names stored or loaded in `node`, in source order."""
    found = [n for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)]
    return [n.id for n in sorted(found, key=lambda n: (n.lineno, n.col_offset))]


def _update_of(stmt: ast.stmt, assigned_in_loop: set[str]) -> tuple[str, str | None, ast.expr] | None:
    """(parameter, gradient name or None, step expression) for `P -= e` or `P = P - e`."""
    if isinstance(stmt, ast.AugAssign) and isinstance(stmt.op, ast.Sub) and isinstance(stmt.target, ast.Name):
        param, step = stmt.target.id, stmt.value
    elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
            and isinstance(stmt.value, ast.BinOp) and isinstance(stmt.value.op, ast.Sub) \
            and isinstance(stmt.value.left, ast.Name) and stmt.value.left.id == stmt.targets[0].id:
        param, step = stmt.targets[0].id, stmt.value.right
    else:
        return None
    grads = [n for n in _names(step, ast.Load) if n in assigned_in_loop and n != param]
    return param, (grads[0] if grads else None), step


class _AsBuiltin(ast.NodeTransformer):
    """A call of a pure user function, read as a call of a pure builtin: its arguments are still checked."""

    def __init__(self, functions: set[str]):
        self.functions = functions

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in self.functions:
            node.func = ast.Name(id="abs", ctx=ast.Load())
        return node


def _pure_with(node: ast.AST, allowed: set[str], numeric: set[str], functions: set[str]) -> bool:
    return _pure(_AsBuiltin(functions).visit(copy.deepcopy(node)), allowed, numeric)


def pure_functions(tree: ast.Module, numeric: set[str]) -> set[str]:
    """Top-level functions whose bodies only compute numbers (def sigmoid(z): return 1 / (1 + np.exp(-z)))."""
    found: set[str] = set()
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    changed = True
    while changed:      # a pure function may call another one defined before or after it
        changed = False
        for fn in defs:
            if fn.name in found or fn.decorator_list:
                continue
            local = {a.arg for a in fn.args.args} | {n for st in fn.body for n in _names(st, ast.Store)}
            ok = True
            for st in fn.body:
                if isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant):
                    continue
                if isinstance(st, (ast.Return, ast.Assign, ast.AugAssign)) and st.value is not None:
                    ok = ok and _pure_with(st.value, local, numeric, found | {fn.name})
                else:
                    ok = False
            if ok:
                found.add(fn.name)
                changed = True
    return found


def _learning_rate(step: ast.expr, grad: str | None, namespace: dict[str, Any]) -> float | None:
    """The scalar that multiplies the gradient in the step (a name bound at the top level, or a number)."""
    for node in ast.walk(step):
        if isinstance(node, ast.Name) and node.id != grad and isinstance(namespace.get(node.id), (int, float)):
            return float(namespace[node.id])
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return float(node.value)
    return None


def find_loop(tree: ast.Module, namespace: dict[str, Any]) -> LoopSpec | None:
    """The top-level full-batch training loop of a script, or None."""
    numeric = {k for k, v in namespace.items() if isinstance(v, types.ModuleType)
               and v.__name__.split(".")[0] in NUMERIC_MODULES}
    defined = {k for k, v in namespace.items() if not k.startswith("__")}
    for loop in (n for n in tree.body if isinstance(n, (ast.For, ast.While))):
        body = [s for s in loop.body if isinstance(s, (ast.Assign, ast.AugAssign))]
        assigned = {n for s in body for t in (s.targets if isinstance(s, ast.Assign) else [s.target])
                    for n in _names(t, ast.Store)}
        updates = [(s, u) for s in body if (u := _update_of(s, assigned)) is not None
                   and isinstance(namespace.get(u[0]), np.ndarray)]
        # a step that uses no gradient (W1 -= lr * W1: the fault itself) is checked against the gradient
        # the loop computes for that parameter, found by its name (dW1, grad_W1 ...)
        computed = sorted(assigned - {u[0] for _, u in updates})
        updates = [(s, (p, g or _gradient_for(p, computed), step)) for s, (p, g, step) in updates]
        updates = [(s, u) for s, u in updates if u[1] is not None]
        if not updates or any(isinstance(s, (ast.For, ast.While)) for s in loop.body):
            continue
        # in the order the forward pass uses them (the updates often run output layer first): the
        # layer shapes are read from this order
        order = {n: i for i, n in enumerate(dict.fromkeys(_names(ast.Module(body=body, type_ignores=[]), ast.Load)))}
        updates.sort(key=lambda su: order.get(su[1][0], len(order)))
        params = [u[0] for _, u in updates]
        grads = [u[1] for _, u in updates]
        first_update = min(body.index(s) for s, _ in updates)
        first_grad = next((i for i, s in enumerate(body)
                           if set(_names(s.targets[0] if isinstance(s, ast.Assign) else s.target, ast.Store)) & set(grads)),
                          None)
        if first_grad is None or first_grad > first_update:
            continue
        loop_vars = set(_names(loop.target, ast.Store)) if isinstance(loop, ast.For) else set()
        allowed = defined | assigned | loop_vars
        functions = pure_functions(tree, numeric)
        if not all(_pure_with(s.value, allowed, numeric, functions) for s in body):
            continue
        data = [n for n in dict.fromkeys(_names(ast.Module(body=body, type_ignores=[]), ast.Load))
                if n in namespace and isinstance(namespace[n], np.ndarray) and n not in params and n not in assigned]
        out_name = y_name = None
        for node in ast.walk(ast.Module(body=body, type_ignores=[])):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub) and isinstance(node.left, ast.Name) \
                    and isinstance(node.right, ast.Name):
                a, b = node.left.id, node.right.id
                if a in assigned and b in data:
                    out_name, y_name = a, b
                elif b in assigned and a in data:
                    out_name, y_name = b, a
                if out_name:
                    break
        x_name = next((n for n in data if n != y_name), None)
        if not (out_name and y_name and x_name):
            continue
        lr = next((r for _, (p, g, step) in updates if (r := _learning_rate(step, g, namespace)) is not None), None)
        if lr is None:
            continue
        updates_set = {id(s) for s, _ in updates}
        spec = LoopSpec(params=params, grads=grads, forward=body[:first_grad],
                        backward=[s for s in body[first_grad:] if id(s) not in updates_set],
                        update=[s for s in body if id(s) in updates_set], x_name=x_name, y_name=y_name,
                        out_name=out_name, lr=lr, line=loop.lineno, reasons=[])
        spec.reasons = [f"the training loop at line {loop.lineno} (no network class): its updates "
                        + ", ".join(f"{p} -= {ast.unparse(step)} (gradient {g})" for _, (p, g, step) in updates),
                        f"inputs {x_name}, targets {y_name}, output {out_name}, learning rate {lr:g}"]
        return spec
    return None


def _code(stmts: list[ast.stmt], path: str) -> Any:
    return compile(ast.fix_missing_locations(ast.Module(body=stmts, type_ignores=[])), path, "exec")


class LoopNetwork:
    """The loop's statements as forward / backward / update methods over the script's namespace."""

    def __init__(self, namespace: dict[str, Any], spec: LoopSpec, path: str):
        object.__setattr__(self, "_ns", namespace)
        object.__setattr__(self, "_spec", spec)
        object.__setattr__(self, "_codes", {role: _code(getattr(spec, role), path)
                                            for role in ("forward", "backward", "update")})

    def __getattr__(self, name: str) -> Any:
        try:
            return object.__getattribute__(self, "_ns")[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self._ns[name] = value

    def _run(self, role: str, x: Any, y: Any) -> None:
        self._ns[self._spec.x_name], self._ns[self._spec.y_name] = x, y
        exec(self._codes[role], self._ns)  # noqa: S102 - the loop's pure numeric assignments only (find_loop)

    def forward(self, x: Any, y: Any) -> Any:
        self._run("forward", x, y)
        if self._spec.out_name not in self._ns or self._spec.out_name in {s for st in self._spec.backward
                                                                            for s in _names(st, ast.Store)}:
            self._run("backward", x, y)     # the output is computed among the gradient statements
        return self._ns[self._spec.out_name]

    def backward(self, x: Any, y: Any, out: Any) -> None:
        self._run("backward", x, y)

    def update(self, x: Any, y: Any, out: Any) -> None:
        self._run("update", x, y)

    def __deepcopy__(self, memo: dict) -> "LoopNetwork":
        ns = {k: (copy.deepcopy(v, memo) if isinstance(v, np.ndarray) else v) for k, v in self._ns.items()}
        twin = object.__new__(LoopNetwork)
        for attr in ("_spec", "_codes"):
            object.__setattr__(twin, attr, object.__getattribute__(self, attr))
        object.__setattr__(twin, "_ns", ns)
        return twin


def _loss_convention(net: LoopNetwork, spec: LoopSpec, X: np.ndarray, y: np.ndarray) -> str:
    """The loss whose gradient of the first-computed (output-side) parameter matches the code's."""
    from nnfit.doctor.check import check_gradients

    param, grad = next(((p, g) for p, g in zip(spec.params, spec.grads)
                        if g in {n for s in spec.backward[:1] for n in _names(s, ast.Store)}),
                       (spec.params[-1], spec.grads[-1]))
    with np.errstate(all="ignore"):
        out = net.forward(X, y)
        net.backward(X, y, out)
    analytic = {param: np.array(net._ns[grad], dtype=np.float64)}
    current = {param: np.array(net._ns[param], dtype=np.float64)}
    best, best_err = "half_se", np.inf
    for kind in LOSS_CONVENTIONS:
        def loss_fn(trial: dict[str, np.ndarray], kind: str = kind) -> float:
            saved = net._ns[param]
            try:
                net._ns[param] = trial[param]
                return _loss(kind, net.forward(X, y), y)
            finally:
                net._ns[param] = saved
        try:
            err = check_gradients(loss_fn, current, analytic, seed=0).arrays[0].relative_error
        except Exception:  # noqa: BLE001 - a convention the shapes do not allow
            continue
        if err < best_err:
            best, best_err = kind, err
    return best


def check_loop_file(path: str, loaded: Any, *, seed: int = 0, steps: int = 200) -> tuple[Any, dict[str, Any], list[str]] | None:
    """(TrainingRun, report, what was inferred) for a script whose network is a training loop, or None."""
    from nnfit.doctor.monitors.numpy import check_network

    namespace = dict(loaded.module.__dict__)
    spec = find_loop(loaded.tree, namespace)
    if spec is None:
        return None
    net = LoopNetwork(namespace, spec, path)
    X = np.asarray(namespace[spec.x_name], dtype=np.float64)
    y = np.asarray(namespace[spec.y_name], dtype=np.float64)
    np.random.seed(seed)
    try:
        loss = _loss_convention(net, spec, X, y)
        run, report = check_network(net, X, y, forward="forward(x, y)", backward="backward(x, y, out)",
                                    update="update(x, y, out)", params=spec.params, grads=spec.grads, lr=spec.lr,
                                    loss=loss, steps=steps, seed=seed, batch=True, source=path,
                                    source_text=loaded.text)
    except NNFitError:
        raise
    except Exception as exc:  # noqa: BLE001 - the loop's own code failed on the check's inputs
        raise NNFitError(f"the training loop at line {spec.line} raised {type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")) from None
    # source lines: where each gradient and each update is written in the loop
    where = {}
    for stmt in spec.forward + spec.backward + spec.update:
        for name in _names(stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target, ast.Store):
            where.setdefault(("grad" if stmt not in spec.update else "update", name), stmt.lineno)
    for check in run.gradients.checks:
        check["line"] = check.get("line") or where.get(("grad", check.get("gradient")))
    for upd in run.updates:
        upd.line = upd.line or where.get(("update", upd.parameter))
    return run, report, spec.reasons + [f"loss convention: {loss} (matches the output layer's gradient)"]
