"""Scaling where the data enter training, undone on the predictions (NF105 / NF106): a small Scaler
class added to the script, for Keras fit calls, torch loops over named arrays and TensorDatasets.
"""
from __future__ import annotations

import libcst as cst

from nnfit.doctor.findings import Finding
from nnfit.doctor.patch.core import Context, Edits, _base_name, _kw, dotted, wrap
from nnfit.doctor.patch.handwritten import is_hand_written, literal_value, manual_rate_literals


SCALER_CLASS = '''
class Scaler:
    """Added by nnfit doctor: standardise data (after log1p when log=True) with the statistics of
    the data it is built from; `unscale` maps the network's outputs back to the data's units."""

    def __init__(self, data, log=False):
        self.log = log
        data = self._array(data)
        values = self._log1p(data) if log else data
        self.shift = values.mean(0)
        spread = values.std(0)
        self.spread = spread + (spread == 0)

    @staticmethod
    def _array(a):
        # integer data (a long tensor, an int array) have no float mean: made floats first
        import numpy
        if hasattr(a, "is_floating_point"):
            return a if a.is_floating_point() else a.float()
        if hasattr(a, "mean") and getattr(getattr(a, "dtype", None), "kind", "f") not in "iub":
            return a
        return numpy.asarray(a, dtype="float64")

    @staticmethod
    def _log1p(a):
        import numpy
        return a.clamp(min=0).log1p() if hasattr(a, "log1p") else numpy.log1p(numpy.maximum(numpy.asarray(a, dtype="float64"), 0))

    def _stats(self, like):
        # a torch tensor's statistics meet a NumPy array as NumPy values (and the other way round)
        shift, spread = self.shift, self.spread
        if hasattr(shift, "detach") and not hasattr(like, "detach"):
            return shift.detach().cpu().numpy(), spread.detach().cpu().numpy()
        if hasattr(like, "detach") and not hasattr(shift, "detach"):
            import torch
            kind = dict(dtype=like.dtype, device=like.device)
            return torch.as_tensor(shift, **kind), torch.as_tensor(spread, **kind)
        return shift, spread

    def scale(self, data):
        data = self._array(data)
        values = self._log1p(data) if self.log else data
        shift, spread = self._stats(values)
        return (values - shift) / spread

    def unscale(self, outputs):
        import numpy
        shift, spread = self._stats(outputs)
        values = outputs * spread + shift
        if not self.log:
            return values
        return values.expm1() if hasattr(values, "expm1") else numpy.expm1(values)
'''


def _fix_scaling(ctx: Context, f: Finding, e: Edits) -> str | None:
    """NF105 (inputs) / NF106 (targets): scale where the data enter training, undo on predictions."""
    which = "x" if f.code == "NF105" else "y"
    log = f.evidence.get("transform") == "log"
    from nnfit.doctor.vocab import CLASSIFICATION_LOSSES, norm

    if which == "y" and norm(ctx.run.config.loss or "") in CLASSIFICATION_LOSSES:
        # class labels under a classification loss: a scaled label is no class (CrossEntropyLoss raises)
        return f"the loss ({ctx.run.config.loss}) takes class labels; they are not scaled"
    if ctx.framework == "keras" and ctx.fit_site() is None and ctx.step_loops():
        return _torch_scaling(ctx, which, log, e)       # a hand-written loop: scaled the same way
    if ctx.framework == "keras":
        fit = ctx.fit_site()
        if fit is None:
            return "the fit call was not found in the script"
        plain = [a for a in fit.node.args if a.keyword is None]
        pos = 0 if which == "x" else 1
        arg = (plain[pos] if len(plain) > pos else _kw(fit.node, which))
        if arg is None:
            return f"the fit call's {which} argument was not found"
        data = ctx.module.code_for_node(arg.value)
        e.header.append(SCALER_CLASS)
        e.before.setdefault(id(fit.statement), []).append(f"{which}_scaler = Scaler({data}, log={log})")
        if fit.function is not None:
            e.globals_in.setdefault(id(fit.function), set()).add(f"{which}_scaler")

        def scale_fit(c: cst.Call, pos: int = pos, which: str = which) -> cst.Call:
            args = list(c.args)
            idx = [i for i, a in enumerate(args) if a.keyword is None]
            if len(idx) > pos:
                i = idx[pos]
            else:
                i = next(i for i, a in enumerate(args) if a.keyword is not None and a.keyword.value == which)
            args[i] = args[i].with_changes(value=wrap(f"{which}_scaler.scale({{}})")(args[i].value))
            for k, a in enumerate(args):       # validation_data=(X_val, y_val): the same scale
                if a.keyword is not None and a.keyword.value == "validation_data" and isinstance(a.value, cst.Tuple) \
                        and len(a.value.elements) > pos:
                    elements = list(a.value.elements)
                    elements[pos] = elements[pos].with_changes(value=wrap(f"{which}_scaler.scale({{}})")(elements[pos].value))
                    args[k] = a.with_changes(value=a.value.with_changes(elements=elements))
            return c.with_changes(args=args)

        e.on_call(fit.node, scale_fit)
        # evaluate(X, y): both arguments on the training scale (its loss then reads as the fit's does)
        for ev in ctx.calls_named("evaluate"):
            plain_ev = [a for a in ev.node.args if a.keyword is None and not a.star]
            if len(plain_ev) > pos and ev.node is not fit.node:
                e.exprs.setdefault(id(plain_ev[pos].value), []).append(wrap(f"{which}_scaler.scale({{}})"))
        model = ctx.model_name()
        predictions = ctx.calls_named("predict") + ctx.calls_named("predict_on_batch") + \
            [c for c in ctx.index.calls if model and c.name == model and c.node.args]
        for p in predictions:
            if which == "x":
                def scale_predict(c: cst.Call) -> cst.Call:
                    args = list(c.args)
                    if args:
                        args[0] = args[0].with_changes(value=wrap("x_scaler.scale({})")(args[0].value))
                    return c.with_changes(args=args)
                e.on_call(p.node, scale_predict)
            else:
                e.around_call(p.node, wrap("y_scaler.unscale({})"))
            if p.function is not None:
                e.globals_in.setdefault(id(p.function), set())
        _scaling_changes(e, which, log)
        return None
    return _torch_scaling(ctx, which, log, e)


def _scaling_changes(e: Edits, which: str, log: bool) -> None:
    what = "inputs" if which == "x" else "targets"
    e.changes.append(f"{'log1p + standardise' if log else 'standardise'} the {what}"
                     + (" (predictions mapped back)" if which == "y" else ""))


def _torch_scaling(ctx: Context, which: str, log: bool, e: Edits) -> str | None:
    model = ctx.model_name()
    if model is None and (is_hand_written(ctx) or _raw_parameters(ctx)):
        # raw tensors, updated by hand or handed to an optimiser (`optim.SGD([W, b], lr=0.01)`)
        return _raw_scaling(ctx, which, log, e)
    if model is None:
        return "the model's variable was not found"
    steps = ctx.step_loops()
    if not steps:
        return "no training loop with an optimiser step"
    loop_ids = {id(l) for l, _, _ in steps}
    models = _model_names(ctx, model)
    names = next((n for n in (_torch_batch_names(ctx, m, loop_ids) for m in models) if n is not None), None)
    if names is None:
        return "the training batch (loss(model(X[i]), y[i])) was not found in the loop"
    var = names[0] if which == "x" else names[1]
    outer_loop, loop_line, _ = steps[0]
    # the function holding the training loop, if any: the data may be made there, or passed in
    holder = next((c.function for c in ctx.step_calls() if outer_loop in c.loops), None)
    params = {p.name.value for p in holder.params.params} if holder is not None else set()
    assigned = [a for a in ctx.index.assigns if a[0] == var and a[2] < loop_line and a[3] in (None, holder)]
    if not assigned and var not in params:
        # a batch the loop cuts from a whole array (`xb, yb = X[idx], y[idx]`, `for xb, yb in
        # zip(X.split(32), y.split(32))`): that array, made before the loop, is the one scaled
        source = _batch_source(var, outer_loop)
        if source is not None and (source in params or any(
                a[0] == source and a[2] < loop_line and a[3] in (None, holder) for a in ctx.index.assigns)):
            var = source
        else:
            return _dataset_scaling(ctx, which, log, e, holder, loop_ids)
    if holder is not None:       # predictions elsewhere in the script read the scaler too
        e.globals_in.setdefault(id(holder), set()).add(f"{which}_scaler")
    # once all the data are made (y may be computed from X), right before the training loop; the loop
    # trains on the scaled copy and everything else keeps the data's own units
    e.header.append(SCALER_CLASS)
    e.before.setdefault(id(outer_loop), []).append(f"{which}_scaler = Scaler({var}, log={log})\n"
                                                   f"{var}_scaled = {which}_scaler.scale({var})")
    e.renames.setdefault(id(outer_loop), {})[var] = f"{var}_scaled"
    # predictions: the model called outside the training loop
    for c in ctx.index.calls:
        # model calls after the loop in its own scope, or in another function (run later, as evaluation)
        if dotted(c.node.func) not in models or any(id(l) in loop_ids for l in c.loops) \
                or (c.line < loop_line and c.function is holder):
            continue
        if which == "x":
            def scale_in(call: cst.Call) -> cst.Call:
                args = list(call.args)
                args[0] = args[0].with_changes(value=wrap("x_scaler.scale({})")(args[0].value))
                return call.with_changes(args=args)
            e.on_call(c.node, scale_in)
        else:
            e.around_call(c.node, wrap("y_scaler.unscale({})"))
    _sgd_rate_for_scaled_data(ctx, e)
    _scaling_changes(e, which, log)
    return None


def _model_names(ctx: Context, model: str | None) -> list[str]:
    """The names the network is called by: the run's model variable first, then each plain name whose
    `.parameters()` the script reads (the parameter `model` of a `train(model, X, y)` the top level calls
    with `net`)."""
    out = [model] if model else []
    for c in ctx.index.calls:
        owner = c.name[: -len(".parameters")] if c.name.endswith(".parameters") else ""
        if owner and "." not in owner and owner not in ("self", "?") and owner not in out:
            out.append(owner)
    return out


def _sgd_rate_for_scaled_data(ctx: Context, e: Edits) -> None:
    """A torch SGD optimiser's rate RAW_RATE_FLOOR_FACTOR or more below plain SGD's usual one, on data
    the patch scales: the rate that barely moved the weights on (or was kept small for) the unscaled data
    is set to the usual one, as for hand-written updates (_raw_scaling). Adaptive optimisers are left:
    their steps have the rate's size whatever the data's scale."""
    from nnfit.doctor.vocab import good_learning_rate, norm

    opt = ctx.run.config.optimizer
    rate = getattr(opt, "learning_rate", None) if opt is not None else None
    if opt is None or norm(opt.name or "") != "sgd" or not rate or ctx.optimizer_site() is None:
        return
    usual = good_learning_rate("sgd")
    if rate * RAW_RATE_FLOOR_FACTOR <= usual and not (e.owns_rate and e.lr is not None):
        e.lr, e.owns_rate = usual, True
        e.changes.append(f"the SGD rate {rate:g} set to plain SGD's usual {usual:g} for the scaled data")


def _array_base(node: cst.BaseExpression) -> str | None:
    """The array an expression reads rows of: `X` in `X[idx]`, `X[i:i + 32].to(device)`, `X.split(32)`,
    `X.float()`; None for anything else (arithmetic, another function's result)."""
    while True:
        if isinstance(node, cst.Subscript):
            node = node.value
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            node = node.func.value
        else:
            break
    return node.value if isinstance(node, cst.Name) else None


def _paired(target: cst.BaseExpression, value: cst.BaseExpression, name: str) -> cst.BaseExpression | None:
    """The part of `value` that `name` is bound to in `target = value` (tuples paired element by element)."""
    if isinstance(target, cst.Name):
        return value if target.value == name else None
    if isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, (cst.Tuple, cst.List)) \
            and len(target.elements) == len(value.elements):
        for t, v in zip(target.elements, value.elements):
            found = _paired(t.value, v.value, name)
            if found is not None:
                return found
    return None


def _batch_source(name: str, outer: cst.For) -> str | None:
    """The whole array a training loop cuts the batch `name` from: an assignment in the loop
    (`xb, yb = X[idx], y[idx]`, `xb = X[i:i + bs]`) or the target of an inner loop over zipped slices
    (`for xb, yb in zip(X.split(32), y.split(32))`); None when the batch comes from elsewhere."""
    class Find(cst.CSTVisitor):
        found: str | None = None

        def visit_Assign(self, node: cst.Assign) -> None:
            for t in node.targets:
                part = _paired(t.target, node.value, name)
                if part is not None and self.found is None:
                    self.found = _array_base(part)

        def visit_For(self, node: cst.For) -> None:
            it = node.iter
            if isinstance(it, cst.Call) and dotted(it.func) == "enumerate" and it.args \
                    and isinstance(node.target, cst.Tuple) and len(node.target.elements) == 2:
                it, target = it.args[0].value, node.target.elements[1].value
            else:
                target = node.target
            if isinstance(it, cst.Call) and dotted(it.func) == "zip" and self.found is None:
                zipped = cst.Tuple([cst.Element(a.value) for a in it.args if a.keyword is None and not a.star])
                part = _paired(target, zipped, name)
                if part is not None:
                    self.found = _array_base(part)

    finder = Find()
    outer.body.visit(finder)
    return finder.found


def _torch_batch_names(ctx: Context, model: str, loop_ids: set[int]) -> tuple[str, str] | None:
    """(inputs, targets): the names of the arrays the training loop feeds the model and the loss."""
    # the training call: loss_fn(model(X[idx]), y[idx]) inside the loop
    names = None
    for c in ctx.index.calls:
        if not any(id(l) in loop_ids for l in c.loops) or len(c.node.args) < 2:
            continue
        first, second = c.node.args[0].value, c.node.args[1].value
        if isinstance(first, cst.Call) and dotted(first.func) == model and first.args:
            xs, ys = _base_name(first.args[0].value), _base_name(second)
            if xs and ys:
                names = (xs, ys)
                break
    if names is None:
        # out = model(X[i]) on one line, loss = criterion(out, y[i]) on another
        outputs: dict[str, str] = {}
        for c in ctx.index.calls:
            if any(id(l) in loop_ids for l in c.loops) and dotted(c.node.func) == model and c.node.args:
                stmt = c.statement
                small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and stmt.body else None
                if isinstance(small, cst.Assign) and small.value is c.node and len(small.targets) == 1 \
                        and isinstance(small.targets[0].target, cst.Name):
                    xs = _base_name(c.node.args[0].value)
                    if xs:
                        outputs[small.targets[0].target.value] = xs
        for c in ctx.index.calls:
            if not any(id(l) in loop_ids for l in c.loops) or len(c.node.args) < 2:
                continue
            first, second = c.node.args[0].value, c.node.args[1].value
            if isinstance(first, cst.Name) and first.value in outputs and _base_name(second):
                names = (outputs[first.value], _base_name(second))
                break
    if names is None:
        # a loss written out: `((model(X) - y) ** 2).mean()`, `(out - y).abs().mean()`
        names = _subtracted_batch(ctx, model, loop_ids, outputs)
    return names


def _subtracted_batch(ctx: Context, model: str, loop_ids: set[int], outputs: dict[str, str]) -> tuple[str, str] | None:
    """(inputs, targets) of a difference of the model's output and the targets inside the training loop."""
    def inputs_of(node: cst.BaseExpression) -> str | None:
        if isinstance(node, cst.Call) and dotted(node.func) == model and node.args:
            return _base_name(node.args[0].value)
        if isinstance(node, cst.Name):
            return outputs.get(node.value)
        return None

    found: list[tuple[str, str]] = []

    class Find(cst.CSTVisitor):
        def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
            if not isinstance(node.operator, cst.Subtract) or found:
                return
            for pred, other in ((node.left, node.right), (node.right, node.left)):
                xs = inputs_of(pred)
                ys = _base_name(other) if inputs_of(other) is None else None
                if xs and ys:
                    found.append((xs, ys))
                    return

    for loop, _, _ in ctx.index.fors:
        if id(loop) in loop_ids and not found:
            loop.body.visit(Find())
    return found[0] if found else None


def _dataset_scaling(ctx: Context, which: str, log: bool, e: Edits, holder: cst.FunctionDef | None,
                     loop_ids: set[int]) -> str | None:
    """Batches from a DataLoader: the tensors scaled where TensorDataset(X, y) wraps them."""
    sets = [c for c in ctx.calls_named("TensorDataset") if len([a for a in c.node.args if a.keyword is None]) >= 2]
    if not sets:
        return "the training batch comes from neither a named array nor a TensorDataset"
    site = sets[0]
    arg = [a for a in site.node.args if a.keyword is None][0 if which == "x" else 1]
    e.header.append(SCALER_CLASS)
    e.before.setdefault(id(site.statement), []).append(f"{which}_scaler = Scaler({ctx.module.code_for_node(arg.value)}, log={log})")
    if site.function is not None:
        e.globals_in.setdefault(id(site.function), set()).add(f"{which}_scaler")
    e.exprs.setdefault(id(arg.value), []).append(wrap(f"{which}_scaler.scale({{}})"))
    models = _model_names(ctx, ctx.model_name())
    for c in ctx.index.calls:
        if dotted(c.node.func) not in models or any(id(l) in loop_ids for l in c.loops) or c.line < site.line \
                or not c.node.args:
            continue
        if which == "x":
            e.exprs.setdefault(id(c.node.args[0].value), []).append(wrap("x_scaler.scale({})"))
        else:
            e.around_call(c.node, wrap("y_scaler.unscale({})"))
    _sgd_rate_for_scaled_data(ctx, e)
    _scaling_changes(e, which, log)
    return None


# -- raw tensors updated by hand (`a * x + b`, `w -= lr * w.grad`): no model object to call ----------
def _names_read(node: cst.CSTNode) -> set[str]:
    """The variable names an expression reads (never the attribute names after a dot)."""
    out: set[str] = set()

    class Read(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            out.add(n.value)

        def visit_Attribute(self, n: cst.Attribute) -> bool:
            n.value.visit(self)
            return False

        def visit_Arg(self, n: cst.Arg) -> bool:
            n.value.visit(self)      # not the keyword's name
            return False

    node.visit(Read())
    return out


def _raw_parameters(ctx: Context) -> set[str]:
    """Names bound to tensors that autograd tracks: `torch.randn(..., requires_grad=True)`, `.requires_grad_()`."""
    out = set()
    for name, stmt, _, _ in ctx.index.assigns:
        code = ctx.module.code_for_node(stmt)
        if "requires_grad=True" in code.replace(" ", "") or ".requires_grad_(" in code:
            out.add(name)
    return out


# A hand-written SGD rate this far below plain SGD's usual one (1e-2) was chosen to keep unscaled data
# stable; on the scaled data it would barely move the weights: the patch that scales them sets the usual
# rate (fastai-18783, tuning half: lr 1e-6 for inputs spread over -500..500). The same for a torch SGD
# optimiser's rate (_sgd_rate_for_scaled_data; gh-microsoft-CNTK-699, tuning half: lr 1e-4 on targets of
# 10..40). One decade: the usual rate's own margin (a rate ten times lower is another setting, not noise).
RAW_RATE_FLOOR_FACTOR = 10.0


def _raw_scaling(ctx: Context, which: str, log: bool, e: Edits) -> str | None:
    """NF105 / NF106 on raw tensors: the training loop reads scaled copies of its data (as for a
    model), and after the loop the predictions (expressions of the parameters and other data) read
    scaled inputs / are mapped back."""
    from nnfit.doctor.vocab import good_learning_rate

    steps = ctx.step_loops()
    params = _raw_parameters(ctx)
    if not steps or not params:
        return "no training loop over tensors that autograd tracks"
    outer, loop_line, _ = steps[0]
    holder = next((c.function for c in ctx.step_calls() if outer in c.loops), None)
    before = {a[0] for a in ctx.index.assigns if a[2] < loop_line and a[3] in (None, holder)}
    if holder is not None:
        before |= {p.name.value for p in holder.params.params}
    inside: dict[str, cst.BaseExpression] = {}        # names the loop body binds -> their value
    for name, stmt, line, _ in ctx.index.assigns:
        small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and stmt.body else None
        if isinstance(small, cst.Assign) and any(id(l) == id(outer) for l in _loops_of(ctx, stmt)):
            inside[name] = small.value
    numbers = {n for n in before if _is_number(ctx, n)}
    data = before - params - numbers - _module_names(ctx)

    def reads(node: cst.CSTNode, seen: frozenset = frozenset()) -> set[str]:
        out = set()
        for n in _names_read(node):
            if n in inside and n not in seen:
                out |= reads(inside[n], seen | {n})
            out.add(n)
        return out

    found: tuple[set[str], set[str]] | None = None

    class Losses(cst.CSTVisitor):
        def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
            nonlocal found
            if found is None and isinstance(node.operator, cst.Subtract):
                left, right = reads(node.left), reads(node.right)
                if left & params and not right & params and right & data:
                    found = (left & data, right & data)
                elif right & params and not left & params and left & data:
                    found = (right & data, left & data)

        def visit_Call(self, node: cst.Call) -> None:
            nonlocal found
            plain = [a.value for a in node.args if a.keyword is None and not a.star]
            if found is None and len(plain) == 2:
                first, second = reads(plain[0]), reads(plain[1])
                if first & params and not second & params and second & data:
                    found = (first & data, second & data)

    outer.body.visit(Losses())
    if found is None or not found[0] or not found[1]:
        return "the loss's prediction and targets were not found in the loop"
    names = found[0] if which == "x" else found[1]
    if len(names) != 1:
        return f"the {'inputs' if which == 'x' else 'targets'} are not one array ({', '.join(sorted(names))})"
    var = next(iter(names))
    e.header.append(SCALER_CLASS)
    e.before.setdefault(id(outer), []).append(f"{which}_scaler = Scaler({var}, log={log})\n"
                                              f"{var}_scaled = {which}_scaler.scale({var})")
    e.renames.setdefault(id(outer), {})[var] = f"{var}_scaled"
    if holder is not None:
        e.globals_in.setdefault(id(holder), set()).add(f"{which}_scaler")
    # after the loop: an assignment computed from the parameters and other data is a prediction
    for name, stmt, line, function in ctx.index.assigns:
        small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and stmt.body else None
        if not isinstance(small, cst.Assign) or line <= loop_line or any(id(l) == id(outer) for l in _loops_of(ctx, stmt)):
            continue
        read = _names_read(small.value)
        inputs = read & (data - {var} if which == "x" else data) - found[1]
        if not read & params or not inputs:
            continue
        if which == "x":
            _wrap_names(small.value, inputs, "x_scaler.scale({})", e)
        else:
            e.exprs.setdefault(id(small.value), []).append(wrap("y_scaler.unscale({})"))
    literals = manual_rate_literals(ctx)
    usual = good_learning_rate("sgd")
    rate = literal_value(literals[0]) if literals else None
    if rate is not None and rate * RAW_RATE_FLOOR_FACTOR <= usual:
        e.lr, e.owns_rate = usual, True
        e.changes.append(f"the hand-written rate {rate:g} (kept small for the unscaled data) set to plain SGD's usual {usual:g}")
    _scaling_changes(e, which, log)
    return None


def _loops_of(ctx: Context, stmt: cst.CSTNode) -> tuple:
    for c in ctx.index.calls:
        if c.statement is stmt:
            return c.loops
    # a statement without calls: its position against the loops' spans
    line = next((a[2] for a in ctx.index.assigns if a[1] is stmt), None)
    if line is None:
        return ()
    from libcst.metadata import PositionProvider

    out = []
    for loop, start, _ in ctx.index.fors:
        end = ctx.wrapper.resolve(PositionProvider)[loop].end.line
        if start <= line <= end:
            out.append(loop)
    return tuple(out)


def _is_number(ctx: Context, name: str) -> bool:
    """Is every binding of `name` a number literal (or a tuple of them)? False for a name never bound
    by an assignment (a function's parameter)."""
    seen = False
    for n, stmt, _, _ in ctx.index.assigns:
        if n != name:
            continue
        seen = True
        small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and stmt.body else None
        value = small.value if isinstance(small, cst.Assign) else None
        if isinstance(value, (cst.Tuple, cst.List)):
            return False if not all(isinstance(el.value, (cst.Integer, cst.Float)) for el in value.elements) else True
        if not isinstance(value, (cst.Integer, cst.Float, cst.UnaryOperation)):
            return False
    return seen


def _module_names(ctx: Context) -> set[str]:
    out = set()
    for node, _ in ctx.index.imports:
        for small in node.body:
            if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    out.add(alias.asname.name.value if alias.asname else dotted(alias.name).split(".")[0])
    return out


def _wrap_names(node: cst.CSTNode, names: set[str], template: str, e: Edits) -> None:
    """Each read of one of `names` in `node` wrapped as `template` (never an attribute after a dot)."""
    class Find(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            if n.value in names:
                e.exprs.setdefault(id(n), []).append(wrap(template))

        def visit_Attribute(self, n: cst.Attribute) -> bool:
            n.value.visit(self)
            return False

        def visit_Arg(self, n: cst.Arg) -> bool:
            n.value.visit(self)
            return False

        def visit_Subscript(self, n: cst.Subscript) -> bool:
            # `x_all[test]`: the array is data, the index (`test`, `idx`, `:80`) is not
            n.value.visit(self)
            return False

    node.visit(Find())
