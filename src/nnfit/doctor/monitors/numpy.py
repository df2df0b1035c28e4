"""NumPy monitor: run a hand-written network (seed 2's class pattern) for a few steps and measure it.

The user names the methods and attributes; nnfit calls them:

    run, report = check_network(net, X, y,
        forward="forward_pass(x)", backward="backpropagation(y, x)", update="weight_update(x, lr)",
        params=["W_input", "W_hidden", "W_output"],
        grads=["Partials_W_input", "Partials_W_hidden", "Partials_W_output"],
        output_attr="y_pred", lr=1e-4)

A call template is `method(args)` with args taken from: x (one sample, or the whole X with
batch=True), y (its target), lr, out (the forward output). Templates are parsed, never evaluated.

Measured: analytic vs finite-difference gradients (nnfit.check_gradients) on a few samples, the
cosine of each update with -gradient (nnfit.check_step), the loss over `steps` updates, whether
there are bias arrays, and the initial weight scale. The result is a TrainingRun(framework="numpy")
that the ordinary rules read (NF116 wrong-update-rule, NF118 wrong-gradient, NF119 missing-bias,
NF120 bad-initial-scale, NF122 loss-not-decreasing, ...).
"""
from __future__ import annotations

import ast
import copy
import dataclasses
import math
import os
import re
import time
import types
from typing import Any

import numpy as np

from nnfit.doctor.check import check_gradients, check_step
from nnfit.doctor.run import DataStats, History, LayerInfo, OptimizerInfo, TrainingConfig, TrainingRun, UpdateRule
from nnfit.errors import NNFitError

_TEMPLATE = re.compile(r"^\s*([A-Za-z_]\w*)\s*(?:\(\s*([\w\s,]*)\)\s*)?$")
_ARGS = {"x", "y", "lr", "out"}
_DEFAULT_ARGS = {"forward": ["x"], "backward": ["x", "y"], "update": ["lr"]}
_BIAS = re.compile(r"(?i)^(b|bias|biases)(_?\w*)?$")


@dataclasses.dataclass
class CheckSpec:
    cls: str
    params: list[str]
    grads: list[str]
    init: str = ""
    forward: str = "forward"
    backward: str = "backward"
    update: str = "update"
    output_attr: str | None = None
    data: str = "X_train,y_train"
    lr: float | None = None
    loss: str = "half_se"
    steps: int = 200
    seed: int = 0
    batch: bool = False


def parse_call(template: str, role: str) -> tuple[str, list[str]]:
    m = _TEMPLATE.match(template or "")
    if not m:
        raise NNFitError(f"--{role} must look like method or method(x, y), not {template!r}")
    name, args = m.group(1), m.group(2)
    if args is None:
        return name, list(_DEFAULT_ARGS[role])
    names = [a.strip() for a in args.split(",") if a.strip()]
    bad = [a for a in names if a not in _ARGS]
    if bad:
        raise NNFitError(f"--{role}: unknown argument {bad[0]!r}; use x, y, lr or out")
    return name, names


def _loss(kind: str, out: Any, y: Any) -> float:
    o = np.asarray(out, dtype=np.float64).reshape(-1)
    t = np.asarray(y, dtype=np.float64).reshape(-1)
    if o.size != t.size:
        if o.size == 1 or t.size == 1:
            o, t = np.broadcast_arrays(o, t)
        else:
            raise NNFitError(f"forward output has {o.size} values for {t.size} targets")
    r = t - o
    if kind == "half_se":
        return float(0.5 * np.sum(r * r))
    if kind == "se":
        return float(np.sum(r * r))
    if kind == "mse":
        return float(np.mean(r * r))
    if kind == "half_mse":
        return float(0.5 * np.mean(r * r))
    raise NNFitError(f"--loss must be half_se, se, mse or half_mse, not {kind!r}")


def check_network(
    net: Any, X: Any, y: Any, *, forward: str, backward: str, update: str, params: list[str], grads: list[str],
    output_attr: str | None = None, lr: float | None = None, loss: str = "half_se", steps: int = 200,
    n_check: int = 3, seed: int = 0, batch: bool = False, source: str | None = None, source_text: str | None = None,
) -> tuple[TrainingRun, dict[str, Any]]:
    """Measure a hand-written network; returns (TrainingRun for the rules, report dict with 'text')."""
    if len(params) != len(grads):
        raise NNFitError(f"{len(params)} parameter names but {len(grads)} gradient names; give one gradient per parameter")
    for attr in params:
        if not hasattr(net, attr):
            raise NNFitError(f"the network has no attribute {attr!r} (parameters: {', '.join(params)})")
    calls = {role: parse_call(t, role) for role, t in (("forward", forward), ("backward", backward), ("update", update))}
    for role, (method, _) in calls.items():
        if not callable(getattr(net, method, None)):
            raise NNFitError(f"the network has no method {method!r} (--{role})")
    if lr is None:
        lr = next((float(getattr(net, a)) for a in ("learning_rate", "lr", "eta", "alpha")
                   if isinstance(getattr(net, a, None), (int, float))), None)
        if lr is None:
            raise NNFitError("no learning rate: pass lr= (or --lr)")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if len(X) != len(y) or len(X) == 0:
        raise NNFitError(f"inputs ({len(X)}) and targets ({len(y)}) must be non-empty and of equal length")
    rng = np.random.default_rng(seed)
    np.random.seed(seed)
    t0 = time.perf_counter()
    # float64 parameters (a float32 network would make finite differences meaningless)
    for attr in params:
        setattr(net, attr, np.array(getattr(net, attr), dtype=np.float64))
    initial = {p: np.array(getattr(net, p)) for p in params}

    def sample(i: int) -> tuple[Any, Any]:
        return (X, y) if batch else (X[i], y[i])

    def call(role: str, x: Any, t: Any, out: Any = None) -> Any:
        method, names = calls[role]
        env = {"x": x, "y": t, "lr": lr, "out": out}
        try:
            return getattr(net, method)(*[env[n] for n in names])
        except NNFitError:
            raise
        except Exception as exc:  # the user's own code failed: say where, in one line
            raise NNFitError(f"{type(net).__name__}.{method}({', '.join(names)}) raised "
                             f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")) from None

    def fwd(x: Any, t: Any) -> Any:
        out = call("forward", x, t)
        if out is None and output_attr:
            out = getattr(net, output_attr)
        if output_attr:
            setattr(net, output_attr, out)
        return out

    def full_loss() -> float:
        if batch:
            return _loss(loss, fwd(X, y), y) / len(X)
        idx = np.linspace(0, len(X) - 1, min(len(X), 200)).astype(int)
        return float(np.mean([_loss(loss, fwd(X[i], y[i]), y[i]) for i in idx]))

    grad_reports, step_reports = [], []
    independent: list[dict[str, bool]] = []
    idxs = [0] if batch else sorted(rng.choice(len(X), size=min(n_check, len(X)), replace=False).tolist())
    for i in idxs:
        x, t = sample(i)
        out = fwd(x, t)
        call("backward", x, t, out)
        analytic = {p: np.array(getattr(net, g), dtype=np.float64) for p, g in zip(params, grads)}
        current = {p: np.array(getattr(net, p)) for p in params}

        def loss_fn(trial: dict[str, np.ndarray], x: Any = x, t: Any = t) -> float:
            saved = {p: getattr(net, p) for p in params}
            try:
                for p, v in trial.items():
                    setattr(net, p, v)
                return _loss(loss, call("forward", x, t), t)
            finally:
                for p, v in saved.items():
                    setattr(net, p, v)

        grad_reports.append(check_gradients(loss_fn, current, analytic, seed=seed))
        # restore the state forward/backward leave behind, then take one update
        out = fwd(x, t)
        call("backward", x, t, out)
        before = {p: np.array(getattr(net, p)) for p in params}
        twin = _twin(net)
        call("update", x, t, out)
        after = {p: np.array(getattr(net, p), dtype=np.float64) for p in params}
        step_reports.append(check_step(before, after, analytic, lr))
        if twin is not None and not batch and len(X) > 1:
            # the same state, another sample: a step that does not change with the data ignores the gradient
            j = int((i + len(X) // 2) % len(X))
            independent.append(_same_step(twin, net, calls, params, grads, before, after, X[j], y[j], lr, output_attr))

    # loss trend over `steps` updates
    history = [full_loss()]
    checkpoints = max(1, steps // 20)
    order = rng.permutation(len(X)) if not batch else None
    nonfinite = False
    for s in range(steps):
        i = 0 if batch else int(order[s % len(X)])
        x, t = sample(i)
        with np.errstate(all="ignore"):
            out = fwd(x, t)
            call("backward", x, t, out)
            call("update", x, t, out)
        if (s + 1) % checkpoints == 0 or s == steps - 1:
            with np.errstate(all="ignore"):
                history.append(full_loss())
            if not math.isfinite(history[-1]):
                nonfinite = True
                break
    seconds = time.perf_counter() - t0

    # combine the per-sample checks: worst relative error, mean cosine
    gchecks = []
    for j, p in enumerate(params):
        arrs = [r.arrays[j] for r in grad_reports]
        worst = max(arrs, key=lambda a: a.relative_error)
        gchecks.append(worst)
    cos = {}
    for j, p in enumerate(params):
        vals = [r.arrays[j].cosine for r in step_reports if r.arrays[j].cosine is not None]
        cos[p] = float(np.mean(vals)) if vals else None

    deviation = {}
    for j, p in enumerate(params):
        vals = [r.arrays[j].deviation for r in step_reports if r.arrays[j].deviation is not None]
        deviation[p] = float(np.mean(vals)) if vals else None
    data_free = {p: bool(independent) and all(d.get(p, False) for d in independent) for p in params}
    with np.errstate(all="ignore"):
        idx = np.linspace(0, len(X) - 1, min(len(X), 200)).astype(int)
        preds = np.array([np.asarray(fwd(X[i], y[i]), dtype=float).reshape(-1)[0] for i in idx]) if not batch \
            else np.asarray(fwd(X, y), dtype=float).reshape(-1)
        truth = y[idx].reshape(-1) if not batch else y.reshape(-1)
        var = float(np.var(truth))
        train_r2 = 1.0 - float(np.mean((truth - preds) ** 2)) / var if var > 0 else None
    if source_text is None and source and os.path.exists(source):
        with open(source, encoding="utf-8", errors="replace") as fh:
            source_text = fh.read()
    lines = _lines(source_text, calls, params, grads)
    run = TrainingRun(framework="numpy", source=source, seed=seed)
    if source_text is not None:
        run.source_lines = source_text.split("\n")
    has_bias = any(_BIAS.match(p) for p in params)
    weights = [p for p in params if not _BIAS.match(p) and initial[p].ndim == 2]
    shapes = [initial[p].shape for p in weights]
    backward_shapes = len(shapes) > 1 and all(a[0] == b[1] for a, b in zip(shapes, shapes[1:])) and not \
        all(a[1] == b[0] for a, b in zip(shapes, shapes[1:]))
    stds = {}
    for p in weights:
        fan_in, fan_out = initial[p].shape[::-1] if backward_shapes else initial[p].shape
        run.layers.append(LayerInfo(name=p, kind="dense", units=int(fan_out), input_units=int(fan_in),
                                    activation="unknown", use_bias=has_bias, initializer="numpy",
                                    n_params=int(initial[p].size), line=lines.get(("init", p))))
        if initial[p].size > 1 or not np.any(initial[p]):   # one weight has no spread to judge
            stds[p] = float(np.std(initial[p]))
    run.initial_weight_std = stds
    run.data = DataStats.from_arrays(X, y, is_regression=True)
    run.config = TrainingConfig(optimizer=OptimizerInfo(name="sgd", learning_rate=lr, passed_to_compile=True,
                                                         arguments={"hand_written": True}),
                                loss={"half_se": "half_squared_error", "se": "squared_error", "mse": "mse",
                                      "half_mse": "half_mean_squared_error"}[loss],
                                batch_size=len(X) if batch else 1)
    # the check's own few hundred steps are not the user's training: no update count for NF102
    run.history = History(loss=history, n_updates=None, seconds=seconds)
    run.gradients.check_updates = steps + len(idxs)
    if train_r2 is not None:
        run.fit.train_r2 = train_r2
    for p in params:
        c = cos[p]
        note = None
        if data_free[p]:
            note = "the step is the same whatever the sample (its gradient changes): the update does not use the gradient"
        elif c is not None and c < 0.5:
            note = f"measured over {len(step_reports)} update(s) at lr={lr:g}"
        uses = None if c is None else c >= 0.5
        if data_free[p]:
            uses = False
        run.updates.append(UpdateRule(parameter=p, uses_gradient=uses, cosine_with_negative_gradient=c,
                                      line=lines.get(("update", p)), expression=lines.get(("update_expr", p)),
                                      note=note))
    run.gradients.checks = [
        {"parameter": a.parameter, "gradient": g, "relative_error": a.relative_error, "worst": a.worst,
         "hint": a.hint, "line": lines.get(("grad", g)), "shape": list(a.shape), "grad_shape": list(a.grad_shape)}
        for a, g in zip(gchecks, grads)]
    run.framework_guess = "numpy"
    run.gradients.gradient_of = dict(zip(params, grads))
    run.gradients.shape_mismatch = {a.parameter: [list(a.grad_shape), list(a.shape)] for a in gchecks
                                    if a.grad_shape != a.shape}
    run.gradients.step_deviation = deviation
    if nonfinite:
        run.gradients.nonfinite_loss = True

    report_text = _text(net, source, seed, gchecks, step_reports, cos, history, steps, params, has_bias, stds, lr,
                        data_free, deviation)
    report = {
        "seed": seed, "learning_rate": lr, "samples_checked": idxs,
        "gradients": [a.to_dict() for a in gchecks],
        "steps": {p: cos[p] for p in params}, "step_deviation": deviation, "step_ignores_data": data_free, "train_r2": train_r2,
        "loss": history, "has_bias": has_bias, "initial_weight_std": stds, "seconds": seconds,
        "text": report_text,
    }
    return run, report


def _twin(net: Any) -> Any:
    try:
        return copy.deepcopy(net)
    except Exception:  # an object that cannot be copied (open files, ...): skip this check
        return None


def _same_step(twin: Any, net: Any, calls: dict, params: list[str], grads: list[str], before: dict, after: dict,
               xj: Any, yj: Any, lr: float, output_attr: str | None) -> dict[str, bool]:
    """Per parameter: is the step on sample j identical to the step just taken, while the gradient differs?"""
    def call(role: str, out: Any = None) -> Any:
        method, names = calls[role]
        env = {"x": xj, "y": yj, "lr": lr, "out": out}
        return getattr(twin, method)(*[env[n] for n in names])

    with np.errstate(all="ignore"):
        out = call("forward")
        if out is None and output_attr:
            out = getattr(twin, output_attr)
        if output_attr:
            setattr(twin, output_attr, out)
        call("backward", out)
        g_j = {p: np.array(getattr(twin, g), dtype=np.float64) for p, g in zip(params, grads)}
        g_i = {p: np.array(getattr(net, g), dtype=np.float64) for p, g in zip(params, grads)}
        call("update", out)
    result = {}
    for p in params:
        step_i = after[p] - before[p]
        step_j = np.array(getattr(twin, p), dtype=np.float64) - before[p]
        gi, gj = g_i[p].reshape(-1), g_j[p].reshape(-1)
        grads_differ = gi.size == gj.size and np.linalg.norm(gi - gj) > 1e-3 * (np.linalg.norm(gi) + np.linalg.norm(gj) + 1e-300)
        moved = np.linalg.norm(step_i) > 0
        same = step_i.shape == step_j.shape and np.allclose(step_i, step_j, rtol=1e-9, atol=0.0)
        result[p] = bool(grads_differ and moved and same)
    return result


def _text(net: Any, source: str | None, seed: int, gchecks: list, step_reports: list, cos: dict, history: list,
          steps: int, params: list[str], has_bias: bool, stds: dict, lr: float, data_free: dict,
          deviation: dict) -> str:
    from nnfit.doctor.check import GradientReport

    width = max(len(p) for p in params + ["parameter"])
    out = [f"nnfit doctor check: {type(net).__name__}" + (f" ({source})" if source else "") + f", seed {seed}, lr {lr:g}"]
    out.append(str(GradientReport(gchecks, 1e-6, 1e-4)))
    out.append(f"update direction (cosine between the step and -gradient, mean of {len(step_reports)}; 1 = gradient descent):")
    for p in params:
        c = cos[p]
        status = "n/a" if c is None else ("ok" if c >= 0.5 else "WRONG")
        if data_free.get(p):
            status = "WRONG: same step for every sample (ignores the gradient)"
        dev = deviation.get(p)
        devs = "" if dev is None else f"  |step + lr*grad| / |lr*grad| = {dev:.3g}"
        out.append(f"  {p:<{width}}  cosine {'   n/a' if c is None else f'{c:+6.3f}'}{devs}  {status}")
    first, last = history[0], history[-1]
    change = (last - first) / first if first else 0.0
    out.append(f"loss over {steps} updates: {first:.6g} -> {last:.6g} ({change:+.1%})")
    out.append(f"bias arrays: {'yes' if has_bias else 'none'}; initial weight std: " +
               ", ".join(f"{k} {v:.3g}" for k, v in stds.items()))
    return "\n".join(out)


def _lines(text: str | None, calls: dict, params: list[str], grads: list[str]) -> dict[tuple[str, str], Any]:
    """Lines of the checked text where each parameter is initialised / updated and each gradient computed."""
    out: dict[tuple[str, str], Any] = {}
    if not text:
        return out
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return out
    methods = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    upd = methods.get(calls["update"][0])
    bwd = methods.get(calls["backward"][0])
    init = methods.get("__init__")
    for role, fn, names in (("update", upd, params), ("grad", bwd, grads), ("init", init, params)):
        if fn is None:
            continue
        for node in ast.walk(fn):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AugAssign) else []
            for t in targets:
                if isinstance(t, ast.Attribute) and t.attr in names and (role, t.attr) not in out:
                    out[(role, t.attr)] = node.lineno
                    if role == "update":
                        out[("update_expr", t.attr)] = ast.unparse(node)
    return out


# --------------------------------------------------------------------------------------------------
# loading a user's file for `nnfit doctor check`: what runs is exactly this
#
# Of the file's top level, only these statements run: imports of the numeric libraries below, class
# and function definitions (their bodies run only when check calls the network's methods), and
# assignments whose value uses nothing but literals, earlier such names and pure NumPy / math
# functions. Every other top-level statement (a training call, os.system(...), open(...).write(...))
# is skipped and listed. Decorators and class bodies are definitions: they run when defined.

NUMERIC_MODULES = {"numpy", "math", "random", "scipy", "matplotlib", "cmath", "statistics", "fractions", "decimal"}
# NumPy functions that compute and return arrays (no file or process access) allowed in top-level assignments.
PURE_FUNCTIONS = {
    "array", "asarray", "linspace", "arange", "logspace", "zeros", "ones", "full", "empty", "eye", "identity",
    "zeros_like", "ones_like", "full_like", "meshgrid", "stack", "vstack", "hstack", "column_stack", "concatenate",
    "reshape", "transpose", "sin", "cos", "tan", "exp", "log", "log1p", "expm1", "sqrt", "abs", "square", "power",
    "tanh", "arcsin", "arccos", "arctan", "pi", "e", "float64", "float32", "int64", "int32", "sum", "mean", "std",
    "min", "max", "dot", "matmul", "outer", "clip", "maximum", "minimum", "round", "floor", "ceil", "sign",
    "rand", "randn", "randint", "uniform", "normal", "random", "seed", "default_rng", "choice", "permutation",
    "shuffle", "floor_divide", "mod", "prod", "cumsum", "diff", "where", "sort", "argsort", "ravel", "flatten",
    "astype", "copy", "T", "squeeze", "expand_dims", "atleast_2d", "polyval", "radians", "degrees", "hypot",
}
PURE_BUILTINS = {"range", "len", "list", "tuple", "float", "int", "abs", "min", "max", "sum", "zip", "round",
                 "enumerate", "map", "sorted", "reversed", "dict", "set", "bool", "complex", "pow"}


@dataclasses.dataclass
class Loaded:
    module: types.ModuleType
    ran: list[int]                       # lines of the top-level statements that ran
    skipped: list[tuple[int, str]]       # (line, first line of the statement) not run
    assumed: list[str]                   # imports added because the code uses a name it never imports
    tree: ast.Module
    text: str                            # the text that was read (re-flowed when it was pasted onto one line)


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _pure(node: ast.AST, allowed: set[str], numeric: set[str]) -> bool:
    """Only literals, allowed names and pure numeric calls in this expression?"""
    for sub in ast.walk(node):
        if isinstance(sub, (ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)):
            return False
        if isinstance(sub, ast.Call):
            f = sub.func
            if isinstance(f, ast.Name):
                if f.id not in PURE_BUILTINS:
                    return False
            elif isinstance(f, ast.Attribute):
                if f.attr not in PURE_FUNCTIONS:
                    return False
            else:
                return False
        elif isinstance(sub, ast.Attribute):
            if sub.attr.startswith("_"):
                return False
        elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
            if sub.id not in allowed and sub.id not in numeric and sub.id not in PURE_BUILTINS:
                return False
    return True


# Methods Python calls when a class is subclassed, subscripted or given as an attribute: defining one
# would let `class Net(Base)` or `Base[0]` run the file's code while the definitions are made.
DEFINITION_HOOKS = {"__init_subclass__", "__class_getitem__", "__set_name__", "__mro_entries__"}


def _as_call(node: ast.expr) -> ast.Call:
    """A decorator or metaclass as the call Python makes of it at definition time."""
    return ast.Call(func=node, args=[], keywords=[])


def _is_seed_call(node: ast.AST, numeric: set[str]) -> bool:
    """np.random.seed(<number>) / random.seed(<number>) on an imported numeric module."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "seed"):
        return False
    root = _root_name(node.func)
    return root in numeric and all(isinstance(a, ast.Constant) and isinstance(a.value, int) for a in node.args) \
        and not node.keywords


def read_check_source(path: str) -> str:
    """The file's text; code pasted onto one line is re-flowed first (the static reader's reflow)."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise NNFitError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise NNFitError(f"{path}: not UTF-8 text") from None
    from nnfit.doctor.static import looks_flattened, reflow
    lines = []
    for line in text.split("\n"):
        if looks_flattened(line):
            lines.extend("    " * level + piece.text for level, piece in reflow(line))
        else:
            lines.append(line)
    return "\n".join(lines)


def load_definitions(path: str) -> Loaded:
    """Run a file's imports of numeric libraries, its class and function definitions and its pure
    numeric assignments, and nothing else of its top level (see the comment above)."""
    text = read_check_source(path)
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        raise NNFitError(f"{path}:{exc.lineno}: Python 3 cannot parse this file ({exc.msg}); "
                         f"`nnfit doctor lint {path}` shows what to fix") from None
    numeric: set[str] = set()
    allowed: set[str] = set()
    kept: list[ast.stmt] = []
    ran: list[int] = []
    skipped: list[tuple[int, str]] = []
    text_lines = text.split("\n")
    for node in tree.body:
        ok = False
        if isinstance(node, ast.Import):
            ok = all(a.name.split(".")[0] in NUMERIC_MODULES for a in node.names)
            if ok:
                numeric.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            ok = node.level == 0 and (node.module or "").split(".")[0] in NUMERIC_MODULES
            if ok:
                numeric.update(a.asname or a.name for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            # decorators, default values, base classes and class bodies run at definition time; a decorator
            # or a metaclass is called there, so it must pass as a call would (a function of the file's own
            # is not run); a class hook run when another class or subscript uses it is not defined
            parts: list[ast.AST] = [_as_call(d) for d in node.decorator_list]
            if isinstance(node, ast.ClassDef):
                parts += node.bases + [_as_call(k.value) for k in node.keywords]
                if any(isinstance(b, (ast.FunctionDef, ast.AsyncFunctionDef)) and b.name in DEFINITION_HOOKS
                       for b in node.body):
                    parts.append(ast.Call(func=ast.Name(id="nnfit_not_pure", ctx=ast.Load()), args=[], keywords=[]))
                parts += [b for b in node.body if not isinstance(b, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Pass))
                          and not (isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant))]
                for method in node.body:    # a method's decorators and default values run when the class is made
                    if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        parts += [_as_call(d) for d in method.decorator_list] + method.args.defaults
                        parts += [d for d in method.args.kw_defaults if d is not None]
            else:
                parts += node.args.defaults + [d for d in node.args.kw_defaults if d is not None]
            ok = all(_pure(p, allowed | {"object"}, numeric) for p in parts)
            if ok:
                allowed.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            ok = all(isinstance(t, (ast.Name, ast.Tuple)) for t in targets) and _pure(node.value, allowed, numeric)
            if ok:
                for t in targets:
                    allowed.update(n.id for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            ok = True   # a docstring
        elif isinstance(node, ast.Expr) and _is_seed_call(node.value, numeric):
            ok = True   # np.random.seed(0): the script's own initial weights, as it draws them
        if ok:
            kept.append(node)
            ran.append(node.lineno)
        else:
            skipped.append((node.lineno, text_lines[node.lineno - 1].strip()[:80]))
    assumed = []
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    bound = numeric | allowed | {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    prelude = []
    for name, stmt in (("np", "import numpy as np"), ("numpy", "import numpy"), ("plt", "import matplotlib.pyplot as plt"),
                       ("math", "import math")):
        if name in used and name not in bound:
            assumed.append(stmt)
            prelude.extend(ast.parse(stmt).body)
    module = types.ModuleType("nnfit_check_user")
    module.__file__ = os.path.abspath(path)
    os.environ.setdefault("MPLBACKEND", "Agg")
    if any("matplotlib" in a for a in assumed) or "matplotlib" in numeric or "plt" in numeric:
        import matplotlib

        matplotlib.use("Agg")
    np.random.seed(0)   # top-level draws (initial weights) repeat from run to run unless the script seeds them
    code = compile(ast.fix_missing_locations(ast.Module(body=prelude + kept, type_ignores=[])), path, "exec")
    exec(code, module.__dict__)  # noqa: S102 - only the statements listed above (see the comment)
    return Loaded(module, ran, skipped, assumed, tree, text)


# -- reading the network's names from the code (check with no options) ----------------------------------
FORWARD_NAMES = ("forward", "forward_pass", "forwardpass", "feedforward", "feed_forward", "forward_propagation",
                 "forward_prop", "predict", "propagate", "__call__", "fprop", "run")
BACKWARD_NAMES = ("backward", "backpropagation", "backprop", "backpropagate", "back_propagation", "backward_pass",
                  "compute_gradients", "gradients", "gradient", "grad", "bprop", "calc_gradients")
UPDATE_NAMES = ("update", "weight_update", "update_weights", "step", "apply_gradients", "update_parameters",
                "update_params", "sgd_step", "optimize", "train_step")
ROLE_OF_ARG = {"x": ("x", "X", "inputs", "input", "training_instance", "instance", "sample", "xs", "x_train",
                     "X_train", "data", "features", "a0", "xi", "x_i"),
               "y": ("y", "Y", "y_true", "target", "targets", "label", "labels", "t", "y_train", "truth", "yi", "y_i",
                     "expected", "desired"),
               "lr": ("lr", "learning_rate", "eta", "alpha", "rate", "step_size"),
               "out": ("out", "output", "outputs", "y_pred", "y_hat", "yhat", "prediction", "pred", "predictions", "a")}
GRAD_MARKS = ("partials_", "partial_", "grad_", "gradient_", "d_", "d", "dl_d", "delta_", "nabla_")


def _method_score(name: str, names: tuple[str, ...]) -> int:
    low = name.lower()
    if low in names:
        return 3
    return 2 if any(low.startswith(n) or n in low for n in names if len(n) > 3) else 0


def _role_template(fn: ast.FunctionDef, role: str) -> str | None:
    args = [a.arg for a in fn.args.args[1:]]
    required = len(args) - len(fn.args.defaults)
    roles = []
    for k, a in enumerate(args):
        found = next((r for r, names in ROLE_OF_ARG.items() if a in names or a.lower() in names), None)
        if found is None:
            if k >= required:
                break          # an optional argument with a default: leave it to the default
            return None
        roles.append(found)
    return f"{fn.name}({', '.join(roles)})"


def _self_attrs(fn: ast.AST, store: bool) -> list[str]:
    ctx = ast.Store if store else ast.Load
    out = []
    for n in ast.walk(fn):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self" \
                and isinstance(n.ctx, ctx) and n.attr not in out:
            out.append(n.attr)
        if store and isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Attribute) and \
                isinstance(n.target.value, ast.Name) and n.target.value.id == "self" and n.target.attr not in out:
            out.append(n.target.attr)
    return out


def _gradient_for(param: str, candidates: list[str]) -> str | None:
    low = param.lower()
    best = None
    for c in candidates:
        cl = c.lower()
        if cl == low:
            continue
        for mark in GRAD_MARKS:
            if cl == mark + low or cl == low + "_" + mark.strip("_") or cl == low + "_grad" or cl == low + "_gradient":
                return c
        if cl.endswith(low) and any(cl[: -len(low)].rstrip("_").endswith(m.strip("_")) for m in GRAD_MARKS if m.strip("_")):
            best = best or c
    return best


@dataclasses.dataclass
class Inferred:
    spec: CheckSpec
    reasons: list[str]

    def options(self) -> str:
        s = self.spec
        parts = [f"--class {s.cls}"]
        if s.init:
            parts.append(f'--init "{s.init}"')
        parts += [f'--forward "{s.forward}"', f'--backward "{s.backward}"', f'--update "{s.update}"',
                  f"--params {','.join(s.params)}", f"--grads {','.join(s.grads)}"]
        if s.output_attr:
            parts.append(f"--output-attr {s.output_attr}")
        parts.append(f"--data {s.data}")
        return " ".join(parts)


def infer_spec(loaded: Loaded, given: dict[str, Any]) -> Inferred:
    """The network class, its methods, parameter and gradient arrays, data and constructor arguments,
    read from the code; every value in `given` (an option the user passed) wins."""
    tree = loaded.tree
    reasons: list[str] = []
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]

    def methods(c: ast.ClassDef) -> dict[str, ast.FunctionDef]:
        return {m.name: m for m in c.body if isinstance(m, ast.FunctionDef)}

    def score(c: ast.ClassDef) -> int:
        ms = methods(c)
        return sum(max((_method_score(m, names) for m in ms), default=0)
                   for names in (FORWARD_NAMES, BACKWARD_NAMES, UPDATE_NAMES))

    cls_name = given.get("cls")
    if cls_name:
        cls_node = next((c for c in classes if c.name == cls_name), None)
        if cls_node is None:
            found = ", ".join(c.name for c in classes)
            raise NNFitError(f"{loaded.module.__file__} defines no class {cls_name!r}" + (f" (classes: {found})" if found else ""))
    else:
        ranked = sorted(classes, key=score, reverse=True)
        if not ranked or score(ranked[0]) < 6:
            raise NNFitError("no class with forward, backward and update methods was found; name it with --class "
                             "and its methods with --forward/--backward/--update")
        cls_node = ranked[0]
        reasons.append(f"class {cls_node.name}: it has forward-, backward- and update-like methods")
    ms = methods(cls_node)

    def pick(role: str, names: tuple[str, ...]) -> str:
        if given.get(role):
            return given[role]
        best = max(ms, key=lambda m: _method_score(m, names), default=None)
        if best is None or _method_score(best, names) == 0:
            raise NNFitError(f"no {role} method found in {cls_node.name}; name it with --{role} method(args)")
        template = _role_template(ms[best], role)
        if template is None:
            raise NNFitError(f"cannot tell what {cls_node.name}.{best}'s arguments are; name them with "
                             f"--{role} \"{best}(x, y, lr or out)\"")
        return template

    forward = pick("forward", FORWARD_NAMES)
    backward = pick("backward", BACKWARD_NAMES)
    update = pick("update", UPDATE_NAMES)
    init_fn = ms.get("__init__")
    upd_fn = ms.get(parse_call(update, "update")[0])
    bwd_fn = ms.get(parse_call(backward, "backward")[0])
    fwd_name = parse_call(forward, "forward")[0]
    init_attrs = _self_attrs(init_fn, True) if init_fn else []
    params = given.get("params")
    if not params:
        changed = _self_attrs(upd_fn, True) if upd_fn else []
        params = sorted((a for a in changed if a in init_attrs), key=init_attrs.index)
        if not params and upd_fn is not None and init_fn is not None:
            params = _setattr_params(upd_fn, init_fn)
        if not params:
            raise NNFitError(f"{cls_node.name}.{upd_fn.name if upd_fn else 'update'} assigns no attribute that __init__ "
                             "creates; name the parameter arrays with --params")
        reasons.append(f"parameters: the attributes {parse_call(update, 'update')[0]} assigns ({', '.join(params)})")
    grads = given.get("grads")
    if not grads:
        candidates = (_self_attrs(bwd_fn, True) if bwd_fn else []) + init_attrs
        grads = []
        for p in params:
            g = _gradient_for(p, candidates)
            if g is None:
                raise NNFitError(f"no gradient array found for {p} (e.g. grad_{p} or d{p} set in "
                                 f"{bwd_fn.name if bwd_fn else 'backward'}); name them with --grads")
            grads.append(g)
        reasons.append(f"gradients: the arrays {bwd_fn.name if bwd_fn else 'backward'} sets, named after each parameter")
    output_attr = given.get("output_attr")
    if output_attr is None and bwd_fn is not None:
        read_in_backward = set(_self_attrs(bwd_fn, False))
        for n in ast.walk(cls_node):
            if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call) and isinstance(n.value.func, ast.Attribute) \
                    and n.value.func.attr == fwd_name:
                for t in n.targets:
                    if isinstance(t, ast.Attribute) and t.attr in read_in_backward:
                        output_attr = t.attr
        if output_attr:
            reasons.append(f"prediction: backward reads self.{output_attr}, which the training loop sets from {fwd_name}")
    data = given.get("data")
    if not data:
        xs, ys = _training_data(cls_node, fwd_name, parse_call(backward, "backward")[0], init_attrs)
        data = f"{xs},{ys}" if xs and ys else "X_train,y_train"
        if xs and ys:
            reasons.append(f"data: self.{xs} and self.{ys}, what the training loop feeds to {fwd_name} and the loss")
    init = given.get("init")
    if init is None:
        init = ""
        for n in ast.walk(tree):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == cls_node.name:
                try:
                    [ast.literal_eval(a) for a in n.args]
                    [ast.literal_eval(k.value) for k in n.keywords]
                except ValueError:
                    continue
                init = ", ".join(ast.unparse(a) for a in n.args)
                init = ", ".join([init] * bool(init) + [f"{k.arg}={ast.unparse(k.value)}" for k in n.keywords if k.arg])
                reasons.append(f"constructor arguments: from the file's own call {cls_node.name}({init}) (read, not run)")
                break
    spec = CheckSpec(cls=cls_node.name, params=list(params), grads=list(grads), init=init, forward=forward,
                     backward=backward, update=update, output_attr=output_attr, data=data)
    return Inferred(spec, reasons)


def _setattr_params(update: ast.FunctionDef, init: ast.FunctionDef) -> list[str]:
    """`for p in self.params: setattr(self, p, ...)` with `self.params = ["W", "b", ...]` in __init__."""
    lists: dict[str, list[str]] = {}
    for n in ast.walk(init):
        if isinstance(n, ast.Assign) and isinstance(n.value, (ast.List, ast.Tuple)):
            for t in n.targets:
                if isinstance(t, ast.Attribute) and all(isinstance(e, ast.Constant) and isinstance(e.value, str)
                                                        for e in n.value.elts):
                    lists[t.attr] = [e.value for e in n.value.elts]
    for n in ast.walk(update):
        if isinstance(n, ast.For) and isinstance(n.target, ast.Name) and _self_root(n.iter) in lists:
            sets = [c for c in ast.walk(n) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
                    and c.func.id == "setattr" and len(c.args) >= 2 and isinstance(c.args[1], ast.Name)
                    and c.args[1].id == n.target.id]
            if sets:
                return lists[_self_root(n.iter)]
    return []


def _training_data(cls_node: ast.ClassDef, fwd: str, bwd: str, attrs: list[str]) -> tuple[str | None, str | None]:
    """self.<X> fed (indexed) to the forward call and self.<y> to the backward / loss call."""
    xs = ys = None
    for n in ast.walk(cls_node):
        if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)):
            continue
        roots = [_self_root(a) for a in n.args]
        if n.func.attr == fwd and roots and roots[0] in attrs and xs is None:
            xs = roots[0]
        elif n.func.attr == bwd:
            for r in roots:
                if r in attrs and r != xs and ys is None:
                    ys = r
    return xs, ys


def _self_root(node: ast.AST) -> str | None:
    while isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return node.attr
    return None


def _literal_args(init: str) -> tuple[list[Any], dict[str, Any]]:
    """Constructor arguments from a string of Python literals (ast.literal_eval: no code runs)."""
    if not init.strip():
        return [], {}
    try:
        call = ast.parse(f"f({init})", mode="eval").body
    except SyntaxError:
        raise NNFitError(f"--init must be Python literals separated by commas, e.g. \"'linear', 0.0001, 10\"; got {init!r}") from None
    assert isinstance(call, ast.Call)
    try:
        args = [ast.literal_eval(a) for a in call.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg}
    except ValueError:
        raise NNFitError(f"--init accepts only literals (numbers, strings, lists), got {init!r}") from None
    return args, kwargs


def _load_data(net: Any, spec: str) -> tuple[np.ndarray, np.ndarray]:
    if spec.endswith(".npz"):
        try:
            data = np.load(spec)
        except OSError as exc:
            raise NNFitError(f"{spec}: cannot read ({exc})") from None
        keys = list(data.keys())
        xk = next((k for k in keys if k.lower() in ("x", "x_train", "inputs")), keys[0])
        yk = next((k for k in keys if k.lower() in ("y", "y_train", "targets")), keys[-1])
        return data[xk], data[yk]
    if spec.endswith(".csv"):
        try:
            arr = np.loadtxt(spec, delimiter=",", ndmin=2)
        except (OSError, ValueError) as exc:
            raise NNFitError(f"{spec}: cannot read numbers ({exc})") from None
        return arr[:, :-1].squeeze(-1) if arr.shape[1] == 2 else arr[:, :-1], arr[:, -1]
    names = [s.strip() for s in spec.split(",")]
    if len(names) != 2:
        raise NNFitError(f"--data must be 'X_attr,y_attr' or a .npz/.csv file, not {spec!r}")
    try:
        return getattr(net, names[0]), getattr(net, names[1])
    except AttributeError as exc:
        raise NNFitError(f"the network has no data attribute {exc.name!r}; pass --data X_attr,y_attr or a file") from None


def check_class_file(path: str, spec: CheckSpec, loaded: Loaded | None = None) -> tuple[TrainingRun, dict[str, Any]]:
    loaded = loaded or load_definitions(path)
    module = loaded.module
    cls = getattr(module, spec.cls, None)
    if not isinstance(cls, type):
        found = [k for k, v in vars(module).items() if isinstance(v, type) and v.__module__ == module.__name__]
        raise NNFitError(f"{path} defines no class {spec.cls!r}" + (f" (classes: {', '.join(found)})" if found else ""))
    args, kwargs = _literal_args(spec.init)
    np.random.seed(spec.seed)
    try:
        net = cls(*args, **kwargs)
    except TypeError as exc:
        raise NNFitError(f"cannot construct {spec.cls}({spec.init}): {exc}") from None
    X, y = _load_data(net, spec.data)
    return check_network(net, X, y, forward=spec.forward, backward=spec.backward, update=spec.update,
                         params=spec.params, grads=spec.grads, output_attr=spec.output_attr, lr=spec.lr,
                         loss=spec.loss, steps=spec.steps, seed=spec.seed, batch=spec.batch, source=path,
                         source_text=loaded.text)
