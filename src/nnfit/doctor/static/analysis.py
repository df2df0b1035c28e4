"""The static reader's entry point: analyse(text) -> TrainingRun."""
from __future__ import annotations

import ast
import os
import math
import re
from collections import ChainMap
from typing import Any

from nnfit.doctor.run import ColumnStats, DataStats, LayerInfo, OptimizerInfo, StaticFacts, TrainingConfig, TrainingRun
from nnfit.doctor.static import datasets
from nnfit.doctor.static.comments import read_comments
from nnfit.doctor.static.locations import _Mapper
from nnfit.doctor.static.nodes import _GRAD_NAME, _NODE_CACHE, _PARAM_NAME, _dotted, _last, _nodes
from nnfit.doctor.static.pure_python import list_network
from nnfit.doctor.static.parsing import PARSO_MAX_CHARS, PARSO_MAX_LINES, _parse_tolerant, _parso_problems
from nnfit.doctor.static.py2 import repair_pasted
from nnfit.doctor.static.reflow import looks_flattened, reflow
from nnfit.doctor.static.slopes import wrong_inputs, wrong_slopes
from nnfit.doctor.static.values import V, _Model, const
from nnfit.doctor.vocab import KERAS_LAYERS, TORCH_LAYERS
from nnfit.doctor.vocab import TORCH_ACTIVATIONS
from nnfit.doctor.static.interp import _Interp


# --------------------------------------------------------------------------------------------------
# entry point


def analyse(text: str, path: str | None = None) -> TrainingRun:
    """Read a script's text (never run it) and return a static TrainingRun."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    original = text.split("\n")
    problems: list[dict[str, Any]] = []
    lines: list[str] = []
    line_map: list[tuple[int, int]] = []
    for i, line in enumerate(original, start=1):
        if looks_flattened(line):
            flowed = reflow(line)
            n_stmt = sum(1 for _, p in flowed if not p.text.startswith("#"))
            problems.append({
                "line": i, "column": 1, "end_column": min(len(line), 60) + 1, "kind": "flattened",
                "message": f"the code was flattened onto one line ({len(line)} characters, {n_stmt} statements): "
                           "its line breaks were lost when it was pasted, and each `#` comment now hides all the code after it",
                "fix": "restore the line breaks and indentation (nnfit re-flowed the line to read it)",
            })
            for level, piece in flowed:
                lines.append("    " * level + piece.text)
                line_map.append((i, piece.col))
        else:
            lines.append(line)
            line_map.append((i, 0))
    lines = repair_pasted(lines, problems, line_map)
    tree, dropped = _parse_tolerant(lines)
    parso_found: list[dict[str, Any]] = []
    if dropped and len(lines) <= PARSO_MAX_LINES and sum(map(len, lines)) <= PARSO_MAX_CHARS:  # parso (the slow part) only when Python rejects the text
        parso_found = _parso_problems("\n".join(lines), line_map)
    reported = {p["line"] for p in problems}
    # an unclosed bracket the repair closed on its own line: parso, which cannot know that, reads every
    # line after it as part of the bracket and reports each; those follow-on errors are not the script's
    dropped_lines = {line_map[min(ln, len(line_map)) - 1][0] for ln, _ in dropped}
    closed = [line_map[min(ln, len(line_map)) - 1][0] for ln, msg in dropped if "was never closed" in msg]
    parso_found = [p for p in parso_found if p["line"] in dropped_lines or not any(c < p["line"] for c in closed)]
    for prob in parso_found:
        if prob["line"] not in reported:
            problems.append(prob)
            reported.add(prob["line"])
    for ln, msg in dropped:
        orig = line_map[min(ln, len(line_map)) - 1][0]
        if orig not in reported:
            problems.append({"line": orig, "kind": "indentation" if "indent" in msg else "syntax",
                             "message": msg, "fix": "make this line valid Python 3"})
            reported.add(orig)

    mapper = _Mapper(line_map, lines, original)
    interp = _Interp(mapper)
    interp.script_dir = os.path.dirname(os.path.abspath(path)) if path else None
    interp._aliases = _copy_aliases(tree)
    interp.comment_facts = read_comments(original)
    tree = _unwrap_progress_bars(tree)
    _torch_attr_layers(tree, interp)
    interp.run_module(tree)

    run = TrainingRun(framework="static", source=path, source_lines=original)
    # the model: the one with the most dense layers (a script may build a throw-away one)
    models = [m for m in interp.models if m.layers]
    for m in interp.torch_modules.values():
        attrs = getattr(m, "_attrs", {})
        if attrs and not m.layers:
            m.layers = list(attrs.values())
    models = [m for m in interp.models if m.layers]
    if models:
        model = max(models, key=lambda m: (sum(la.kind == "dense" for la in m.layers), -(m.line or 0)))
        run.layers = _finish_layers(model.layers)
        run.model_variable = model.name
        run.framework_guess = model.framework
    elif interp.seen_layers:
        run.layers = _finish_layers(list(interp.seen_layers.values()))
    cfg = interp.config
    rates = {lr for lr, _ in interp.manual_sgd}
    if interp.compiled is None and not interp.optimizers and len(rates) == 1:
        # no optimiser object, every hand-written step is `w -= lr * w.grad` with one rate: plain SGD
        interp.compiled = OptimizerInfo(name="sgd", learning_rate=rates.pop(), line=interp.manual_sgd[0][1],
                                        passed_to_compile=True, arguments={"hand_written": True})
    if interp.compiled is not None and interp.compiled.arguments.get("hand_written") and interp.grad_divisors:
        # `w -= lr * w.grad / batch_size`: what the step divides by, and how the loss it differentiates was reduced
        value, text, line = interp.grad_divisors[0]
        interp.compiled.arguments.update({"gradient_divisor": value, "gradient_divisor_text": text,
                                          "gradient_divisor_line": line,
                                          "loss_reduction": _backward_reduction(tree)})
    built = list(interp.optimizers.values())
    cfg.optimizers_built = built
    cfg.optimizer = interp.compiled
    if cfg.optimizer is None and len(built) == 1 and not interp.stepped_vars and cfg.compile_line is None:
        cfg.optimizer = built[0]
    if interp.stepped_vars and cfg.optimizer is None:
        for o in built:
            if o.variable in interp.stepped_vars:
                o.passed_to_compile = True
                cfg.optimizer = o
    # a hand-written loop (torch, TF1 sess.run, apply_gradients): the loops around the steps give epochs and batches
    torchy = ("torch" in interp.framework_hint or interp.custom_loop) and cfg.fit_line is None
    if torchy:
        for o in built:
            if o.passed_to_compile is False and o.variable and o.variable in interp.stepped_vars:
                o.passed_to_compile = True
        if interp.epoch_loops:
            top = min(lp.depth for lp in interp.epoch_loops)
            outer = [lp for lp in interp.epoch_loops if lp.depth == top]
            inner = [lp for lp in interp.epoch_loops if lp.depth > top]
            epoch_loop = max(outer, key=lambda lp: lp.count or 0)
            if len(outer) == 1 and epoch_loop.batch_loop and not inner:
                inner, epoch_loop = [epoch_loop], None   # only a batch loop: one epoch
            if epoch_loop is not None:
                cfg.epochs = epoch_loop.count
                cfg.fit_line = epoch_loop.line
            else:
                cfg.epochs = 1
                cfg.fit_line = inner[0].line
            batches = [lp for lp in inner if lp.batch_loop]
            if batches and batches[0].batch:
                cfg.batch_size = batches[0].batch
            if batches and cfg.shuffle is None and not interp.shuffled:
                # batches sliced in row order (range(0, n, b)), and nothing in the script shuffles the rows
                cfg.shuffle, cfg.shuffle_line = False, batches[0].line
            if inner:
                counts = [lp.count for lp in inner]
                per_epoch = counts[0] if counts and all(c is not None for c in counts) else None
                if per_epoch is not None and cfg.epochs:
                    interp.planned_updates = cfg.epochs * per_epoch
                else:
                    interp.planned_updates = None
        if interp.batch_sizes and cfg.batch_size is None:
            cfg.batch_size = interp.batch_sizes[0][0]
    _stepped_in_code(tree, built)
    run.config = cfg
    first_dense = next((la for la in run.layers if la.kind == "dense"), None)
    run.data = _data_stats(interp, cfg, first_dense.input_units if first_dense is not None else None)
    _scaled_inside(run, interp)
    fed_x = interp.fit_calls[-1][1] if interp.fit_calls else (interp.torch_data[0] if interp.torch_data else None)
    if fed_x is not None and fed_x.dist == datasets.DIGITS and not _digit_table(text, first_dense):
        run.data = DataStats(exact=False)     # a train.csv that is not the digits table: its values are unknown
    inner_loops = torchy and any(lp.depth > min(x.depth for x in interp.epoch_loops) for lp in interp.epoch_loops) \
        if interp.epoch_loops else False
    if torchy and cfg.batch_size is None and run.data.n_samples and not inner_loops:
        cfg.batch_size = run.data.n_samples  # full batch
    if getattr(interp, "planned_updates", None):
        run.n_updates_planned = interp.planned_updates
    if interp.loss_broadcast is not None:
        pred, target, line = interp.loss_broadcast
        run.fit.loss_broadcast = (pred, target)
        run.config.fit_line = run.config.fit_line or line
    first = next((la for la in run.layers if la.kind == "dense"), None)
    fed = interp.fit_calls[-1][1] if interp.fit_calls else (interp.torch_data[0] if interp.torch_data else None)
    width = None if fed is None else len(fed.cols) if fed.cols else (
        1 if fed.ndim == 1 or (fed.shape and len(fed.shape) == 2 and fed.shape[1] == 1) else None)
    crashes: list[dict[str, Any]] = []
    if first is not None and first.input_units is not None and width and first.input_units != width \
            and _width_passes_to(run.layers, first) and fed is not None and (fed.cols or fed.ndim == 1) \
            and (fed.ndim or 2) <= 2:
        crashes.append({"code": "NF133", "line": first.line, "layer": first.name, "declared": first.input_units,
                        "width": width, "fit_line": run.config.fit_line})
    torch_only = "torch" in interp.framework_hint and "keras" not in interp.framework_hint and not interp.fit_calls
    if first is not None and first.input_units is not None and fed is not None and torch_only and fed.ndim == 1 \
            and fed.n and fed.n > 1 and not crashes and _width_passes_to(run.layers, first) and not _forward_reshapes(tree):
        # torch reads a 1-D tensor of n samples as ONE row of n values: nn.Linear(1, k) refuses it
        crashes.append({"code": "NF133", "line": first.line, "layer": first.name, "declared": first.input_units,
                        "width": fed.n, "vector": True, "fit_line": run.config.fit_line})
    if first is not None and first.input_units is None and width:
        first.input_units = width       # Dense(1) with no input_dim: the width of the data fed to fit
        _finish_layers(run.layers)
    if interp.class_index_targets is not None and "torch" in interp.framework_hint:
        dtype, ndim, line = interp.class_index_targets
        if dtype in ("float32", "float64", "float16") and ndim == 1:
            crashes.append({"code": "NF132", "line": line, "dtype": dtype, "loss": run.config.loss})
    run.updates = interp.finish_updates()
    _numpy_layers(tree, interp, run)
    if not run.layers and list_network(tree, interp, run):
        # a network of plain Python lists (pure_python.py): its pattern table is the data
        _finish_layers(run.layers)
        if run.data.n_samples is None and interp.fit_calls:
            run.data = _data_stats(interp, cfg, None)
    numpy_weights = [layer.name for layer in run.layers if layer.initializer == "numpy"]
    for hit in wrong_slopes(tree) + wrong_inputs(tree, numpy_weights):
        # a hand-written backward pass that takes an activation's slope on the wrong side of it (read, not
        # measured: rules/wrong_gradient.py's static branch)
        run.gradients.checks.append(hit | {"line": mapper.line(hit["line"])})
    for prob in _for_else(tree, mapper):
        if prob["line"] not in reported or not any(p["kind"] == "for-else" for p in problems):
            problems.append(prob)
    run.legacy = sorted(interp.legacy.values(), key=lambda u: (u.line or 0, u.span[0] if u.span else 0))
    run.syntax_problems = sorted(problems, key=lambda p: (p.get("line") or 0, p.get("column") or 0))
    _NODE_CACHE.clear()
    static_crashes = crashes
    run.static = StaticFacts(frameworks=sorted(interp.framework_hint),
                             reflowed=any(p["kind"] == "flattened" for p in problems), analysed_lines=len(lines),
                             functions=sorted(interp.funcs), classes=sorted(interp.classes),
                             gradient_names=dict(interp.gradient_names), data_files=list(interp.data_files))
    if interp.backward_lines and not interp._step_calls and not interp.fit_calls and not run.updates \
            and not _steps_in_code(tree):
        # gradients are computed, but nothing (no optimiser step, no `w -= lr * w.grad`) ever uses them
        run.static.backward_without_step = min(ln for ln in interp.backward_lines if ln) if any(interp.backward_lines) else None
    if interp.hand_class_weights:
        run.static.hand_class_weights = dict(interp.hand_class_weights)
        run.static.hand_class_weights_line = interp.hand_class_weights_line
    # what the script will raise when it runs, read here (doctor run names the same faults from the
    # exception: rules/script_error.py); lint.py turns each into its finding
    run.static.predicted_crashes = static_crashes
    from nnfit.doctor.static.stale_optimizer import stale_optimizer

    run.static.stale_optimizer = stale_optimizer(tree) if torchy else None
    from nnfit.doctor.static.cut_loss import cut_loss

    run.static.cut_loss = cut_loss(tree) if torchy else None
    step_line = _torch_step_without_gradient(tree, interp)
    if step_line is None and "torch" in interp.framework_hint:
        step_line = _zeroed_between_backward_and_step(tree, interp)
    if step_line is not None:
        run.static.step_without_backward = step_line
    dense = [la for la in run.layers if la.kind == "dense"]
    for layer in dense:
        std = interp.tf_init_std.get(id(layer), interp.init_std.get(id(layer)))
        # an initial spread the script sets (Keras initializers, TF1 Variables, torch nn.init / .data.fill_):
        # a constant (zero) start matters only with hidden units to tell apart; the zero W and b of a
        # linear / softmax regression (the TF1 tutorials) are harmless
        if std is not None and layer.input_units and layer.units and (std > 0 or len(dense) > 1):
            run.initial_weight_std[layer.name] = std
        if id(layer) in interp.init_bias:
            run.static.initial_bias[layer.name] = interp.init_bias[id(layer)]
    if interp.classes and not run.layers and run.updates:
        run.framework_guess = "numpy"
    return run


_MEAN_LOSSES = ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy", "cross_entropy",
                "binary_cross_entropy_with_logits", "nll_loss", "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss",
                "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss")


# progress-bar wrappers around a loop's iterable: `for epoch in tqdm(range(10))` runs as `range(10)`;
# `trange(n)` is `tqdm(range(n))`
_PROGRESS = {"tqdm", "tqdm_notebook", "tnrange", "progressbar"}
_PROGRESS_RANGE = {"trange", "tnrange"}


def _unwrap_progress_bars(tree: ast.Module) -> ast.Module:
    """Loops over a progress bar read as loops over what it wraps (line numbers kept)."""
    def unwrap(node: ast.AST) -> ast.AST:
        if isinstance(node, ast.Call):
            name = _last(_dotted(node.func))
            if name in _PROGRESS_RANGE and node.args:
                return ast.copy_location(ast.Call(func=ast.copy_location(ast.Name(id="range", ctx=ast.Load()), node.func),
                                                  args=[unwrap(a) for a in node.args], keywords=[]), node)
            if name in _PROGRESS and node.args and not isinstance(node.args[0], ast.Starred):
                return unwrap(node.args[0])
            if name in ("enumerate", "zip") and node.args:
                node.args = [unwrap(a) for a in node.args]
        return node

    for node in ast.walk(tree):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            node.iter = unwrap(node.iter)
    return tree


def _digit_table(text: str, first_dense: LayerInfo | None) -> bool:
    """A missing train.csv is the digits table (static/datasets.py DIGIT_FILES) only when the script names its
    `label` column and its first dense layer reads 784 inputs (or an image layer reads 28 x 28)."""
    if not re.search(r"[\'\"]label[\'\"]", text):
        return False
    if first_dense is not None and first_dense.input_units == 784:
        return True
    return bool(re.search(r"28\s*,\s*28", text))


def _reduction_of(value: ast.AST, assigned: dict[str, list[ast.AST]], depth: int = 0,
                  returns: dict[str, list[ast.AST]] | None = None) -> str | None:
    """'mean' / 'sum' for a loss expression: x.mean(), torch.sum(x), a torch loss (module or function) by its
    reduction= (default 'mean'), a function or method of the script by what it returns; None when the text
    does not say."""
    returns = returns or {}
    if depth > 3 or not isinstance(value, ast.Call):
        if isinstance(value, ast.Name) and depth <= 3:
            found = {_reduction_of(v, assigned, depth + 1, returns) for v in assigned.get(value.id, [])}
            return found.pop() if len(found) == 1 else None
        return None
    name = _last(_dotted(value.func)) or (value.func.attr if isinstance(value.func, ast.Attribute) else "")
    if name in ("mean", "reduce_mean"):
        return "mean"
    if name in ("sum", "reduce_sum"):
        return "sum"
    if name in returns and name not in _MEAN_LOSSES and not (isinstance(value.func, ast.Name) and name in assigned):
        # loss = self.loss(x, y) / loss = compute_loss(out, y): the reduction of what that function returns
        found = {_reduction_of(v, assigned, depth + 1, returns) for v in returns[name]}
        return found.pop() if len(found) == 1 else None
    construct = value
    if isinstance(value.func, ast.Name) and value.func.id in assigned:     # criterion(out, y): how it was made
        made = [v for v in assigned[value.func.id] if isinstance(v, ast.Call)]
        construct = made[-1] if made else None
        name = _last(_dotted(construct.func)) if construct is not None else ""
    elif isinstance(value.func, ast.Call):                                  # nn.MSELoss()(out, y)
        construct = value.func
        name = _last(_dotted(construct.func)) or ""
    if construct is None or name not in _MEAN_LOSSES:
        return None
    for k in construct.keywords:
        if k.arg == "reduction" and isinstance(k.value, ast.Constant):
            return k.value.value if k.value.value in ("mean", "sum") else None
        if k.arg in ("size_average", "reduce"):
            return None
    return "mean"


def _backward_reduction(tree: ast.Module) -> str | None:
    """How the loss that `.backward()` is called on was reduced over the batch ('mean', 'sum', None: unknown
    or the backward calls disagree)."""
    assigned: dict[str, list[ast.AST]] = {}
    for node in _nodes(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            assigned.setdefault(node.targets[0].id, []).append(node.value)
    returns: dict[str, list[ast.AST]] = {}
    for node in _nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            values = [r.value for r in ast.walk(node) if isinstance(r, ast.Return) and r.value is not None]
            if values:
                returns.setdefault(node.name, []).extend(values)
    found = set()
    for node in _nodes(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "backward":
            found.add(_reduction_of(node.func.value, assigned, 0, returns))
    return found.pop() if len(found) == 1 else None


def _torch_step_without_gradient(tree: ast.Module, interp: _Interp) -> int | None:
    """The line of a torch optimiser's step() in a script where no code computes a gradient (no
    `.backward(`, no torch.autograd.grad): the steps find no gradient and move nothing."""
    if "torch" not in interp.framework_hint or "keras" in interp.framework_hint or "tf" in interp.framework_hint \
            or not interp.optimizers or not interp._step_calls:
        return None
    steps = []
    for node in _nodes(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("backward", "grad", "minimize", "fit"):
                return None
            if node.func.attr == "step" and not node.args:
                steps.append(node.lineno)
    return interp.map.line(min(steps)) if steps else None


def _zeroed_between_backward_and_step(tree: ast.Module, interp: _Interp) -> int | None:
    """The line of an `optimizer.step()` that follows `loss.backward(); optimizer.zero_grad()` in the same
    block, with no backward() in between: zero_grad() has just erased the gradients, so every step finds
    zeros and the weights never change (the order must be zero_grad, backward, step)."""
    optimizers = {o.variable for o in interp.optimizers.values() if o.variable}
    for node in ast.walk(tree):
        for body in (getattr(node, "body", None), getattr(node, "orelse", None)):
            if not isinstance(body, list):
                continue
            state, zeroed = None, None
            for stmt in body:
                call = stmt.value if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) else None
                attr = call.func.attr if call is not None and isinstance(call.func, ast.Attribute) else None
                owner = _dotted(call.func.value) if attr else None
                if attr == "backward":
                    state = "backward"
                elif attr == "zero_grad" and state == "backward":
                    state, zeroed = "zeroed", owner
                elif attr == "step" and not call.args and not call.keywords:
                    # the optimiser that was zeroed, or a zero_grad() on the model (it clears every parameter);
                    # another optimiser's zero_grad (a GAN's generator) leaves this one's gradients alone
                    if state == "zeroed" and (zeroed == owner or zeroed not in optimizers):
                        return interp.map.line(stmt.lineno)
                    state = None
                elif not isinstance(stmt, (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Pass)):
                    state = None if state == "zeroed" and _has_backward(stmt) else state
    return None


def _has_backward(stmt: ast.stmt) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "backward"
               for n in ast.walk(stmt))


def _steps_in_code(tree: ast.Module) -> bool:
    """Does any code (followed by the reader or not) step an optimiser, update weights in place, or hand
    training to a framework loop (`.step()`, `.sub_()`, `-=` on a parameter, fit / train_on_batch / sess.run)?"""
    for node in _nodes(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                "step", "sub_", "add_", "apply_gradients", "minimize", "fit", "fit_generator", "train_on_batch",
                "run", "copy_", "update"):
            return True
        if isinstance(node, (ast.AugAssign, ast.Assign)):
            # w -= lr * w.grad, p.data = p.data - lr * p.grad: an update that reads a gradient
            value = node.value
            if any("grad" in (n.attr if isinstance(n, ast.Attribute) else n.id).lower()
                   for n in ast.walk(value) if isinstance(n, (ast.Attribute, ast.Name))):
                return True
    return False


def _stepped_in_code(tree: ast.Module, built: list) -> None:
    """An optimiser the code steps somewhere (`self.optimizer.step()` in a method nothing here calls: a
    training class whose driver was not posted) is used, whether or not the reader followed that call:
    only an optimiser no code ever steps or compiles can be called unused."""
    stepped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "step":
            name = _dotted(node.func.value)
            if name:
                stepped.add(name.split(".")[-1])
    for o in built:
        if o.passed_to_compile is False and o.variable and o.variable.split(".")[-1] in stepped:
            o.passed_to_compile = None      # stepped in code the reader did not follow: not known unused


def _for_else(tree: ast.Module, mapper: _Mapper) -> list[dict[str, Any]]:
    """`for ...: ... else: ...` without a break: the else always runs (often a lost `if` line)."""
    out = []
    for node in _nodes(tree):
        if isinstance(node, ast.For) and node.orelse:
            body_breaks = any(isinstance(n, ast.Break) for b in node.body for n in ast.walk(b))
            if body_breaks:
                continue
            first = node.orelse[0]
            span = mapper.span(first)
            out.append({"line": mapper.line(first.lineno), "column": span[0] if span else None,
                        "end_column": span[1] if span else None, "kind": "for-else",
                        "message": f"`for {ast.unparse(node.target)} in ...: ... else:` has no `break`: the else block always runs "
                                   "once after the loop; was an `if` line lost?",
                        "fix": f"if the two blocks are alternatives, restore the `if` (e.g. `if {ast.unparse(node.target)} == 0:`) "
                               "inside the loop"})
    return out


def _numpy_layers(tree: ast.Module, interp: _Interp, run: TrainingRun) -> None:
    """A NumPy network (no framework layers): weight matrices created in a class or at module level."""
    if run.layers:
        return
    weights: list[tuple[str, tuple[int, int], V, ast.AST]] = []
    biases: list[str] = []
    # `self.w1 = np.random.randn(self.inputLayerSize, self.hiddenLayerSize)` in a method: its sizes are the
    # instance's attributes (set by __init__ when the script built the object), read with `self` bound
    owner: dict[int, str] = {}
    for cls in _nodes(tree):
        if isinstance(cls, ast.ClassDef):
            for sub in ast.walk(cls):
                if isinstance(sub, ast.Assign):
                    owner.setdefault(id(sub), cls.name)
    # the function each assignment sits in: its parameters as the script's first call passed them
    # (`SineNet(20, 0.15)` for `self.W1 = np.random.randn(hidden, 1)`, `initialize(1, 1, 10)` for a
    # `{"W1": np.random.randn(n_h, n_x) * 0.01, ...}` dict of parameters)
    enclosing: dict[int, ast.AST] = {}
    for fn in _nodes(tree):
        if isinstance(fn, ast.FunctionDef):
            for sub in ast.walk(fn):
                if isinstance(sub, (ast.Assign, ast.Dict)):
                    enclosing[id(sub)] = fn
    first_args = getattr(interp, "first_args", {})

    def env_of(node: ast.AST) -> dict[str, V]:
        env: dict[str, V] = {}
        fn = enclosing.get(id(node))
        if fn is not None:
            env.update(first_args.get(id(fn), {}))
        cls_name = owner.get(id(node))
        if cls_name:
            env["self"] = V("obj", const=cls_name)
        return env

    def consider(name: str | None, value: ast.AST, node: ast.AST) -> None:
        if not name or not _PARAM_NAME.match(name) or _GRAD_NAME.search(name):
            return
        if name in interp._aliases or isinstance(value, (ast.Name, ast.Attribute)):
            return        # `w_old = self.W.copy()`, `W_best = W`: another name for a weight already listed
        val = interp.eval(value, env_of(node), 1)
        if val.shape is None or not val.known:
            return
        if re.match(r"(?i)^(b|bias)", name) or re.search(r"(?i)_bias(es)?$", name):
            biases.append(name)
        elif len(val.shape) == 2 and all(isinstance(d, int) for d in val.shape):
            weights.append((name, val.shape, val, node))

    for node in _nodes(tree):
        if isinstance(node, ast.Dict) and id(node) in enclosing and len(node.keys) >= 2 and all(
                isinstance(k, ast.Constant) and isinstance(k.value, str) for k in node.keys):
            # a parameters dict built in a function (Coursera style): {"W1": ..., "b1": ..., "W2": ...}
            for k, v in zip(node.keys, node.values):
                consider(k.value, v, node)
            continue
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        t = node.targets[0]
        if isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant) and isinstance(t.slice.value, str):
            name = t.slice.value        # parameters["W1"] = np.random.randn(n_h, n_x) * 0.01
        else:
            name = t.attr if isinstance(t, ast.Attribute) else (t.id if isinstance(t, ast.Name) else None)
        consider(name, node.value, node)
    if not weights:
        try:
            _numpy_list_layers(tree, interp, run)
        except Exception:       # a construct the list reader does not follow: no layers rather than no lint
            if os.environ.get("NNFIT_LINT_STRICT"):
                raise
            run.layers, run.initial_weight_std = [], {}
        return
    shapes = [w[1] for w in weights]
    forward = all(a[1] == b[0] for a, b in zip(shapes, shapes[1:]))
    backward = all(a[0] == b[1] for a, b in zip(shapes, shapes[1:]))
    if getattr(interp, "column_major", False) and backward:
        forward = False      # `W1 @ X` networks: each weight is (units, inputs)
    has_bias = len(biases) >= len(weights)
    stds: dict[str, float] = {}
    for name, shape, val, node in weights:
        fan_in, fan_out = (shape if forward or not backward else (shape[1], shape[0]))
        if val.dist == "normal":
            std = (val.hi - val.lo) / 6
        else:
            std = (val.hi - val.lo) / math.sqrt(12)
        layer = LayerInfo(name=name, kind="dense", units=fan_out, input_units=fan_in, activation="unknown",
                          use_bias=has_bias, initializer="numpy", line=interp.line(node), span=interp.span(node),
                          n_params=fan_in * fan_out)
        run.layers.append(layer)
        stds[name] = std
    acts = getattr(interp, "residual_activations", set())
    chained = forward or (getattr(interp, "column_major", False) and backward)   # (units, inputs) weights chain too
    if chained and len(acts) == 1 and "linear" not in acts and run.layers[-1].activation == "unknown":
        # the residual `y - output` reads the network's output: the last weight's layer has its activation
        # (`1 / (1 + np.exp(-np.dot(X, W)))`, the script's own sigmoid()); an output read without one stays
        # unknown (an activation written some other way would not be seen)
        run.layers[-1].activation = next(iter(acts))
    run.initial_weight_std = stds
    run.framework_guess = "numpy"


def _copy_aliases(tree: ast.Module) -> dict[str, str]:
    """`w_old = self.W.copy()` -> {'w_old': 'self.W'}: the step `w_old - lr * ...` updates self.W."""
    out: dict[str, str] = {}
    for node in _nodes(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            v = node.value
            if isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute) and v.func.attr in ("copy", "clone"):
                v = v.func.value
            elif isinstance(v, ast.Call) and _last(_dotted(v.func)) in ("copy", "deepcopy") and v.args:
                v = v.args[0]
            src = _dotted(v) if isinstance(v, (ast.Name, ast.Attribute)) else None
            if src:
                out[node.targets[0].id] = src
    return out


def _torch_attr_layers(tree: ast.Module, interp: _Interp) -> None:
    """`self.fc1 = nn.Linear(1, 64)` inside an nn.Module: remember the attribute name of each layer."""
    for cls in (n for n in _nodes(tree) if isinstance(n, ast.ClassDef)):
        bases = {_last(_dotted(b)) for b in cls.bases}
        keras_model = "Model" in bases and "Module" not in bases    # a Keras Model subclass: layers as attributes
        if "Module" not in bases and not keras_model:
            continue
        model = _Model(cls.name, "keras" if keras_model else "torch", line=interp.line(cls))
        model._attrs = {}  # type: ignore[attr-defined]
        interp.torch_modules[cls.name] = model
        interp.models.append(model)
        interp.framework_hint.add("keras" if keras_model else "torch")
        for node in ast.walk(cls):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Attribute) \
                    and isinstance(node.value, ast.Call):
                last = _last(_dotted(node.value.func))
                if keras_model and last in KERAS_LAYERS:
                    args = [interp.eval(a, {}, 1) for a in node.value.args]
                    kw = {k.arg: interp.eval(k.value, {}, 1) for k in node.value.keywords if k.arg}
                    kwnodes = {k.arg: k.value for k in node.value.keywords if k.arg}
                    layer = interp.keras_layer(node.value, last, args, kw, kwnodes)
                    if layer.kind != "activation":
                        model._attrs[node.targets[0].attr] = layer  # type: ignore[attr-defined]
                elif not keras_model and last == "Sequential":
                    # self.net = nn.Sequential(nn.Linear(..), nn.ReLU(), ...): the module's layers, in order
                    prev = None
                    for k, a in enumerate(node.value.args):
                        if not isinstance(a, ast.Call):
                            continue
                        inner = _last(_dotted(a.func))
                        if inner not in TORCH_LAYERS and inner not in TORCH_ACTIVATIONS:
                            continue
                        layer = interp.torch_layer(a, inner, [interp.eval(x, {}, 1) for x in a.args],
                                                   {kw.arg: interp.eval(kw.value, {}, 1) for kw in a.keywords if kw.arg})
                        if layer.kind == "activation":
                            if prev is not None and prev.activation in (None, "linear"):
                                prev.activation = layer.activation
                            continue
                        model._attrs[f"{node.targets[0].attr}.{k}"] = layer  # type: ignore[attr-defined]
                        prev = layer if layer.kind == "dense" else prev
                elif not keras_model and (last in TORCH_LAYERS or last in TORCH_ACTIVATIONS):
                    args = [interp.eval(a, {}, 1) for a in node.value.args]
                    kw = {k.arg: interp.eval(k.value, {}, 1) for k in node.value.keywords if k.arg}
                    layer = interp.torch_layer(node.value, last, args, kw)
                    layer.name = node.targets[0].attr
                    if layer.kind != "activation":
                        model._attrs[node.targets[0].attr] = layer  # type: ignore[attr-defined]


def _finish_layers(layers: list[LayerInfo]) -> list[LayerInfo]:
    """Input widths from the previous layer, parameter counts, default activations."""
    prev: int | None = None
    for layer in layers:
        if layer.kind != "dense":
            continue
        if layer.input_units is None and prev is not None:
            layer.input_units = prev
        if layer.activation is None:
            layer.activation = "linear"
        if layer.units is not None and layer.input_units is not None:
            layer.n_params = layer.input_units * layer.units + (layer.units if layer.use_bias is not False else 0)
        prev = layer.units if layer.units is not None else prev
    return layers


def _columns(v: V) -> list[ColumnStats]:
    parts = v.cols if v.cols else [v]
    out = []
    for c in parts:
        if not c.known:
            return []
        lo, hi = float(c.lo), float(c.hi)
        if c.dist == "normal":
            mean, std = (lo + hi) / 2, (hi - lo) / 6
        else:
            mean, std = (lo + hi) / 2, (hi - lo) / math.sqrt(12)
        out.append(ColumnStats(min=lo, max=hi, mean=mean, std=std, is_integer=bool(c.integer)))
    return out


def _forward_reshapes(tree: ast.Module) -> bool:
    """Does a forward() / call() of the script reshape what it gets (x.view(-1, 1), x.unsqueeze(1))?"""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in ("forward", "call", "__call__"):
            for n in ast.walk(node):
                if isinstance(n, ast.Call) and _last(_dotted(n.func) or "") in (
                        "view", "reshape", "unsqueeze", "flatten", "Flatten", "expand_dims", "atleast_2d"):
                    return True
    return False


def _width_passes_to(layers: list[LayerInfo], first: LayerInfo) -> bool:
    """Do the data reach `first` with their own width (only dropout, normalisation, activation layers or
    a Rescaling / Normalization before it; no Flatten, convolution or embedding that reshapes them)?"""
    for la in layers:
        if la is first:
            return True
        if la.kind in ("dropout", "batchnorm", "activation", "input"):
            continue
        if la.kind == "other" and la.name.split("_")[0] in ("rescaling", "normalization"):
            continue
        return False
    return False


def _scaled_inside(run: TrainingRun, interp: _Interp) -> None:
    """A Keras model whose first layers scale the inputs (Rescaling(1/255), an adapted Normalization, a
    BatchNormalization) sees the data after that scaling: the input columns are what the first Dense
    layer receives."""
    first = next((i for i, la in enumerate(run.layers) if la.kind == "dense"), None)
    if first is None or not run.data.inputs:
        return
    for la in run.layers[:first]:
        how = interp.input_scaling.get(id(la))
        if how is None:
            continue
        kind, scale, offset = how
        cols = []
        for c in run.data.inputs:
            if kind == "standardize":
                std = c.std if c.std and c.std > 0 else 1.0
                lo, hi = (c.min - c.mean) / std, (c.max - c.mean) / std
                cols.append(ColumnStats(min=lo, max=hi, mean=0.0, std=1.0, is_integer=False))
            else:
                lo, hi = sorted((c.min * scale + offset, c.max * scale + offset))
                cols.append(ColumnStats(min=lo, max=hi, mean=c.mean * scale + offset, std=c.std * abs(scale),
                                        is_integer=False))
        run.data.inputs = cols


def _data_stats(interp: _Interp, cfg: TrainingConfig, width: int | None = None) -> DataStats:
    stats = DataStats(exact=False)
    X: V | None = None
    y: V | None = None
    rows = interp.one_row_per_call(width) if not interp.fit_calls else None
    if interp.fit_calls:
        line, X, y = interp.fit_calls[-1]
        stats.line = line or None
    elif rows is not None:      # one literal pattern per training call: the patterns are the data set
        X, y = rows
        stats.line = interp.torch_data[2] if interp.torch_data is not None else cfg.fit_line
        cfg.batch_size = 1      # each call trains on its one pattern
    elif interp.torch_data is not None:
        X, y, line = interp.torch_data
        stats.line = line or cfg.fit_line
    if X is None:
        return stats
    stats.n_samples = X.n if X.n is not None else (y.n if y is not None else None)
    stats.inputs = _columns(X)
    stats.targets = _columns(y) if y is not None else []
    stats.input_dtype = X.dtype
    # the inputs drawn as integers (np.random.randint, rng.integers): an integer dtype the script asked for,
    # not one numpy inferred from integer literals or np.arange (rules/integer_typed_data.py)
    stats.inputs_drawn_as_integers = X.dist == "integers" or bool(  # type: ignore[attr-defined]
        X.cols and all(c.dist == "integers" for c in X.cols))
    stats.target_dtype = y.dtype if y is not None else None
    if y is not None and y.counts and not y.exact:   # a literal list: its values are known
        stats.class_counts = y.counts
    if y is not None and not y.exact:     # rows built in order (linspace, arange, labels class by class)
        orders = [o for o in [y.order] + [c.order for c in (X.cols or [X])] if o is not None]
        stats.order_correlation = max(orders) if orders else None
    if y is not None and y.exact:     # read from a data file beside the script
        stats.class_counts = y.counts
        orders = [o for o in [y.order] + [c.order for c in (X.cols or [X])] if o is not None]
        stats.order_correlation = max(orders) if orders else None
        stats.exact = X.exact
    loss = (cfg.loss or "").lower().replace("_", "")
    classification_loss = "crossentropy" in loss or loss in ("bceloss", "nllloss", "hinge", "bcewithlogitsloss")
    if stats.targets:
        # the targets decide when they are known: real-valued targets are a regression whatever the loss says
        t = stats.targets[0]
        few_labels = t.is_integer and t.max - t.min + 1 <= 10
        # a binary loss has two labels: whole-number targets over more than `few_labels` levels under it
        # (prices, counts, years read from a data file) are quantities, not classes
        binary_loss = "binary" in loss or loss in ("bceloss", "bcewithlogitsloss")
        stats.is_regression = not few_labels if not classification_loss else (
            not (t.is_integer or few_labels) or (binary_loss and t.is_integer and not few_labels))
    elif classification_loss:
        stats.is_regression = False
    elif loss in ("mse", "meansquarederror", "mae", "meanabsoluteerror", "huber", "mseloss"):
        stats.is_regression = True
    return stats


def fill_unseen_data(run: TrainingRun) -> bool:
    """A watched run whose monitor saw no data (a hand-written loop, `x @ W + b` on raw tensors: no model
    or loss module to catch them) takes the data its script builds, read statically (`data.exact` stays
    False: ranges from literals, never executed). True when something was filled in."""
    d = run.data
    if run.is_static or d.inputs or d.targets or d.n_samples or not run.source or not os.path.isfile(run.source):
        return False
    try:
        with open(run.source, encoding="utf-8", errors="replace") as fh:
            static = analyse(fh.read(), run.source)
    except Exception:   # noqa: BLE001 - the static reading is a best effort beside a measured run
        return False
    read = static.data
    if not (read.inputs or read.targets):
        return False
    read.exact = False
    run.data = read
    opt = static.config.optimizer
    if run.config.optimizer is None and opt is not None and opt.arguments.get("hand_written"):
        run.config.optimizer = opt      # `w -= lr * w.grad` by hand: the rate the monitor cannot see
    return True


# --- weights held in Python lists ---------------------------------------------------------------------------
# `self.weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])]`, `w.append(np.random.rand(..))`
# in a loop over range(k): one weight matrix per item, read with the sizes the script passes

_LIST_MAX = 64          # a longer list of weights is not a network's layers


def _act_kind(name: str | None) -> str | None:
    """The activation a function of the script (or numpy / torch) computes, read from its name."""
    if not name:
        return None
    low = name.lower()
    if re.search(r"prime|deriv|grad|backward|_d$|^d_", low):
        return None
    for key, kind in (("softmax", "softmax"), ("relu", "relu"), ("tanh", "tanh"), ("sigm", "sigmoid"),
                      ("logistic", "sigmoid")):
        if key in low:
            return kind
    return "sigmoid" if re.search(r"^sig$|^sig_|_sig$", low) else None


def _list_values(node: ast.AST, interp: _Interp, env: dict[str, V], depth: int = 0) -> list[Any] | None:
    """The values a `for` of a list weight builder runs over: range(..), zip(..), a list of sizes and its slices."""
    if depth > 4:
        return None
    if isinstance(node, ast.Call) and _dotted(node.func) in ("range", "xrange") and not node.keywords:
        bounds = [interp.eval(a, env, 1).const for a in node.args]
        if 1 <= len(bounds) <= 3 and all(isinstance(b, int) and not isinstance(b, bool) for b in bounds):
            out = list(range(*bounds))
            return out if len(out) <= _LIST_MAX else None
        return None
    if isinstance(node, ast.Call) and _dotted(node.func) == "zip" and node.args and not node.keywords:
        parts = [_list_values(a, interp, env, depth + 1) for a in node.args]
        if any(p is None for p in parts):
            return None
        return list(zip(*parts))
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
        base = _list_values(node.value, interp, env, depth + 1)
        if base is None:
            return None
        bounds = [interp.eval(b, env, 1).const if b is not None else None
                  for b in (node.slice.lower, node.slice.upper, node.slice.step)]
        if not all(b is None or (isinstance(b, int) and not isinstance(b, bool)) for b in bounds):
            return None
        return base[slice(*bounds)]
    if isinstance(node, (ast.List, ast.Tuple)):
        vals = [interp.eval(e, env, 1).const for e in node.elts]
    else:
        v = interp.eval(node, env, 1)
        vals = v.const if isinstance(v.const, (list, tuple)) else (
            [i.const for i in v.items] if v.items is not None and v.kind in ("seq", "tuple") else None)
    if vals is None or len(vals) > _LIST_MAX or not all(isinstance(x, int) and not isinstance(x, bool) for x in vals):
        return None
    return list(vals)


def _bind(target: ast.AST, value: Any, env: dict[str, V]) -> bool:
    if isinstance(target, ast.Name):
        env[target.id] = const(value)
        return True
    if isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, tuple) and len(value) == len(target.elts):
        return all(_bind(t, v, env) for t, v in zip(target.elts, value))
    return False


def _list_items(node: ast.AST, interp: _Interp, env: dict[str, V]) -> list[V | None] | None:
    """The items of a list expression: a literal, a one-loop comprehension, or their sum ([None] + [...])."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        a, b = _list_items(node.left, interp, env), _list_items(node.right, interp, env)
        return a + b if a is not None and b is not None else None
    if isinstance(node, ast.List):
        return [None if isinstance(e, ast.Constant) and e.value is None else interp.eval(e, env, 1) for e in node.elts]
    if isinstance(node, ast.ListComp) and len(node.generators) == 1 and not node.generators[0].ifs:
        gen = node.generators[0]
        values = _list_values(gen.iter, interp, env)
        if values is None:
            return None
        out: list[V | None] = []
        for value in values:
            local: dict[str, V] = ChainMap({}, env)  # type: ignore[assignment]
            if not _bind(gen.target, value, local):
                return None
            out.append(interp.eval(node.elt, local, 1))
        return out
    return None


def _list_weights(tree: ast.Module, interp: _Interp) -> dict[str, tuple[list[V | None], ast.AST]]:  # noqa: ANN001
    """Weight and bias lists: name (self.weights -> 'weights') -> (its items, the statement that made it)."""
    lists: dict[str, tuple[list[V | None], ast.AST]] = {}
    module: dict[str, V] = getattr(interp, "module_env", {})
    first_args = getattr(interp, "first_args", {})
    owner: dict[int, str] = {}
    for cls in _nodes(tree):
        if isinstance(cls, ast.ClassDef):
            for fn in cls.body:
                if isinstance(fn, ast.FunctionDef):
                    owner[id(fn)] = cls.name
    bodies: list[tuple[list[ast.stmt], dict[str, V]]] = [(tree.body, {})]
    for fn in _nodes(tree):
        if isinstance(fn, ast.FunctionDef):
            fenv = dict(first_args.get(id(fn), {}))
            if id(fn) in owner:
                fenv["self"] = V("obj", const=owner[id(fn)])
            bodies.append((fn.body, fenv))

    def key_of(t: ast.AST) -> str | None:
        name = t.attr if isinstance(t, ast.Attribute) else (t.id if isinstance(t, ast.Name) else None)
        if not name or not _PARAM_NAME.match(name) or _GRAD_NAME.search(name):
            return None
        return _dotted(t)

    def walk(body: list[ast.stmt], env: dict[str, V], reps: int, seen: dict[str, tuple[list, ast.AST]], depth: int) -> None:
        for st in body:
            if isinstance(st, ast.Assign) and len(st.targets) == 1:
                key = key_of(st.targets[0])
                if key is None:
                    continue
                items = _list_items(st.value, interp, ChainMap({}, env, module))
                if items is not None and depth == 0:
                    seen[key] = (items, st)
                elif key in seen:
                    seen.pop(key)       # rebuilt some other way
            elif isinstance(st, ast.Expr) and isinstance(st.value, ast.Call) and isinstance(st.value.func, ast.Attribute) \
                    and st.value.func.attr == "append" and len(st.value.args) == 1:
                key = _dotted(st.value.func.value)
                if key in seen:
                    item = interp.eval(st.value.args[0], ChainMap({}, env, module), 1)
                    seen[key][0].extend([item] * reps)
            elif isinstance(st, ast.For) and depth < 2:
                values = _list_values(st.iter, interp, ChainMap({}, env, module))
                if values is None:
                    continue
                for value in values:
                    local: dict[str, V] = ChainMap({}, env)  # type: ignore[assignment]
                    if not _bind(st.target, value, local):
                        break
                    walk(st.body, local, reps, seen, depth + 1)

    for body, fenv in bodies:
        seen: dict[str, tuple[list, ast.AST]] = {}
        walk(body, fenv, 1, seen, 0)
        for key, (items, st) in seen.items():
            if 0 < len(items) <= _LIST_MAX:
                lists.setdefault(key.split(".")[-1], (items, st))
    return lists


def _forward_loop(tree: ast.Module, wname: str) -> tuple[str | None, str | None, bool | None]:
    """The loop that applies a weight list: (hidden activation, output activation, weight on the left of its product)."""
    def mentions(node: ast.AST, names: set[str]) -> bool:
        return any((isinstance(n, ast.Name) and n.id in names) or (isinstance(n, ast.Attribute) and n.attr in names)
                   for n in ast.walk(node))

    funcs = {fn.name: fn for fn in _nodes(tree) if isinstance(fn, ast.FunctionDef)}

    def products(node: ast.AST) -> list[tuple[ast.AST, ast.AST]]:
        out = []
        for n in ast.walk(node):
            if isinstance(n, ast.BinOp) and isinstance(n.op, ast.MatMult):
                out.append((n.left, n.right))
            elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in ("dot", "mm", "matmul"):
                if len(n.args) == 2:
                    out.append((n.args[0], n.args[1]))
                elif len(n.args) == 1:
                    out.append((n.func.value, n.args[0]))
        return out

    def is_last_test(test: ast.AST) -> bool | None:
        """True: `i == last` (the body is the output's); False: `i < len(w) - 1` / `i != last` (the body is hidden)."""
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            op = test.ops[0]
            if isinstance(op, ast.Eq):
                return True
            if isinstance(op, (ast.Lt, ast.NotEq)):
                return False
        return None

    def kind_of(e: ast.AST, znames: set[str]) -> str | None:
        if isinstance(e, ast.Name) and e.id in znames or products(e) and not isinstance(e, ast.Call):
            return "linear"
        if isinstance(e, ast.Call):
            k = _act_kind(_last(_dotted(e.func) or ""))
            if k is None and _dotted(e.func) in ("np.maximum", "numpy.maximum", "torch.clamp"):
                k = "relu"
            return k
        return None

    def indexed(node: ast.AST) -> bool:
        return any(isinstance(n, ast.Subscript) and mentions(n.value, {wname}) for n in ast.walk(node))

    loops = [n for n in _nodes(tree) if isinstance(n, ast.For)]
    # the loop over the list (zip(self.weights, self.biases), range(len(w))) first, then loops that index it
    loops = [n for n in loops if mentions(n.iter, {wname})] + [
        n for n in loops if not mentions(n.iter, {wname}) and any(indexed(a) or indexed(b) for st in n.body
                                                                  for a, b in products(st))]
    found: tuple[str | None, str | None, bool | None] | None = None
    for loop in loops:
        targets = {n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)} | {wname}
        body = ast.Module(body=loop.body, type_ignores=[])
        # a helper called with the weight (forward_step(out, w)): its return expression is the layer
        exprs: list[ast.AST] = [body]
        for n in ast.walk(body):
            fn = funcs.get(_dotted(n.func) or "") if isinstance(n, ast.Call) else None
            if fn is not None:
                params = [p.arg for p in fn.args.args]
                hit = {params[i] for i, a in enumerate(n.args) if i < len(params) and mentions(a, targets)}
                if hit:
                    targets = targets | hit
                    exprs += [r.value for r in ast.walk(fn) if isinstance(r, ast.Return) and r.value is not None]
        left: bool | None = None
        znames: set[str] = set()
        acts: list[tuple[str | None, str | None]] = []
        for ex in exprs:
            for a, b in products(ex):
                if mentions(a, targets):
                    left = True if left is None else left
                elif mentions(b, targets):
                    left = False if left is None else left
            for n in ast.walk(ex):
                if isinstance(n, ast.Assign) and products(n.value) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name) \
                        and not isinstance(n.value, ast.Call):
                    znames.add(n.targets[0].id)
            branches: set[int] = set()
            for n in ast.walk(ex):
                if isinstance(n, ast.IfExp):
                    branches |= {id(n.body), id(n.orelse)}
                    last = is_last_test(n.test)
                    a, b = kind_of(n.body, znames), kind_of(n.orelse, znames)
                    if last is not None and a and b:
                        acts.append((b, a) if last else (a, b))
                elif id(n) in branches:
                    continue
                elif isinstance(n, ast.Call) and n.args and (products(n.args[0]) or mentions(n.args[0], znames)):
                    k = kind_of(n, znames)
                    if k and k != "linear":
                        acts.append((k, k))
        if left is None:
            continue
        pairs = set(acts)
        if len(pairs) == 1:
            hidden, out = next(iter(pairs))
            return hidden, out, left
        if found is None:
            found = (None, None, left)
    return found or (None, None, None)


def _ones_column(tree: ast.Module) -> bool:
    """Could the script fold the bias into a column (or row) of ones?"""
    for n in _nodes(tree):
        if isinstance(n, ast.Call):
            last = _last(_dotted(n.func) or "")
            if last in ("ones", "ones_like", "hstack", "vstack", "column_stack", "row_stack", "concatenate", "insert",
                        "append", "c_", "r_", "cat", "pad") and not (last == "append" and isinstance(n.func, ast.Attribute)
                                                                     and _dotted(n.func.value) not in ("np", "numpy")):
                return True
        elif isinstance(n, ast.Subscript) and _last(_dotted(n.value) or "") in ("c_", "r_"):
            return True
    return False


def _numpy_list_layers(tree: ast.Module, interp: _Interp, run: TrainingRun) -> bool:
    """Layers of a network whose weights are list items, applied one by one in a loop (False: none read)."""
    lists = _list_weights(tree, interp)
    wname = next((k for k in lists if not re.match(r"(?i)^(b|bias)", k) and not re.search(r"(?i)_?bias(es)?$", k)), None)
    if wname is None:
        return False
    items, node = lists[wname]
    weights = [v for v in items if v is not None]
    index = [k for k, v in enumerate(items) if v is not None]     # [None] + [...]: names keep the list's index
    if not weights or len(weights) > _LIST_MAX or not all(
            v.shape is not None and v.known and len(v.shape) == 2 and all(isinstance(d, int) for d in v.shape) for v in weights):
        return False
    hidden, out, left = _forward_loop(tree, wname)
    if left is None:
        return False        # no loop applies the list: not read as a network
    shapes = [v.shape for v in weights]
    if left:
        shapes = [(s[1], s[0]) for s in shapes]     # W @ a: each weight is (units, inputs)
    if not all(a[1] == b[0] for a, b in zip(shapes, shapes[1:])):
        return False
    bias_lists = [items_ for k, (items_, _) in lists.items() if k != wname and (
        re.match(r"(?i)^(b|bias)", k) or re.search(r"(?i)_?bias(es)?$", k))]
    if any(len([b for b in bl if b is not None]) >= len(weights) for bl in bias_lists):
        has_bias: bool | None = True
    elif not bias_lists and not _ones_column(tree):
        has_bias = False
    else:
        has_bias = None         # a bias folded into a column of ones cannot be told apart: no claim
    stds: dict[str, float] = {}
    for k, ((fan_in, fan_out), val) in enumerate(zip(shapes, weights)):
        name = f"{wname}[{index[k]}]"
        std = (val.hi - val.lo) / 6 if val.dist == "normal" else (val.hi - val.lo) / math.sqrt(12)
        act = (out if k == len(shapes) - 1 else hidden) or "unknown"
        run.layers.append(LayerInfo(name=name, kind="dense", units=fan_out, input_units=fan_in, activation=act,
                                    use_bias=has_bias, initializer="numpy", line=interp.line(node), span=interp.span(node),
                                    n_params=fan_in * fan_out + (fan_out if has_bias else 0)))
        stds[name] = std
    run.initial_weight_std = stds
    run.framework_guess = "numpy"
    return True
