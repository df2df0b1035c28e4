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
    raise NNFitError(f"--loss must be half_se, se or mse, not {kind!r}")


def check_network(
    net: Any, X: Any, y: Any, *, forward: str, backward: str, update: str, params: list[str], grads: list[str],
    output_attr: str | None = None, lr: float | None = None, loss: str = "half_se", steps: int = 200,
    n_check: int = 3, seed: int = 0, batch: bool = False, source: str | None = None,
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
    lines = _lines(source, calls, params, grads)
    run = TrainingRun(framework="numpy", source=source, seed=seed)
    if source and os.path.exists(source):
        with open(source, encoding="utf-8", errors="replace") as fh:
            run.source_lines = fh.read().split("\n")
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
        stds[p] = float(np.std(initial[p]))
    run.extra["initial_weight_std"] = stds
    run.data = DataStats.from_arrays(X, y, is_regression=True)
    run.config = TrainingConfig(optimizer=OptimizerInfo(name="sgd", learning_rate=lr, passed_to_compile=True,
                                                         arguments={"hand_written": True}),
                                loss={"half_se": "half_squared_error", "se": "squared_error", "mse": "mse"}[loss],
                                batch_size=len(X) if batch else 1)
    # the check's own few hundred steps are not the user's training: no update count for NF102
    run.history = History(loss=history, n_updates=None, seconds=seconds)
    run.extra["check_updates"] = steps + len(idxs)
    if train_r2 is not None:
        run.extra["train_r2"] = train_r2
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
    run.extra["gradient_check"] = [
        {"parameter": a.parameter, "gradient": g, "relative_error": a.relative_error, "worst": a.worst,
         "hint": a.hint, "line": lines.get(("grad", g)), "shape": list(a.shape), "grad_shape": list(a.grad_shape)}
        for a, g in zip(gchecks, grads)]
    run.extra["framework_guess"] = "numpy"
    run.extra["gradient_of"] = dict(zip(params, grads))
    run.extra["gradient_shape_mismatch"] = {a.parameter: [list(a.grad_shape), list(a.shape)] for a in gchecks
                                            if a.grad_shape != a.shape}
    run.extra["step_deviation"] = deviation
    if nonfinite:
        run.extra["nonfinite_loss"] = True

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


def _lines(source: str | None, calls: dict, params: list[str], grads: list[str]) -> dict[tuple[str, str], Any]:
    """Source lines where each parameter is initialised / updated and each gradient is computed."""
    out: dict[tuple[str, str], Any] = {}
    if not source or not os.path.exists(source):
        return out
    try:
        with open(source, encoding="utf-8", errors="replace") as fh:
            tree = ast.parse(fh.read())
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
# loading a user's file for `nnfit doctor check` (this RUNS the user's imports, classes and functions)


def load_definitions(path: str) -> types.ModuleType:
    """Execute a script's imports, function and class definitions and simple assignments, but not its
    top-level statements (a seed-2 style `Neural_Net(...).train_model()` at the bottom is skipped)."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise NNFitError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise NNFitError(f"{path}: not UTF-8 text") from None
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        raise NNFitError(f"{path}:{exc.lineno}: Python 3 cannot parse this file ({exc.msg}); "
                         f"`nnfit doctor lint {path}` shows what to fix") from None
    imported = set()
    kept = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            kept.append(node)
            for a in node.names:
                imported.add((a.asname or a.name).split(".")[0])
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            kept.append(node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            calls = [c for c in ast.walk(node.value) if isinstance(c, ast.Call)]
            roots = set()
            for c in calls:
                f = c.func
                while isinstance(f, ast.Attribute):
                    f = f.value
                roots.add(f.id if isinstance(f, ast.Name) else "?")
            if roots <= imported:
                kept.append(node)
    module = types.ModuleType("nnfit_check_user")
    module.__file__ = os.path.abspath(path)
    os.environ.setdefault("MPLBACKEND", "Agg")
    code = compile(ast.Module(body=kept, type_ignores=[]), path, "exec")
    exec(code, module.__dict__)  # noqa: S102 - `check` runs the user's own network by design (documented)
    return module


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


def check_class_file(path: str, spec: CheckSpec) -> tuple[TrainingRun, dict[str, Any]]:
    module = load_definitions(path)
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
                         loss=spec.loss, steps=spec.steps, seed=spec.seed, batch=spec.batch, source=path)
