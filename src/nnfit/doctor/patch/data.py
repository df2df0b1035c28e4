"""Fixes of the data as the script feeds them: row order (NF127 / NF129), integer dtypes (NF128) and
class weights (NF131).
"""
from __future__ import annotations

import re

from typing import Any

import libcst as cst

from nnfit.doctor.findings import Finding
from nnfit.doctor.patch.core import CallSite, Context, Edits, _base_name, _kw, _numpy_name, _suffix, dotted, set_kwarg, wrap
from nnfit.doctor.patch.scaling import _torch_batch_names
from nnfit.doctor.vocab import canonical_loss


# -- data, shape and loss fixes (NF112 torch, NF119, NF124 torch, NF125-NF131) -----------------------
BALANCED_WEIGHTS = '''
def balanced_class_weight(labels):
    """Added by nnfit doctor: Keras class_weight giving every class the same total weight
    (one-hot rows, 0/1 columns or integer labels)."""
    import numpy
    labels = numpy.asarray(labels)
    ids = labels.argmax(1) if labels.ndim == 2 and labels.shape[1] > 1 else labels.reshape(-1).round().astype(int)
    classes, counts = numpy.unique(ids, return_counts=True)
    return {int(c): len(ids) / (len(classes) * int(n)) for c, n in zip(classes, counts)}
'''


def _fit_data_args(ctx: Context) -> tuple[CallSite, cst.Arg | None, cst.Arg | None] | None:
    fit = ctx.fit_site()
    if fit is None:
        return None
    plain = [a for a in fit.node.args if a.keyword is None and not a.star]
    x = plain[0] if plain else _kw(fit.node, "x")
    y = plain[1] if len(plain) > 1 else _kw(fit.node, "y")
    return fit, x, y


def _fix_validation_order(ctx: Context, f: Finding, e: Edits) -> str | None:
    """NF127: the rows shuffled (a fixed permutation) right before fit, so validation_split takes a random tail."""
    found = _fit_data_args(ctx) if ctx.framework == "keras" else None
    if found is None or found[1] is None or found[2] is None:
        return "the fit call's x and y were not found in the script"
    fit, x, y = found
    if isinstance(x.value, cst.Dict):
        return "inputs given as a dict: no automatic patch"
    # several inputs (`fit([X_a, X_b], y)`): every input permuted by the same order; so are several targets
    sides = [el.value for arg in (x, y) for el in
             (arg.value.elements if isinstance(arg.value, (cst.List, cst.Tuple)) else [cst.Element(arg.value)])]
    if any(isinstance(v, (cst.List, cst.Tuple, cst.Dict)) or isinstance(v, cst.StarredElement) for v in sides):
        return "nested inputs: no automatic patch"
    np_name = _numpy_name(ctx, e)
    e.before.setdefault(id(fit.statement), []).append(
        f"nnfit_order = {np_name}.random.default_rng(0).permutation(len({ctx.module.code_for_node(sides[0])}))")
    for value in sides:
        e.exprs.setdefault(id(value), []).append(_suffix(value, "{}[nnfit_order]"))
    e.changes.append("rows shuffled before fit (validation_split then takes a random fifth)")
    return None


def _fix_unshuffled(ctx: Context, f: Finding, e: Edits) -> str | None:
    """NF129: batches drawn in a new order: fit(shuffle=True), DataLoader(shuffle=True), or a torch loop
    over the row indices walked in a permuted order."""
    if ctx.framework == "keras":
        fit = ctx.fit_site()
        if fit is None:
            return "the fit call was not found in the script"
        if _kw(fit.node, "shuffle") is None:
            return "fit already shuffles (the order comes from the data pipeline); no automatic patch"
        e.on_call(fit.node, lambda c: set_kwarg(c, "shuffle", "True"))
        e.changes.append("fit(shuffle=True)")
        return None
    loaders = ctx.calls_named("DataLoader")
    if loaders:
        torch_name = "torch"
        if not any("import torch" in ctx.module.code_for_node(n) and "from" not in ctx.module.code_for_node(n)
                   for n, _ in ctx.index.imports):
            e.imports.append("import torch")
        for site in loaders:
            # a generator of its own: the global torch RNG (which may draw the held-out rows later) is untouched
            e.on_call(site.node, lambda c: set_kwarg(set_kwarg(c, "shuffle", "True"), "generator",
                                                     f"{torch_name}.Generator().manual_seed(0)"))
        e.changes.append("DataLoader(shuffle=True)")
        return None
    steps = ctx.step_loops()
    if not steps:
        return "no training loop with an optimiser step"
    outer = steps[0][0]
    for loop, _, _ in steps:
        it = loop.iter
        # an inner loop over row indices or batch starts: walked in a new random order every epoch
        if isinstance(it, cst.Call) and dotted(it.func) == "range" and loop is not outer:
            np_name = _numpy_name(ctx, e)
            e.before.setdefault(id(outer), []).append(f"nnfit_rng = {np_name}.random.default_rng(0)")
            e.exprs.setdefault(id(it), []).append(wrap("nnfit_rng.permutation({})"))
            e.changes.append("the rows visited in a new random order every epoch")
            return None
    for loop, _, _ in steps:
        arrays = _split_arrays(loop.iter) if loop is not outer else []
        if len(arrays) >= 2:
            # batches cut from the arrays in their stored order (`zip(X.split(32), y.split(32))`,
            # `zip(torch.split(X, 32), ...)`, `batches(X, y, 32)`): the batching reads the arrays in one
            # new permutation each epoch (`X[nnfit_order].split(32)`), from a generator of the patch's
            # own; the script's names keep their rows for everything else it does with them
            np_name = _numpy_name(ctx, e)
            e.before.setdefault(id(outer), []).append(f"nnfit_rng = {np_name}.random.default_rng(0)")
            e.before.setdefault(id(loop), []).append(f"nnfit_order = nnfit_rng.permutation(len({arrays[0].value}))")
            for node in arrays:
                e.exprs.setdefault(id(node), []).append(_suffix(node, "{}[nnfit_order]"))
            e.changes.append(f"{', '.join(n.value for n in arrays)} batched in a new random order every epoch")
            return None
    return "the loop's batching was not recognised; no automatic patch"


SPLITTERS = ("split", "chunk", "array_split", "tensor_split")


def _split_arrays(it: cst.BaseExpression) -> list[cst.Name]:
    """The arrays a batch loop's iterable cuts in order: `zip(X.split(b), y.split(b))`,
    `zip(torch.split(X, b), torch.chunk(y, k))`, `zip(np.array_split(X, k), ...)`, or a helper called
    with them first (`batches(X, y, 32)`: its first two plain names)."""
    if not isinstance(it, cst.Call):
        return []
    if dotted(it.func) == "zip":
        out = []
        for a in it.args:
            v = a.value
            if not isinstance(v, cst.Call) or not isinstance(v.func, (cst.Attribute, cst.Name)):
                return []
            tail = dotted(v.func).split(".")[-1]
            if tail not in SPLITTERS:
                return []
            if isinstance(v.func, cst.Attribute) and isinstance(v.func.value, cst.Name) and \
                    dotted(v.func.value) not in ("torch", "np", "numpy"):
                out.append(v.func.value)                # X.split(b)
            elif v.args and isinstance(v.args[0].value, cst.Name):
                out.append(v.args[0].value)             # torch.split(X, b)
            else:
                return []
        return out if len({n.value for n in out}) == len(out) else []
    if isinstance(it.func, cst.Name) and it.func.value not in ("range", "enumerate", "iter", "list", "zip"):
        names = []
        for a in it.args:
            if a.keyword is not None or not isinstance(a.value, cst.Name):
                break
            names.append(a.value)
        return names[:2] if len(names) >= 2 else []
    return []


AS_FLOAT = '''
def as_float(data):
    """Added by nnfit doctor: the data as float32, the same kind of array (a torch tensor stays one)."""
    if hasattr(data, "is_floating_point"):
        return data if data.is_floating_point() else data.float()
    import numpy
    return numpy.asarray(data, dtype="float32")
'''


def _integer_sides(ctx: Context, f: Finding) -> tuple[bool, bool]:
    """(the inputs are integer-typed, the regression targets are): from the finding's evidence, else
    (NF128 read from the crash the integers caused, `mat1 and mat2 must have the same dtype`) from the
    data the run recorded: a dtype it saw, or columns of whole numbers only (the cast of data that are
    floats already changes nothing)."""
    data = ctx.run.data
    regression = (f.evidence.get("task") or ctx.run.task) == "regression"
    if f.evidence.get("input_dtype") or f.evidence.get("target_dtype") or data is None:
        return ("int" in str(f.evidence.get("input_dtype") or ""),
                "int" in str(f.evidence.get("target_dtype") or "") and regression)

    def integer(dtype: Any, columns: Any) -> bool:
        if dtype is not None:
            return "int" in str(dtype)
        return bool(columns) and all(getattr(c, "is_integer", False) for c in columns)

    return integer(data.input_dtype, data.inputs), regression and integer(data.target_dtype, data.targets)


def _fix_torch_integer(ctx: Context, f: Finding, e: Edits) -> str | None:
    """NF128 (torch): the integer arrays the training loop reads made float32 right before the loop
    (the same names, so every later use reads floats), or where TensorDataset(X, y) wraps them; the
    model's inputs outside the loop cast too."""
    model = ctx.model_name()
    steps = ctx.step_loops()
    if model is None or not steps:
        return "the model's variable or the training loop was not found"
    loop_ids = {id(l) for l, _, _ in steps}
    inputs, targets = _integer_sides(ctx, f)
    if not inputs and not targets:
        return "the integer data are neither the inputs nor regression targets"
    outer_loop, loop_line, _ = steps[0]
    names = _torch_batch_names(ctx, model, loop_ids)
    done = []
    if names is not None:
        holder = next((c.function for c in ctx.step_calls() if outer_loop in c.loops), None)
        params = {p.name.value for p in holder.params.params} if holder is not None else set()
        for var, wanted in zip(names, (inputs, targets)):
            made = [a for a in ctx.index.assigns if a[0] == var and a[2] < loop_line and a[3] in (None, holder)]
            if not wanted or not (made or var in params):
                continue
            done.append("inputs" if var == names[0] else "targets")
            if made and _float_where_made(made[-1][1], e):
                continue        # `.long()` / `.int()` where it is made becomes `.float()`: nothing truncated
            e.casts.setdefault(id(outer_loop), []).append(f"{var} = as_float({var})")
        after = loop_line
    else:
        sets = [c for c in ctx.calls_named("TensorDataset") if len([a for a in c.node.args if a.keyword is None]) >= 2]
        if not sets:
            return "the training batch comes from neither a named array nor a TensorDataset"
        plain = [a for a in sets[0].node.args if a.keyword is None]
        for arg, wanted, what in ((plain[0], inputs, "inputs"), (plain[1], targets, "targets")):
            if wanted:
                e.exprs.setdefault(id(arg.value), []).append(wrap("as_float({})"))
                done.append(what)
        after = sets[0].line
    if not done:
        return "the integer arrays are not made before the training loop"
    if "inputs" in done:
        for c in ctx.index.calls:
            if dotted(c.node.func) == model and c.node.args and not any(id(l) in loop_ids for l in c.loops) \
                    and c.line > after:
                e.exprs.setdefault(id(c.node.args[0].value), []).append(wrap("as_float({})"))
    if e.casts or e.exprs:
        e.header.append(AS_FLOAT)
    e.changes.append(f"{' and '.join(done)} cast to float32 before training")
    return None


INTEGER_CASTS = ("long", "int", "short", "byte")


def _float_where_made(stmt: cst.CSTNode, e: Edits) -> bool:
    """`y = (2.5 * x).long()`: the integer cast that ends the assignment edited to `.float()`."""
    small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and stmt.body else None
    value = small.value if isinstance(small, cst.Assign) else None
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and not value.args \
            and value.func.attr.value in INTEGER_CASTS:
        e.on_call(value, lambda c: c.with_changes(func=c.func.with_changes(attr=cst.Name("float"))))
        return True
    return False


def _fix_integer_data(ctx: Context, f: Finding, e: Edits) -> str | None:
    """NF128: integer inputs / targets cast to float32 where they enter training and prediction."""
    if ctx.framework != "keras":
        return _fix_torch_integer(ctx, f, e)
    found = _fit_data_args(ctx)
    if found is None:
        return "the fit call was not found in the script"
    fit, x, y = found
    np_name = _numpy_name(ctx, e)
    cast = f"{np_name}.asarray({{}}, dtype='float32')"
    done = []
    int_inputs, int_targets = _integer_sides(ctx, f)
    if int_inputs and x is not None:
        e.exprs.setdefault(id(x.value), []).append(wrap(cast))
        for p in ctx.calls_named("predict"):
            plain = [a for a in p.node.args if a.keyword is None]
            if plain:
                e.exprs.setdefault(id(plain[0].value), []).append(wrap(cast))
        done.append("inputs")
    if int_targets and y is not None:
        e.exprs.setdefault(id(y.value), []).append(wrap(cast))
        done.append("targets")
    if not done:
        return "the integer data are not the fit call's x or regression y"
    e.changes.append(f"{' and '.join(done)} cast to float32")
    return None


def _fix_torch_imbalance(ctx: Context, f: Finding, e: Edits) -> str | None:
    """NF131 (torch): the loss weights every class to the same total weight (CrossEntropyLoss(weight=),
    BCEWithLogitsLoss(pos_weight=)), from the class shares the run counted."""
    shares = f.evidence.get("class_shares") or {}
    try:
        by_label = {int(round(float(k))): float(v) for k, v in shares.items()}
    except (TypeError, ValueError):
        return "the class labels are not integers"
    if len(by_label) < 2 or sorted(by_label) != list(range(len(by_label))) or min(by_label.values()) <= 0:
        return "the class shares do not name classes 0..k-1"
    losses = [c for c in ctx.index.calls if c.name.split(".")[-1] in ("CrossEntropyLoss", "BCEWithLogitsLoss",
                                                                       "cross_entropy", "binary_cross_entropy_with_logits")]
    if not losses:
        return _balanced_bce(ctx, by_label, e)
    site = losses[0]
    tail = site.name.split(".")[-1]
    k = len(by_label)
    if tail in ("BCEWithLogitsLoss", "binary_cross_entropy_with_logits"):
        if k != 2:
            return "binary cross-entropy over more than two classes"
        code, kw = f"torch.tensor({by_label[0] / by_label[1]:.4g})", "pos_weight"
    else:
        code, kw = "torch.tensor([" + ", ".join(f"{1.0 / (k * by_label[c]):.4g}" for c in range(k)) + "])", "weight"
    e.on_call(site.node, lambda c: set_kwarg(c, kw, code))
    dropped = _drop_label_weights(ctx, site, e)
    if not any("import torch" in ctx.module.code_for_node(n) and "from" not in ctx.module.code_for_node(n)
               for n, _ in ctx.index.imports):
        e.imports.append("import torch")
    e.changes.append(f"{kw}= in the loss: every class the same total weight"
                     + (f" (the script's own per-class factor {', '.join(dropped)} taken out of the loss)" if dropped else ""))
    return None


def _drop_label_weights(ctx: Context, loss_site: CallSite, e: Edits) -> list[str]:
    """A per-class weight the loop multiplies into the loss itself (`loss * w[labels.long()]`, or a
    name bound to that in the loop): the script's own answer to the imbalance, which the loss's class
    weights replace; kept beside them it would weight the classes twice. The product becomes its loss."""
    stmt = loss_site.statement
    small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and stmt.body else None
    if not (isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name)):
        return []
    loss_var = small.targets[0].target.value
    labels = set()
    for c in ctx.index.calls:
        plain = [a for a in c.node.args if a.keyword is None and not a.star]
        if c.loops and c.name == loss_var and len(plain) == 2:
            name = _base_name(plain[1].value)
            if name:
                labels.add(name)
    if not labels:
        return []
    loops = {id(l) for c in ctx.index.calls if c.loops and c.name == loss_var for l in c.loops}

    def by_label(node: cst.CSTNode) -> bool:
        found = []

        class Find(cst.CSTVisitor):
            def visit_Subscript(self, sub: cst.Subscript) -> None:
                text = ctx.module.code_for_node(sub.slice[0]) if sub.slice else ""
                if any(re.search(rf"\b{re.escape(name)}\b", text) for name in labels):
                    found.append(sub)

        node.visit(Find())
        return bool(found)

    weights = set()
    for name, stmt2, _, _ in ctx.index.assigns:
        s2 = stmt2.body[0] if isinstance(stmt2, cst.SimpleStatementLine) and stmt2.body else None
        if isinstance(s2, cst.Assign) and any(id(l) in loops for c in ctx.index.calls if c.statement is stmt2 for l in c.loops) \
                and by_label(s2.value):
            weights.add(name)
    dropped: list[str] = []

    class Products(cst.CSTVisitor):
        def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
            if not isinstance(node.operator, cst.Multiply):
                return
            for mine, other in ((node.right, node.left), (node.left, node.right)):
                if (isinstance(mine, cst.Name) and mine.value in weights) or \
                        (isinstance(mine, cst.Subscript) and by_label(mine)):
                    keep = other
                    e.exprs.setdefault(id(node), []).append(lambda n, keep_left=keep is node.left:
                                                            (n.left if keep_left else n.right) if isinstance(n, cst.BinaryOperation) else n)
                    dropped.append(ctx.module.code_for_node(mine))
                    return

    outer = [l for l, _, parents in ctx.index.fors if id(l) in loops and not any(id(p) in loops for p in parents)]
    for loop in outer:
        loop.body.visit(Products())
    return dropped


BALANCED_BCE = '''
class BalancedBCELoss(torch.nn.Module):
    """Added by nnfit doctor: binary cross-entropy on probabilities with each positive label counted
    pos_weight times (what BCEWithLogitsLoss(pos_weight=) does on logits; BCELoss has no class weights)."""

    def __init__(self, pos_weight):
        super().__init__()
        self.pos_weight = float(pos_weight)

    def forward(self, probabilities, labels):
        weight = 1 + (self.pos_weight - 1) * labels
        return torch.nn.functional.binary_cross_entropy(probabilities, labels, weight=weight)
'''


def _balanced_bce(ctx: Context, by_label: dict[int, float], e: Edits) -> str | None:
    """NF131 on probabilities (`nn.BCELoss()`, `F.binary_cross_entropy(p, y)`): the positive labels
    weighted by the negatives' share over the positives' (every class the same total weight), the
    sigmoid output and everything that reads it kept."""
    if len(by_label) != 2:
        return "binary cross-entropy over more than two classes"
    pos_weight = f"{by_label[0] / by_label[1]:.4g}"
    modules = [c for c in ctx.index.calls if c.name.split(".")[-1] == "BCELoss" and not c.node.args]
    functional = [c for c in ctx.index.calls if c.name.split(".")[-1] == "binary_cross_entropy"
                  and len([a for a in c.node.args if a.keyword is None]) == 2 and _kw(c.node, "weight") is None]
    if not modules and not functional:
        return "no CrossEntropyLoss / BCEWithLogitsLoss / BCELoss in the script"
    if not any("import torch" in ctx.module.code_for_node(n) and "from" not in ctx.module.code_for_node(n)
               and " as " not in ctx.module.code_for_node(n) for n, _ in ctx.index.imports):
        e.imports.append("import torch")
    if modules:
        e.header.append(BALANCED_BCE)
        for site in modules:
            e.on_call(site.node, lambda c: cst.parse_expression(f"BalancedBCELoss(pos_weight={pos_weight})"))
    for site in functional:
        labels = ctx.module.code_for_node([a for a in site.node.args if a.keyword is None][1].value)
        e.on_call(site.node, lambda c, labels=labels: set_kwarg(c, "weight", f"1 + ({pos_weight} - 1) * ({labels})"))
    e.changes.append(f"positive labels weighted {pos_weight}x in the binary cross-entropy: every class the same total weight")
    return None


BALANCED_FLAGS = '''
def balanced_binary_crossentropy(pos_weight):
    """Added by nnfit doctor: binary cross-entropy on probabilities (a sigmoid output) with each positive
    flag counted pos_weight times, so the rare 1s weigh as much in total as the 0s."""
    import keras

    def loss(y_true, y_pred):
        y_true = keras.ops.cast(y_true, y_pred.dtype)
        p = keras.ops.clip(y_pred, 1e-7, 1 - 1e-7)
        return -keras.ops.mean(pos_weight * y_true * keras.ops.log(p) + (1 - y_true) * keras.ops.log(1 - p), axis=-1)
    return loss
'''


def _fix_rare_flags(ctx: Context, f: Finding, e: Edits) -> str | None:
    """NF131 on multi-label targets (one 0/1 flag per label, most of them 0): every positive flag weighted
    by the negatives' share over the positives' in the binary cross-entropy (torch: BCEWithLogitsLoss
    (pos_weight=) on logits, BalancedBCELoss on probabilities; Keras: a weighted binary cross-entropy on
    the sigmoid output), the one weighting the rule's evidence reads (the share of positive flags)."""
    share = f.evidence.get("positive_flag_share")
    if not share or not 0 < float(share) < 1:
        return "the share of positive flags was not measured"
    share = float(share)
    by_label = {0: 1.0 - share, 1: share}
    if ctx.framework == "torch":
        logits = [c for c in ctx.index.calls if c.name.split(".")[-1] in ("BCEWithLogitsLoss", "binary_cross_entropy_with_logits")
                  and _kw(c.node, "pos_weight") is None]
        if logits:
            code = f"torch.tensor({by_label[0] / by_label[1]:.4g})"
            for site in logits:
                e.on_call(site.node, lambda c: set_kwarg(c, "pos_weight", code))
            if not any("import torch" in ctx.module.code_for_node(n) and "from" not in ctx.module.code_for_node(n)
                       for n, _ in ctx.index.imports):
                e.imports.append("import torch")
            e.changes.append(f"pos_weight={by_label[0] / by_label[1]:.4g} in the loss: the rare positive flags weigh as much as the 0s")
            return None
        return _balanced_bce(ctx, by_label, e)
    comp = ctx.compile_site()
    loss = canonical_loss(ctx.run.config.loss)
    out = ctx.dense[-1].activation if ctx.dense else None
    if comp is None:
        return "the compile call was not found in the script"
    if loss != "binary_crossentropy" or out != "sigmoid" or ctx.run.config.from_logits:
        return "a weighted binary cross-entropy is patched for sigmoid outputs under binary_crossentropy only"
    weight = f"{by_label[0] / by_label[1]:.4g}"
    e.header.append(BALANCED_FLAGS)
    e.on_call(comp.node, lambda c: set_kwarg(c, "loss", f"balanced_binary_crossentropy({weight})", positional=1))
    e.changes.append(f"a binary cross-entropy weighting the positive flags {weight}x: the rare 1s weigh as much as the 0s")
    return None


def _fix_imbalance(ctx: Context, f: Finding, e: Edits) -> str | None:
    """NF131: classes weighted to equal total weight (Keras fit class_weight=, torch loss weights);
    multi-label flags weighted in the binary cross-entropy."""
    if "positive_flag_share" in f.evidence:
        return _fix_rare_flags(ctx, f, e)
    if ctx.framework == "torch" and ctx.run.task != "multilabel":
        return _fix_torch_imbalance(ctx, f, e)
    if ctx.framework != "keras" or ctx.run.task == "multilabel":
        return "class weights are patched for single-label fits only; no automatic patch"
    found = _fit_data_args(ctx)
    if found is None or found[2] is None:
        return "the fit call's labels were not found in the script"
    fit, _, y = found
    if _kw(fit.node, "class_weight") is not None:
        return "fit already passes class_weight"
    e.header.append(BALANCED_WEIGHTS)
    code = ctx.module.code_for_node(y.value)
    e.on_call(fit.node, lambda c: set_kwarg(c, "class_weight", f"balanced_class_weight({code})"))
    e.changes.append("class_weight: every class the same total weight")
    return None
