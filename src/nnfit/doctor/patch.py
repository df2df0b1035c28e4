"""Patches of the user's own training script: each fix is an edit of its syntax tree.

`doctor run --repair` turns each finding it can fix into edits of the script itself (libcst keeps the
comments and the layout of everything it does not touch): the layer removed or widened, `epochs=` /
`batch_size=`, the built optimiser passed to `compile`, the learning rate, the output activation,
the loss, scaling inserted where the data enter training and undone on the predictions, Keras 2 names
mapped to Keras 3. One small edit function per kind of fix registers its edits against nodes of the
original tree (found by the line the run recorded); one transformer applies any set of them, so a
patch for one finding and the patch for all findings together come from the same edits.

    plan = plan_patches(source_text, path, capture, findings)
    plan.singles      # one Patch per fixable finding
    plan.combined     # all fixes together (None when nothing is fixable)
    patch.diff()      # a unified diff headed by the codes it fixes

The patched scripts are run by the same runner as the original (repair.py) and written with `--write`.
"""
from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Callable
from typing import Any

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from nnfit.doctor.findings import CATALOGUE, Finding
from nnfit.doctor.vocab import good_learning_rate
from nnfit.errors import NNFitError

# The update count NF102's patch asks for: ten times the rule's threshold (300 updates), inside the
# 320-7600 updates of the corpus's healthy setups (too_few_updates.py); seed 1's network, fixed, reaches
# held-out R² 0.9997 after 2500 such updates (measured with repair.train, batch 32).
TARGET_UPDATES = 3000
FIX_BATCH = 32
# Learning-rate changes: NF103 divides by 10 (one decade, the step the rule's evidence is read in) and
# multiplies the updates by the same factor, so the distance the weights can travel (rate x updates)
# stays what the script allowed: on gh-MorvanZhou-PyTorch-Tutorial-31 (tuning half) lr / 10 alone
# undertrains (held-out R² 0.61), lr / 10 over 10x the updates reaches 0.94. NF104 sets one decade up.
LR_STEP = 10.0
# NF102 asks for a decade more updates than the script made when the loss was measured still falling
# at its end (the rule's evidence that training was cut short), and at least TARGET_UPDATES.
UPDATE_STEP = 10
# A patch never asks for more updates than this (ten times TARGET_UPDATES): beyond it a patched script
# would run for many minutes where the original ran seconds.
MAX_PATCH_UPDATES = 10 * TARGET_UPDATES

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
        import numpy
        return a if hasattr(a, "mean") else numpy.asarray(a, dtype="float64")

    @staticmethod
    def _log1p(a):
        import numpy
        return a.clamp(min=0).log1p() if hasattr(a, "log1p") else numpy.log1p(numpy.maximum(numpy.asarray(a, dtype="float64"), 0))

    def scale(self, data):
        data = self._array(data)
        values = self._log1p(data) if self.log else data
        return (values - self.shift) / self.spread

    def unscale(self, outputs):
        import numpy
        values = outputs * self.spread + self.shift
        if not self.log:
            return values
        return values.expm1() if hasattr(values, "expm1") else numpy.expm1(values)
'''


@dataclasses.dataclass
class Patch:
    codes: list[str]
    changes: list[str]
    path: str
    original: str
    source: str

    def diff(self) -> str:
        import os

        name = os.path.relpath(self.path) if os.path.isabs(self.path) else self.path
        if name.startswith(".."):
            name = os.path.basename(self.path)
        body = difflib.unified_diff(self.original.splitlines(keepends=True), self.source.splitlines(keepends=True),
                                    fromfile=f"a/{name}", tofile=f"b/{name}")
        head = f"# fixes {', '.join(self.codes)}: {'; '.join(self.changes)}\n"
        text = "".join(body)
        return head + (text if text.endswith("\n") else text + "\n")


@dataclasses.dataclass
class Plan:
    singles: list[Patch]
    combined: Patch | None
    skipped: list[str]                 # "NF122 loss-not-decreasing: why no patch"


# -- an index of the original tree --------------------------------------------------------------------
def dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{dotted(node.value)}.{node.attr.value}"
    if isinstance(node, cst.Call):
        return dotted(node.func) + "()"
    return "?"


@dataclasses.dataclass
class CallSite:
    node: cst.Call
    line: int
    name: str                          # dotted callee: "r.fit", "keras.layers.Dense", "nn.Linear"
    statement: cst.CSTNode             # the statement line holding it
    function: cst.FunctionDef | None
    loops: tuple[cst.For, ...]         # enclosing for-loops, outermost first
    in_list: cst.List | None = None    # a Sequential([...]) list it is an element of


class _Index(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self) -> None:
        self.calls: list[CallSite] = []
        self.fors: list[tuple[cst.For, int, tuple[cst.For, ...]]] = []
        self.assigns: list[tuple[str, cst.CSTNode, int, cst.FunctionDef | None]] = []   # name, statement, line
        self.imports: list[tuple[cst.CSTNode, int]] = []
        self._stmt: list[cst.CSTNode] = []
        self._func: list[cst.FunctionDef] = []
        self._loops: list[cst.For] = []
        self._lists: list[cst.List] = []

    def line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.line

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._stmt.append(node)
        for small in node.body:
            if isinstance(small, (cst.Import, cst.ImportFrom)) and not self._func:
                self.imports.append((node, self.line(node)))
            if isinstance(small, (cst.Assign, cst.AugAssign, cst.AnnAssign)):
                targets = small.targets if isinstance(small, cst.Assign) else [small]
                for t in targets:
                    target = t.target
                    names = [e.value for e in target.elements] if isinstance(target, (cst.Tuple, cst.List)) else [target]
                    for n in names:
                        if isinstance(n, cst.Name):
                            self.assigns.append((n.value, node, self.line(node), self._func[-1] if self._func else None))

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine) -> None:
        self._stmt.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._func.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._func.pop()

    def visit_For(self, node: cst.For) -> None:
        self.fors.append((node, self.line(node), tuple(self._loops)))
        self._loops.append(node)

    def leave_For(self, original_node: cst.For) -> None:
        self._loops.pop()

    def visit_List(self, node: cst.List) -> None:
        self._lists.append(node)

    def leave_List(self, original_node: cst.List) -> None:
        self._lists.pop()

    def visit_Call(self, node: cst.Call) -> None:
        in_list = None
        if self._lists and any(isinstance(e, cst.Element) and e.value is node for e in self._lists[-1].elements):
            in_list = self._lists[-1]
        stmt = self._stmt[-1] if self._stmt else None
        self.calls.append(CallSite(node, self.line(node), dotted(node.func), stmt, self._func[-1] if self._func else None,
                                   tuple(self._loops), in_list))


# -- the edits --------------------------------------------------------------------------------------
@dataclasses.dataclass
class Edits:
    """Edits keyed by the id of a node of the original tree; merged edits compose in registration order."""
    calls: dict[int, list[Callable[[cst.Call], cst.BaseExpression]]] = dataclasses.field(default_factory=dict)
    before: dict[int, list[str]] = dataclasses.field(default_factory=dict)       # statements (source text)
    casts: dict[int, list[str]] = dataclasses.field(default_factory=dict)        # statements before `before`'s
    after: dict[int, list[str]] = dataclasses.field(default_factory=dict)
    remove: set[int] = dataclasses.field(default_factory=set)                    # statements or list elements
    globals_in: dict[int, set[str]] = dataclasses.field(default_factory=dict)    # FunctionDef -> global names
    header: list[str] = dataclasses.field(default_factory=list)                  # definitions after the imports
    imports: list[str] = dataclasses.field(default_factory=list)
    changes: list[str] = dataclasses.field(default_factory=list)
    renames: dict[int, dict[str, str]] = dataclasses.field(default_factory=dict)   # For loop -> {old: new name}

    outer: dict[int, list[Callable[[cst.BaseExpression], cst.BaseExpression]]] = dataclasses.field(default_factory=dict)
    literals: dict[int, str] = dataclasses.field(default_factory=dict)   # a number literal -> its new text
    exprs: dict[int, list[Callable[[cst.BaseExpression], cst.BaseExpression]]] = dataclasses.field(default_factory=dict)
    # requests that several fixes may make of the same arguments, resolved once per patch (_training):
    # the total updates wanted, the batch size, the learning rate, and the polish at the end
    updates: int | None = None
    batch: int | None = None
    lr: float | None = None
    polish: bool = False
    optimizer: Any = None              # the built optimiser NF109's patch makes the one that trains

    def on_call(self, node: cst.Call, fn: Callable[[cst.Call], cst.BaseExpression]) -> None:
        self.calls.setdefault(id(node), []).append(fn)

    def around_call(self, node: cst.Call, fn: Callable[[cst.BaseExpression], cst.BaseExpression]) -> None:
        """An edit that wraps the whole call (applied after every edit of the call itself)."""
        self.outer.setdefault(id(node), []).append(fn)

    def merge(self, other: "Edits") -> None:
        for mine, theirs in ((self.calls, other.calls), (self.outer, other.outer), (self.before, other.before),
                             (self.after, other.after), (self.casts, other.casts)):
            for key, items in theirs.items():
                mine.setdefault(key, []).extend(items)
        self.remove |= other.remove
        self.literals.update(other.literals)
        for key, fns in other.exprs.items():
            self.exprs.setdefault(key, []).extend(fns)
        for key, names in other.globals_in.items():
            self.globals_in.setdefault(key, set()).update(names)
        for key, names in other.renames.items():
            self.renames.setdefault(key, {}).update(names)
        if other.updates is not None:
            self.updates = max(self.updates or 0, other.updates)
        if other.batch is not None:
            self.batch = min(self.batch or other.batch, other.batch)
        if other.lr is not None:
            self.lr = other.lr if self.lr is None else min(self.lr, other.lr)   # the lower of two rates: the stable one
        self.polish = self.polish or other.polish
        self.optimizer = other.optimizer if other.optimizer is not None else self.optimizer
        self.header += [h for h in other.header if h not in self.header]
        self.imports += [i for i in other.imports if i not in self.imports]
        self.changes += other.changes


def _stmts(code: str) -> list[cst.BaseStatement]:
    return list(cst.parse_module(code).body)


class _Apply(cst.CSTTransformer):
    def __init__(self, edits: Edits, import_anchor: cst.CSTNode | None, header_anchor: cst.CSTNode | None):
        self.e = edits
        self.import_anchor = import_anchor
        self.header_anchor = header_anchor

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if len(updated_node.args) < len(original_node.args) and updated_node.args \
                and not isinstance(original_node.args[-1].comma, cst.Comma):
            args = list(updated_node.args)
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)   # no dangling comma after a removal
            updated_node = updated_node.with_changes(args=args)
        out: cst.BaseExpression = updated_node
        for fn in self.e.calls.get(id(original_node), []):
            out = fn(out) if isinstance(out, cst.Call) else out
        for fn in self.e.outer.get(id(original_node), []):
            out = fn(out)
        return out

    def leave_Integer(self, original_node: cst.Integer, updated_node: cst.Integer) -> cst.BaseExpression:
        new = self.e.literals.get(id(original_node))
        return updated_node.with_changes(value=new) if new is not None else updated_node

    def on_leave(self, original_node: cst.CSTNode, updated_node: Any) -> Any:
        # expression edits (Name, Subscript, BinaryOperation ... of the original tree), after any
        # node-specific leave_ hook
        out = super().on_leave(original_node, updated_node)
        for fn in self.e.exprs.get(id(original_node), []):
            if isinstance(out, cst.BaseExpression):
                out = fn(out)
        return out

    def leave_List(self, original_node: cst.List, updated_node: cst.List) -> cst.BaseExpression:
        if len(updated_node.elements) < len(original_node.elements) and updated_node.elements \
                and not isinstance(original_node.elements[-1].comma, cst.Comma):
            elements = list(updated_node.elements)
            elements[-1] = elements[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            updated_node = updated_node.with_changes(elements=elements)
        return updated_node

    def leave_Element(self, original_node: cst.Element, updated_node: cst.Element) -> Any:
        if id(original_node.value) in self.e.remove:
            return cst.RemoveFromParent()
        return updated_node

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> Any:
        if id(original_node.value) in self.e.remove:
            return cst.RemoveFromParent()
        return updated_node

    def _around(self, original: cst.CSTNode, updated: Any) -> Any:
        before = [s for code in self.e.casts.get(id(original), []) + self.e.before.get(id(original), [])
                  for s in _stmts(code)]
        after = [s for code in self.e.after.get(id(original), []) for s in _stmts(code)]
        if original is self.import_anchor:
            after = [s for code in self.e.imports for s in _stmts(code)] + after
        if original is self.header_anchor and self.e.header:
            blank = [cst.EmptyLine(), cst.EmptyLine()]     # PEP 8: two blank lines around a class
            after = after + [s.with_changes(leading_lines=blank) for code in self.e.header for s in _stmts(code)]
        if id(original) in self.e.remove:
            updated = None
        if not before and not after:
            return cst.RemoveFromParent() if updated is None else updated
        return cst.FlattenSentinel(before + ([updated] if updated is not None else []) + after)

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine) -> Any:
        return self._around(original_node, updated_node)

    def leave_For(self, original_node: cst.For, updated_node: cst.For) -> Any:
        names = self.e.renames.get(id(original_node))
        if names:
            class Rename(cst.CSTTransformer):
                def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
                    return updated.with_changes(value=names[updated.value]) if updated.value in names else updated

                def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
                    # `obj.X`: an attribute called X is not the variable X
                    return updated.with_changes(attr=original.attr)

            updated_node = updated_node.with_changes(body=updated_node.body.visit(Rename()))
        return self._around(original_node, updated_node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> Any:
        names = self.e.globals_in.get(id(original_node))
        if names:
            stmt = cst.parse_statement(f"global {', '.join(sorted(names))}")
            body = list(updated_node.body.body)
            at = 1 if body and _is_docstring(body[0]) else 0
            updated_node = updated_node.with_changes(body=updated_node.body.with_changes(body=body[:at] + [stmt] + body[at:]))
        return self._around(original_node, updated_node)

    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> Any:
        return self._around(original_node, updated_node)


def _is_docstring(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr) \
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))


# -- argument helpers ---------------------------------------------------------------------------------
def _expr(code: str) -> cst.BaseExpression:
    return cst.parse_expression(code)


def _kw(call: cst.Call, name: str) -> cst.Arg | None:
    return next((a for a in call.args if a.keyword is not None and a.keyword.value == name), None)


def _literal(ctx: Any, node: cst.BaseExpression) -> Any:
    import ast

    try:
        return ast.literal_eval(ctx.module.code_for_node(node))
    except (ValueError, SyntaxError, TypeError):
        return None


def set_kwarg(call: cst.Call, name: str, code: str, *, positional: int | None = None,
              aliases: tuple[str, ...] = ()) -> cst.Call:
    """call with `name=code`: replaces that keyword (or an alias, or the positional slot), else appends."""
    value = _expr(code)
    args = list(call.args)
    for i, a in enumerate(args):
        if a.keyword is not None and a.keyword.value in (name, *aliases):
            args[i] = a.with_changes(keyword=cst.Name(name), value=value)
            return call.with_changes(args=args)
    if positional is not None:
        plain = [i for i, a in enumerate(args) if a.keyword is None and not a.star]
        if len(plain) > positional:
            i = plain[positional]
            args[i] = args[i].with_changes(value=value)
            return call.with_changes(args=args)
    new = cst.Arg(value=value, keyword=cst.Name(name),
                  equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))
    if args:
        last = args[-1]
        if last.comma is cst.MaybeSentinel.DEFAULT or last.comma is None:
            args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    return call.with_changes(args=args + [new])


def drop_kwarg(call: cst.Call, name: str) -> cst.Call:
    args = [a for a in call.args if not (a.keyword is not None and a.keyword.value == name)]
    if args and call.args and args[-1] is not call.args[-1]:
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return call.with_changes(args=args)


def wrap(code_template: str) -> Callable[[cst.BaseExpression], cst.BaseExpression]:
    """`y_scaler.unscale({})` around an expression, keeping the expression's own nodes."""
    prefix, suffix = code_template.split("{}")

    def apply(node: cst.BaseExpression) -> cst.BaseExpression:
        placeholder = cst.Name("__nnfit_hole__")
        outer = _expr(prefix + "__nnfit_hole__" + suffix)

        class Fill(cst.CSTTransformer):
            def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
                return node if updated_node.value == placeholder.value else updated_node

        return outer.visit(Fill())
    return apply


# -- the facts a fix needs, from the run and the tree ------------------------------------------------
class Context:
    def __init__(self, text: str, path: str, capture: Any):
        try:
            self.module = cst.parse_module(text)
        except cst.ParserSyntaxError as exc:
            raise NNFitError(f"{path}: cannot patch this script (libcst: {str(exc).splitlines()[0]})") from None
        self.wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
        self.index = _Index()
        self.wrapper.visit(self.index)
        self.text, self.path, self.capture = text, path, capture
        self.run = capture.run
        self.framework = capture.framework
        self.dense = [l for l in self.run.layers if l.kind == "dense"]
        self.findings: list[Finding] = []

    def calls_at(self, line: int | None, suffix: str) -> list[CallSite]:
        return [c for c in self.index.calls if c.line == line and (c.name == suffix or c.name.endswith("." + suffix))]

    def calls_named(self, suffix: str) -> list[CallSite]:
        return [c for c in self.index.calls if c.name == suffix or c.name.endswith("." + suffix)]

    def layer_call(self, layer_name: str | None) -> CallSite | None:
        """The constructor call of a recorded dense layer: its line, and its rank among same-line calls."""
        cls = "Dense" if self.framework == "keras" else "Linear"
        for i, layer in enumerate(self.dense):
            if layer.name != layer_name:
                continue
            same = [l for l in self.dense if l.line == layer.line]
            rank = same.index(layer)
            sites = self.calls_at(layer.line, cls)
            return sites[rank] if rank < len(sites) else None
        return None

    def dense_sites(self) -> list[CallSite | None]:
        return [self.layer_call(l.name) for l in self.dense]

    def fit_site(self) -> CallSite | None:
        sites = self.calls_at(self.run.config.fit_line, "fit")
        return sites[0] if sites else None

    def compile_site(self) -> CallSite | None:
        line = self.run.config.compile_line
        sites = self.calls_at(line, "compile") if line else self.calls_named("compile")
        return sites[0] if sites else None

    def optimizer_site(self, opt: Any = None) -> CallSite | None:
        """The constructor call of `opt` (default: the optimiser that trained)."""
        opt = opt if opt is not None else self.run.config.optimizer
        if opt is None or opt.line is None:
            return None
        sites = [c for c in self.index.calls if c.line == opt.line and c.name.split(".")[-1].lower() == opt.name.lower()]
        return sites[0] if sites else None

    def step_calls(self) -> list[CallSite]:
        """The optimiser updates inside loops: `opt.step()`, `opt.apply_gradients(...)`, Keras `opt.apply(...)`."""
        opt = self.run.config.optimizer
        own = f"{opt.variable}.apply" if opt is not None and opt.variable else None
        return [c for c in self.index.calls if c.loops and (c.name.endswith((".step", ".apply_gradients")) or c.name == own)]

    def step_loops(self) -> list[tuple[cst.For, int, tuple[cst.For, ...]]]:
        """Torch: the for-loops that hold an optimiser `.step()` call, outermost first."""
        steps = self.step_calls()
        holders = {id(l) for c in steps for l in c.loops}
        return [f for f in self.index.fors if id(f[0]) in holders]

    def model_name(self) -> str | None:
        return getattr(self.capture, "model_name", None)

    def keras_module(self) -> str | None:
        """How the script can spell `keras.optimizers....`: 'keras' or 'tf.keras', None when neither is imported."""
        for node, _ in self.index.imports:
            code = self.module.code_for_node(node)
            if "import keras" in code and "from" not in code:
                return "keras"
            if "import tensorflow as tf" in code:
                return "tf.keras"
        return None


Fix = Callable[[Context, Finding, Edits], str | None]   # registers edits; returns why not, or None


def _fix_bottleneck(ctx: Context, f: Finding, e: Edits) -> str | None:
    sites = ctx.dense_sites()
    names = [l.name for l in ctx.dense]
    if f.location.layer not in names:
        return "the layer was not found in the script"
    i = names.index(f.location.layer)
    if i >= len(sites) - 1 or sites[i] is None or sites[i + 1] is None:
        return "the layer's constructor call was not found in the script"
    site, nxt = sites[i], sites[i + 1]
    layer, after = ctx.dense[i], ctx.dense[i + 1]
    if ctx.framework == "keras" and f.fix.startswith("remove"):
        carried = [a for a in site.node.args if a.keyword is not None and a.keyword.value in ("input_dim", "input_shape")]
        if site.in_list is not None:
            e.remove.add(id(site.node))
        elif site.statement is not None and ctx.module.code_for_node(site.statement).strip().count("\n") == 0 \
                and len(ctx.calls_at(site.line, "Dense")) == 1 and ".add" in ctx.module.code_for_node(site.statement):
            e.remove.add(id(site.statement))
        else:
            return "the layer is not a statement or list element of its own"
        for a in carried:
            e.on_call(nxt.node, lambda c, a=a: set_kwarg(c, a.keyword.value, ctx.module.code_for_node(a.value)))
        e.changes.append(f"remove layer '{layer.name}'")
        return None
    # widen: keeps the module indices a torch script may refer to (model[2].weight ...)
    width = max(16, int(after.units or 0), int(layer.input_units or 0))
    if ctx.framework == "keras":
        e.on_call(site.node, lambda c: set_kwarg(c, "units", str(width), positional=0))
    else:
        e.on_call(site.node, lambda c: set_kwarg(c, "out_features", str(width), positional=1))
        e.on_call(nxt.node, lambda c: set_kwarg(c, "in_features", str(width), positional=0))
    e.changes.append(f"widen '{layer.name}' to {width} units")
    return None


def _steps_per_epoch(ctx: Context, batch: int) -> int:
    n = ctx.run.data.n_samples or 1
    held = (ctx.capture.heldout or {}).get("n_test", 0) if getattr(ctx.capture, "heldout", None) else 0
    return max(1, math.ceil((n + held) / max(1, batch)))


def _script_updates(ctx: Context) -> int | None:
    """The updates the script makes when it runs as it is (no held-out rows, no doctor's budget)."""
    epochs = int(ctx.run.config.epochs or 1)
    if ctx.framework == "keras" and ctx.fit_site() is not None:
        return epochs * _steps_per_epoch(ctx, int(ctx.run.config.batch_size or 32))
    ran, cap = getattr(ctx.capture, "updates_run", None), getattr(ctx.capture, "max_updates", None)
    if ran and not (cap and ran >= cap):
        return int(ran)
    return None


def _updates_fixable(ctx: Context) -> str | None:
    """Why the script's update count cannot be raised, or None."""
    if ctx.framework == "keras" and ctx.fit_site() is not None:
        return None
    if ctx.framework == "keras" and not ctx.step_loops():
        return "the fit call was not found in the script"
    loop = _epoch_loop(ctx)
    if loop is None:
        return "no `for epoch in range(N)` loop around the optimiser step"
    ran, cap = getattr(ctx.capture, "updates_run", None), getattr(ctx.capture, "max_updates", None)
    if cap and ran and ran >= cap:
        # the run was stopped at the doctor's cap: the script already has more updates
        return f"the script already makes {ran} updates or more (the doctor's budget stopped it there)"
    return None


def _fix_updates(ctx: Context, f: Finding, e: Edits) -> str | None:
    why = _updates_fixable(ctx)
    if why is not None:
        return why
    current = _script_updates(ctx) or 0
    # a loss measured still falling at the end: a decade more of the same training (the step the rule
    # advises); a count merely below the rule's minimum: TARGET_UPDATES
    from nnfit.doctor.rules.too_few_updates import STILL_FALLING

    falling = (f.evidence.get("loss_drop_last_window") or 0.0) >= STILL_FALLING
    wanted = min(MAX_PATCH_UPDATES, max(TARGET_UPDATES, UPDATE_STEP * current if falling else 0))
    if current and wanted <= current:
        return f"the script already makes {current} updates or more"
    e.updates = wanted
    batch = int(ctx.run.config.batch_size or FIX_BATCH)
    if ctx.framework == "keras" and ctx.fit_site() is not None and batch > FIX_BATCH:
        e.batch = FIX_BATCH
    e.polish = True
    return None


def _set_updates(ctx: Context, updates: int | None, batch: int | None, e: Edits) -> int | None:
    """Edits for `updates` in all (epochs= / the loop's count) and `batch`; the updates the patched
    script then makes, or None when its count was not changed."""
    epochs = int(ctx.run.config.epochs or 1)
    fit = ctx.fit_site() if ctx.framework == "keras" else None
    if fit is not None:
        b = batch or int(ctx.run.config.batch_size or 32)
        steps = _steps_per_epoch(ctx, b)
        new_epochs = max(epochs, math.ceil(updates / steps)) if updates else epochs
        edit = lambda c: c  # noqa: E731 - composed below
        if updates:
            edit = lambda c, ep=new_epochs: set_kwarg(c, "epochs", str(ep), positional=3, aliases=("nb_epoch",))  # noqa: E731
        if batch is not None:
            first = edit
            edit = lambda c, first=first: set_kwarg(first(c), "batch_size", str(b), positional=2)  # noqa: E731
        e.on_call(fit.node, edit)
        e.changes.append(", ".join(([f"epochs={new_epochs}"] if updates else []) + ([f"batch_size={b}"] if batch is not None else [])))
        return new_epochs * steps if updates else None
    if not updates:
        return None
    loop = _epoch_loop(ctx)
    if loop is None:
        return None
    node, count, literal = loop
    ran = getattr(ctx.capture, "updates_run", None)
    per_pass = max(1, round(ran / epochs)) if ran and ctx.run.config.epochs else \
        _steps_per_epoch(ctx, int(ctx.run.config.batch_size or 32))
    new_count = max(count, math.ceil(updates / per_pass))
    if new_count == count:
        return None
    e.literals[id(literal)] = str(new_count)
    e.changes.append(f"{new_count} passes of the training loop (was {count})")
    return new_count * per_pass


def _epoch_loop(ctx: Context) -> tuple[cst.Call, int, cst.BaseExpression] | None:
    """The outermost `for _ in range(N)` around the optimiser step: (range call, N, the node holding N).

    N may be written in the call or assigned once at the top level (`epochs = 100`, `epochs, lr = 5, 0.1`)."""
    for loop, _, _ in ctx.step_loops():
        it = loop.iter
        if isinstance(it, cst.Call) and dotted(it.func) == "range" and len(it.args) == 1:
            arg = it.args[0].value
            if isinstance(arg, cst.Name):
                arg = _assigned_value(ctx, arg.value)
                if arg is None:
                    continue
            count = _literal(ctx, arg)
            if isinstance(count, int) and not isinstance(count, bool) and isinstance(arg, cst.Integer):
                return it, count, arg
    return None


def _assigned_value(ctx: Context, name: str) -> cst.BaseExpression | None:
    """The expression a top-level name is assigned once (also one element of a tuple assignment)."""
    values = [a for a in ctx.index.assigns if a[0] == name and a[3] is None]
    if len(values) != 1:
        return None
    stmt = values[0][1]
    small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and stmt.body else None
    if not isinstance(small, cst.Assign) or len(small.targets) != 1:
        return None
    target, value = small.targets[0].target, small.value
    if isinstance(target, cst.Name):
        return value
    if isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, (cst.Tuple, cst.List)) \
            and len(target.elements) == len(value.elements):
        for t, v in zip(target.elements, value.elements):
            if isinstance(t.value, cst.Name) and t.value.value == name:
                return v.value
    return None


def _script_lr(ctx: Context, opt: Any = None) -> float | None:
    """The learning rate written in the optimiser's constructor (the run may record a later, scheduled one)."""
    site = ctx.optimizer_site(opt)
    if site is None:
        return None
    arg = _kw(site.node, "learning_rate") or _kw(site.node, "lr")
    if arg is None:
        plain = [a for a in site.node.args if a.keyword is None and not a.star]
        position = 0 if ctx.framework == "keras" else 1
        arg = plain[position] if len(plain) > position else None
    value = _literal(ctx, arg.value) if arg is not None else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _new_lr(ctx: Context, code: str) -> float | None:
    opt = ctx.run.config.optimizer
    name = (opt.name if opt else "adam").lower()
    lr = opt.learning_rate if opt and opt.learning_rate is not None else None
    current = _script_lr(ctx) or lr
    if code == "NF103":
        return None if current is None else float(f"{current / LR_STEP:.3g}")
    # NF104: one decade up (the step NF103 takes down), never past the family's usual rate: a rate
    # that is low for unscaled data can be the largest that keeps them stable
    if current is None:
        return good_learning_rate(name)
    return float(f"{min(current * LR_STEP, good_learning_rate(name)):.3g}")


def _rate_fixable(ctx: Context) -> str | None:
    if ctx.optimizer_site() is not None:
        return None
    if ctx.framework == "keras":
        opt = ctx.run.config.optimizer
        if ctx.compile_site() is None or opt is None:
            return "the optimiser was not found in the script"
        if KERAS_OPTIMIZERS.get(opt.name.lower()) is None:
            return f"no Keras optimiser class for {opt.name!r}"
        return None
    return "the optimiser's constructor was not found in the script"


KERAS_OPTIMIZERS = {"sgd": "SGD", "adam": "Adam", "rmsprop": "RMSprop", "adagrad": "Adagrad", "adamax": "Adamax",
                    "nadam": "Nadam", "adamw": "AdamW", "adadelta": "Adadelta"}


def _keras_name(ctx: Context, e: Edits) -> str:
    name = ctx.keras_module()
    if name is None:
        if "import keras" not in e.imports:
            e.imports.append("import keras")
        name = "keras"
    return name


def _set_rate(ctx: Context, lr: float | None, polish_after: int | None, e: Edits) -> None:
    """The learning rate set to `lr` (None: the script's own); with `polish_after`, the rate falls to
    POLISH_FACTOR of it for the updates after that many (a Keras schedule / a torch MultiStepLR)."""
    from nnfit.doctor.repair import POLISH_FACTOR

    # the optimiser that will train: the built one NF109's patch passes on, else the one that trained
    opt = e.optimizer if e.optimizer is not None else ctx.run.config.optimizer
    site = ctx.optimizer_site(opt)
    if e.optimizer is not None and site is None:
        return
    current = _script_lr(ctx, opt) if site is not None else (opt.learning_rate if opt else None)
    if site is not None and current is None and lr is None:
        polish_after = None        # the script's rate is not a plain number (a schedule): left as it is
    rate = lr if lr is not None else current if current is not None else good_learning_rate(opt.name if opt else "adam")
    if ctx.framework == "keras":
        code = f"{rate:g}"
        if polish_after:
            k = _keras_name(ctx, e)
            code = f"{k}.optimizers.schedules.PiecewiseConstantDecay([{polish_after}], [{rate:g}, {rate * POLISH_FACTOR:g}])"
        if site is not None:
            e.on_call(site.node, lambda c: set_kwarg(c, "learning_rate", code, positional=0, aliases=("lr",)))
        else:
            comp = ctx.compile_site()
            cls = KERAS_OPTIMIZERS.get(opt.name.lower()) if opt is not None else None
            if comp is None or cls is None:
                return
            k = _keras_name(ctx, e)
            e.on_call(comp.node, lambda c: set_kwarg(c, "optimizer", f"{k}.optimizers.{cls}(learning_rate={code})"))
    else:
        if site is None:
            return
        if lr is not None:
            e.on_call(site.node, lambda c: set_kwarg(c, "lr", f"{lr:g}", positional=1, aliases=("learning_rate",)))
        if polish_after and not _torch_polish(ctx, site, polish_after, e):
            polish_after = None
    if lr is not None:
        e.changes.append(f"learning rate {lr:g}")
    if polish_after:
        e.changes.append(f"the rate / {1 / POLISH_FACTOR:g} after update {polish_after} (the last 20 %)")


def _torch_polish(ctx: Context, site: CallSite, after: int, e: Edits) -> bool:
    """The rate multiplied by POLISH_FACTOR after `after` optimiser steps; not where the script sets the rate itself."""
    from nnfit.doctor.repair import POLISH_FACTOR

    # the variable that steps, right after the statement that binds it (after NF109's patch: to the built one)
    opt = ctx.run.config.optimizer
    site = ctx.optimizer_site() or site
    if opt is None or not opt.variable or "lr_scheduler" in ctx.text or "param_groups" in ctx.text \
            or site.loops or site.statement is None:
        return False
    steps = [c for c in ctx.step_calls() if c.name == f"{opt.variable}.step" and c.statement is not None]
    if len(steps) != 1 or steps[0].function is not site.function:
        return False
    # counted by hand, not by a torch lr_scheduler: a scheduler wraps optimizer.step, which the doctor's
    # runner instruments too
    e.after.setdefault(id(site.statement), []).append("nnfit_updates = 0")
    e.after.setdefault(id(steps[0].statement), []).append(
        f"nnfit_updates += 1\nif nnfit_updates == {after}:   # the last updates at a smaller rate\n"
        f"    for nnfit_group in {opt.variable}.param_groups:\n        nnfit_group['lr'] *= {POLISH_FACTOR:g}")
    return True


def _fix_lr(ctx: Context, f: Finding, e: Edits) -> str | None:
    lr = _new_lr(ctx, f.code)
    if lr is None:
        return "the learning rate is not known"
    opt = ctx.run.config.optimizer
    current = _script_lr(ctx) or (opt.learning_rate if opt else None)
    if f.code == "NF104" and current is not None and lr <= current * 1.001:
        return (f"the script's rate {current:g} is already the {ctx.run.config.optimizer.name if ctx.run.config.optimizer else ''} "
                "family's usual one or higher (it is lowered during training, or the data are unscaled); no automatic patch")
    why = _rate_fixable(ctx)
    if why is not None:
        return why
    e.lr = lr
    if f.code == "NF103" and current and _updates_fixable(ctx) is None:
        # smaller steps, more of them: the distance the weights may travel stays the script's
        made = _script_updates(ctx)
        if made:
            e.updates = min(MAX_PATCH_UPDATES, max(made, math.ceil(made * current / lr)))
            e.polish = True
    return None


def _training(ctx: Context, e: Edits) -> Edits:
    """`e` with its requests (updates, batch, rate, polish) turned into edits of the script, once."""
    out = Edits()
    out.merge(e)
    total = _set_updates(ctx, e.updates, e.batch, out) if (e.updates or e.batch) else None
    if e.lr is not None or (e.polish and total):
        from nnfit.doctor.repair import POLISH_FRACTION

        _set_rate(ctx, e.lr, int(total * (1 - POLISH_FRACTION)) if e.polish and total else None, out)
    return out


def _fix_batch(ctx: Context, f: Finding, e: Edits) -> str | None:
    if ctx.framework != "keras":
        return _fix_torch_batch(ctx, e)
    if ctx.fit_site() is None:
        return "the fit call was not found in the script"
    e.batch = FIX_BATCH
    return None


def _fix_optimizer(ctx: Context, f: Finding, e: Edits) -> str | None:
    built = next((o for o in ctx.run.config.optimizers_built if o.passed_to_compile is False and o.variable), None)
    if built is None:
        return "the unused optimiser has no variable name"
    if ctx.framework == "keras":
        comp = ctx.compile_site()
        if comp is None:
            return "the compile call was not found in the script"
        e.on_call(comp.node, lambda c: set_kwarg(c, "optimizer", built.variable, positional=0))
        e.optimizer = built
        e.changes.append(f"compile(optimizer={built.variable})")
        return None
    used = ctx.run.config.optimizer
    if used is None or used.line is None:
        return "the optimiser that steps was not found"
    sites = [c for c in ctx.index.calls if c.line == used.line and c.name.split(".")[-1].lower() == used.name.lower()]
    if not sites:
        return "the optimiser that steps was not found in the script"
    e.on_call(sites[0].node, lambda c: _expr(built.variable))
    e.optimizer = built
    e.changes.append(f"step the optimiser '{built.variable}'")
    return None


def _output_activation(ctx: Context, e: Edits, keras_activation: str = "linear") -> str | None:
    """The output layer's activation set to `keras_activation` (torch: only 'linear', by removing the
    activation modules after the last Linear)."""
    sites = ctx.dense_sites()
    if not sites or sites[-1] is None:
        return "the output layer was not found in the script"
    last = sites[-1]
    if ctx.framework == "keras":
        if _kw(last.node, "activation") is None:
            order = [c.node for c in ctx.index.calls]
            after = order.index(last.node)
            acts = [c for c in ctx.index.calls[after + 1:] if c.name.endswith("Activation")]
            if not acts:     # no activation anywhere after it: the layer is linear, give it one
                e.on_call(last.node, lambda c: set_kwarg(c, "activation", f"'{keras_activation}'"))
                return None
            e.on_call(acts[0].node, lambda c: set_kwarg(c, "activation", f"'{keras_activation}'", positional=0))
        else:
            e.on_call(last.node, lambda c: set_kwarg(c, "activation", f"'{keras_activation}'"))
        return None
    if keras_activation != "linear":
        return f"a torch output activation other than none is not patched ({keras_activation})"
    # torch: the activation module after the last Linear, as an element of the same Sequential(...)
    outer = next((c for c in ctx.index.calls if any(isinstance(a.value, cst.Call) and a.value is last.node
                                                    for a in c.node.args)), None)
    if outer is None:
        return "the output activation module was not found in the script"
    args = [a.value for a in outer.node.args]
    k = args.index(last.node)
    trailing = [a for a in args[k + 1:] if isinstance(a, cst.Call)]
    if not trailing:
        return None
    for a in trailing:
        e.remove.add(id(a))
    return None


def _fix_output(ctx: Context, f: Finding, e: Edits) -> str | None:
    # the output's range made to cover the targets: targets inside [0, 1] (probabilities, fractions)
    # keep a bounded output that cannot overshoot them; anything else gets a linear output
    targets = ctx.run.data.targets or []
    unit = ctx.framework == "keras" and targets and all(t.min >= 0.0 and t.max <= 1.0 for t in targets)
    activation = "sigmoid" if unit and f.evidence.get("activation") != "sigmoid" else "linear"
    why = _output_activation(ctx, e, activation)
    if why is None:
        e.changes.append(f"{activation} output" + (" (the targets lie in [0, 1])" if activation == "sigmoid" else ""))
    return why


def _set_loss(ctx: Context, keras_loss: str, torch_class: str, e: Edits) -> str | None:
    if ctx.framework == "keras":
        comp = ctx.compile_site()
        if comp is None:
            return "the compile call was not found in the script"
        e.on_call(comp.node, lambda c: set_kwarg(c, "loss", f"'{keras_loss}'"))
        return None
    losses = [c for c in ctx.index.calls if c.name.split(".")[-1].endswith("Loss") and not c.loops]
    if not losses:
        return "the loss module was not found in the script"
    prefix = losses[0].name.rsplit(".", 1)[0] if "." in losses[0].name else ""
    e.on_call(losses[0].node, lambda c: _expr(f"{prefix + '.' if prefix else ''}{torch_class}()"))
    return None


def _fix_loss(ctx: Context, f: Finding, e: Edits) -> str | None:
    why = _set_loss(ctx, "mean_squared_error", "MSELoss", e)
    if why is None:
        e.changes.append("mean squared error loss")
    return why


def _fix_metric(ctx: Context, f: Finding, e: Edits) -> str | None:
    comp = ctx.compile_site() if ctx.framework == "keras" else None
    if comp is None or _kw(comp.node, "metrics") is None:
        return "no metrics= argument to change"
    e.on_call(comp.node, lambda c: set_kwarg(c, "metrics", "['mae']"))
    e.changes.append("metrics=['mae']")
    return None


def _fix_activation(ctx: Context, old: tuple[str, ...], keras_new: str, torch_new: str, e: Edits) -> bool:
    done = False
    sites = ctx.dense_sites()[:-1]
    for site, layer in zip(sites, ctx.dense[:-1]):
        if site is None or layer.activation not in old:
            continue
        if ctx.framework == "keras" and _kw(site.node, "activation") is not None:
            e.on_call(site.node, lambda c: set_kwarg(c, "activation", f"'{keras_new}'"))
            done = True
    if ctx.framework == "torch":
        names = {"sigmoid": "Sigmoid", "relu": "ReLU", "hard_sigmoid": "Hardsigmoid"}
        wanted = {names[o] for o in old if o in names}
        last = sites and ctx.dense_sites()[-1]
        for c in ctx.index.calls:
            if c.name.split(".")[-1] in wanted and (not last or c.line <= last.line):
                prefix = c.name.rsplit(".", 1)[0] + "." if "." in c.name else ""
                e.on_call(c.node, lambda call, p=prefix: _expr(f"{p}{torch_new}()"))
                done = True
        # functional activations in forward(): F.relu(self.hidden(x)), torch.sigmoid(...), never
        # around the output layer
        functional = {"relu": "leaky_relu", "sigmoid": "tanh", "hard_sigmoid": "tanh"}
        output_attr = _output_attribute(ctx)
        for c in ctx.index.calls:
            parts = c.name.split(".")
            if len(parts) < 2 or parts[-1] not in old or parts[0] not in ("F", "torch", "nn", "functional"):
                continue
            inner = c.node.args[0].value if c.node.args else None
            if isinstance(inner, cst.Call) and output_attr and dotted(inner.func).endswith("." + output_attr):
                continue
            new = functional[parts[-1]]
            base = ".".join(parts[:-1])
            target = f"{base}.{new}" if new == "leaky_relu" and base != "torch" else \
                "torch.nn.functional.leaky_relu" if new == "leaky_relu" else "torch.tanh"
            e.on_call(c.node, lambda call, t=target: call.with_changes(func=_expr(t)))
            done = True
    return done


def norm_init(name: str | None) -> str:
    return (name or "").lower().replace("_", "")


def _output_attribute(ctx: Context) -> str | None:
    """`predict` in `self.predict = nn.Linear(...)`: the attribute holding the output layer."""
    sites = ctx.dense_sites()
    last = sites[-1] if sites else None
    stmt = last.statement if last is not None else None
    small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and stmt.body else None
    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Attribute):
        return small.targets[0].target.attr.value
    return None


def _fix_saturation(ctx: Context, f: Finding, e: Edits) -> str | None:
    if not _fix_activation(ctx, ("sigmoid", "hard_sigmoid"), "tanh", "Tanh", e):
        if f.code == "NF111" and _fix_activation(ctx, ("relu",), "leaky_relu", "LeakyReLU", e):
            # vanishing gradients through ReLU: units that are off pass no gradient at all
            e.changes.append("LeakyReLU instead of ReLU in hidden layers")
            return None
        return "no sigmoid hidden layer found in the script"
    e.changes.append("tanh instead of sigmoid in hidden layers")
    return None


def _fix_bad_init(ctx: Context, f: Finding, e: Edits) -> str | None:
    """NF120: the flagged layers' own initialisers dropped (Keras' Glorot-uniform default)."""
    if ctx.framework != "keras":
        return "torch / NumPy initial weights are set by statements of their own; no automatic patch"
    layers = {x.location.layer for x in ctx.findings if x.code == "NF120" and x.location.layer}
    if not _drop_constant_init(ctx, e, layers or None):
        return "the layers' initialiser arguments were not found in the script"
    e.changes.append("the layers' initialisers dropped (Keras' random defaults)")
    return None


def _fix_dead(ctx: Context, f: Finding, e: Edits) -> str | None:
    constant = any(norm_init(l.initializer) in CONSTANT_INITIALIZERS for l in ctx.dense)
    if (f.evidence.get("initial_weight_std") == 0.0 or constant) and ctx.framework == "keras":
        if _drop_constant_init(ctx, e):
            e.changes.append("constant initialisers dropped (Keras' random defaults)")
            return None
    if not _fix_activation(ctx, ("relu",), "leaky_relu", "LeakyReLU", e):
        return "no ReLU hidden layer found in the script"
    e.changes.append("LeakyReLU instead of ReLU in hidden layers")
    return None


def _fix_exploding(ctx: Context, f: Finding, e: Edits) -> str | None:
    site = ctx.optimizer_site()
    if ctx.framework == "torch":
        return _fix_torch_clipping(ctx, e)
    if site is None:
        return "the optimiser's constructor was not found in the script"
    e.on_call(site.node, lambda c: set_kwarg(c, "clipnorm", "1.0"))
    e.changes.append("clipnorm=1.0")
    return None


def _fix_scaling(ctx: Context, f: Finding, e: Edits) -> str | None:
    """NF105 (inputs) / NF106 (targets): scale where the data enter training, undo on predictions."""
    which = "x" if f.code == "NF105" else "y"
    log = f.evidence.get("transform") == "log"
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
        for p in ctx.calls_named("predict"):
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
    if model is None:
        return "the model's variable was not found"
    steps = ctx.step_loops()
    if not steps:
        return "no training loop with an optimiser step"
    loop_ids = {id(l) for l, _, _ in steps}
    names = _torch_batch_names(ctx, model, loop_ids)
    if names is None:
        return "the training batch (loss(model(X[i]), y[i])) was not found in the loop"
    var = names[0] if which == "x" else names[1]
    outer_loop, loop_line, _ = steps[0]
    # the function holding the training loop, if any: the data may be made there, or passed in
    holder = next((c.function for c in ctx.step_calls() if outer_loop in c.loops), None)
    params = {p.name.value for p in holder.params.params} if holder is not None else set()
    assigned = [a for a in ctx.index.assigns if a[0] == var and a[2] < loop_line and a[3] in (None, holder)]
    if not assigned and var not in params:
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
        if dotted(c.node.func) != model or any(id(l) in loop_ids for l in c.loops) \
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
    _scaling_changes(e, which, log)
    return None


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
    return names


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
    model = ctx.model_name()
    for c in ctx.index.calls:
        if dotted(c.node.func) != model or any(id(l) in loop_ids for l in c.loops) or c.line < site.line \
                or not c.node.args:
            continue
        if which == "x":
            e.exprs.setdefault(id(c.node.args[0].value), []).append(wrap("x_scaler.scale({})"))
        else:
            e.around_call(c.node, wrap("y_scaler.unscale({})"))
    _scaling_changes(e, which, log)
    return None


def _base_name(node: cst.BaseExpression) -> str | None:
    while isinstance(node, cst.Subscript):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


def _fix_legacy(ctx: Context, f: Finding, e: Edits) -> str | None:
    from nnfit.doctor.vocab import LEGACY_KWARGS

    layer_kw = LEGACY_KWARGS.get("layer", {})
    opt_kw = LEGACY_KWARGS.get("optimizer", {})
    fit_kw = LEGACY_KWARGS.get("fit", {})
    renamed = []
    values = {"uniform": "random_uniform", "normal": "random_normal"}
    for c in ctx.index.calls:
        last = c.name.split(".")[-1]
        table = fit_kw if last == "fit" else opt_kw if last in ("SGD", "Adam", "RMSprop", "Adagrad", "Adadelta", "Adamax",
                                                                        "Nadam") else layer_kw if last[:1].isupper() else {}
        for a in c.node.args:
            if a.keyword is None or a.keyword.value not in table:
                continue
            old = a.keyword.value
            new = table[old][0]
            if not new.isidentifier():
                if old == "decay" and ctx.framework == "keras":
                    e.on_call(c.node, lambda call: drop_kwarg(call, "decay"))
                    renamed.append("decay= dropped (Keras 3 ignores it)")
                continue

            def rename(call: cst.Call, old: str = old, new: str = new) -> cst.Call:
                args = []
                for arg in call.args:
                    if arg.keyword is not None and arg.keyword.value == old:
                        value = arg.value
                        if old == "init" and isinstance(value, cst.SimpleString) and value.evaluated_value in values:
                            value = _expr(repr(values[value.evaluated_value]))
                        arg = arg.with_changes(keyword=cst.Name(new), value=value)
                    args.append(arg)
                return call.with_changes(args=args)

            e.on_call(c.node, rename)
            renamed.append(f"{old}= -> {new}=")
    if not renamed:
        return "no Keras 2 argument found in the script"
    e.changes.append("Keras 3 names: " + ", ".join(dict.fromkeys(renamed)))
    return None


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


def _numpy_name(ctx: Context, e: Edits) -> str:
    """How the script spells numpy; `import numpy` is added when it does not import it."""
    for node, _ in ctx.index.imports:
        for small in node.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    if dotted(alias.name) == "numpy":
                        return alias.asname.name.value if alias.asname else "numpy"
    e.imports.append("import numpy")
    return "numpy"


def _suffix(node: cst.BaseExpression, template: str) -> Callable[[cst.BaseExpression], cst.BaseExpression]:
    """`{}.reshape(-1, 1)`-like templates around an expression, parenthesised unless it is atomic."""
    atomic = isinstance(node, (cst.Name, cst.Attribute, cst.Subscript, cst.Call))
    return wrap(template if atomic else template.replace("{}", "({})", 1))


def _fit_data_args(ctx: Context) -> tuple[CallSite, cst.Arg | None, cst.Arg | None] | None:
    fit = ctx.fit_site()
    if fit is None:
        return None
    plain = [a for a in fit.node.args if a.keyword is None and not a.star]
    x = plain[0] if plain else _kw(fit.node, "x")
    y = plain[1] if len(plain) > 1 else _kw(fit.node, "y")
    return fit, x, y


def _prediction_names(ctx: Context) -> set[str]:
    """Names assigned from a call of the model (`out = model(X)`, `y_pred = model(x, training=True)`)."""
    model = ctx.model_name()
    names = set()
    for c in ctx.index.calls:
        if model is None or dotted(c.node.func) != model:
            continue
        stmt = c.statement
        small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and stmt.body else None
        if isinstance(small, cst.Assign) and small.value is c.node and len(small.targets) == 1 \
                and isinstance(small.targets[0].target, cst.Name):
            names.add(small.targets[0].target.value)
    return names


def _is_prediction(ctx: Context, node: cst.BaseExpression, names: set[str]) -> bool:
    """A prediction: the model's call, a name bound to it, or either with methods / an index after it
    (`out.squeeze()`, `model(x)[:, 0]`)."""
    if isinstance(node, cst.Name):
        return node.value in names
    if isinstance(node, cst.Subscript):
        return _is_prediction(ctx, node.value, names)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        if _is_prediction(ctx, node.func.value, names):
            return True
    return isinstance(node, cst.Call) and ctx.model_name() is not None and dotted(node.func) == ctx.model_name()


def _loss_targets(ctx: Context) -> list[cst.BaseExpression]:
    """The target side of each comparison of predictions with targets: a loss call's other argument,
    or the other operand of `y - y_pred`."""
    names = _prediction_names(ctx)
    out: list[cst.BaseExpression] = []
    loss_vars = {a[0] for a in ctx.index.assigns
                 if any(c.statement is a[1] and c.name.split(".")[-1].endswith("Loss") for c in ctx.index.calls)}

    class Find(cst.CSTVisitor):
        # only where training happens (inside a loop or a function): a top-level metric line that
        # compares predictions with the truth is left as the script wrote it
        depth = 0

        def visit_For(self, node: cst.For) -> None:
            self.depth += 1

        def leave_For(self, original_node: cst.For) -> None:
            self.depth -= 1

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            self.depth += 1

        def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
            self.depth -= 1

        def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
            if isinstance(node.operator, cst.Subtract) and self.depth:
                if _is_prediction(ctx, node.right, names) and not _is_prediction(ctx, node.left, names):
                    out.append(node.left)
                elif _is_prediction(ctx, node.left, names) and not _is_prediction(ctx, node.right, names):
                    out.append(node.right)

        def visit_Call(self, node: cst.Call) -> None:
            plain = [a.value for a in node.args if a.keyword is None and not a.star]
            if len(plain) == 2 and self.depth and _loss_like(dotted(node.func), loss_vars) \
                    and not any(isinstance(v, (cst.Integer, cst.Float, cst.SimpleString)) for v in plain):
                first, second = plain
                if _is_prediction(ctx, first, names) and not _is_prediction(ctx, second, names):
                    out.append(second)
                elif _is_prediction(ctx, second, names) and not _is_prediction(ctx, first, names):
                    out.append(first)

    ctx.module.visit(Find())
    return out


def _loss_like(name: str, loss_vars: set[str]) -> bool:
    """A loss call: a variable bound to a loss module, or a function named like one (F.mse_loss,
    keras.losses.mean_squared_error, criterion)."""
    last = name.split(".")[-1].lower()
    return name in loss_vars or any(k in last for k in ("loss", "criterion", "error", "entropy"))


def _fix_broadcast(ctx: Context, f: Finding, e: Edits) -> str | None:
    """NF125: the targets reshaped to the predictions' shape where the loss compares them."""
    pred, target = f.evidence.get("prediction_shape") or [], f.evidence.get("target_shape") or []
    if len(pred) == 2 and pred[-1] == 1 and len(target) == 1:
        template, what = "{}.reshape(-1, 1)", "(n, 1)"
    elif len(pred) == 1 and len(target) == 2 and target[-1] == 1:
        template, what = "{}.reshape(-1)", "(n,)"
    else:
        return f"shapes {pred} and {target}: no single reshape makes them equal"
    targets = _loss_targets(ctx)
    if not targets:
        return "the comparison of predictions with targets was not found in the script"
    for node in targets:
        e.exprs.setdefault(id(node), []).append(_suffix(node, template))
    e.changes.append(f"targets reshaped to {what} where the loss compares them with the predictions")
    return None


def _keras_loss_for(ctx: Context, activation: str, units: int) -> str:
    if activation in ("sigmoid", "hard_sigmoid"):
        return "binary_crossentropy"
    targets = ctx.run.data.targets or []
    return "categorical_crossentropy" if len(targets) > 1 else "sparse_categorical_crossentropy"


def _fix_loss_output(ctx: Context, f: Finding, e: Edits) -> str | None:
    """NF126: the loss and the output activation made to agree, the one that fits the task changed."""
    from nnfit.doctor.vocab import canonical_loss

    loss = canonical_loss(f.evidence.get("loss") or ctx.run.config.loss or "") or ""
    act = (f.evidence.get("output_activation") or "linear").lower()
    units = int(f.evidence.get("output_units") or 1)
    task = f.evidence.get("task") or ctx.run.task
    probability = act in ("sigmoid", "softmax", "hard_sigmoid")
    if ctx.framework == "keras":
        comp = ctx.compile_site()
        if comp is None:
            return "the compile call was not found in the script"
        if loss in ("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy") and not probability:
            wanted = "sigmoid" if loss == "binary_crossentropy" or units == 1 else "softmax"
            why = _output_activation(ctx, e, wanted)
            if why is None:
                e.changes.append(f"{wanted} output for {loss}")
            return why
        if loss in ("categorical_crossentropy", "sparse_categorical_crossentropy") and act in ("sigmoid", "hard_sigmoid"):
            # independent sigmoid outputs: binary cross-entropy scores each of them, right for 0/1 labels
            # and still a proper loss when exactly one label is set
            e.on_call(comp.node, lambda c: set_kwarg(c, "loss", "'binary_crossentropy'"))
            e.changes.append("loss='binary_crossentropy' for the sigmoid outputs")
            return None
        if loss == "binary_crossentropy" and act == "softmax" and units > 1:
            e.on_call(comp.node, lambda c: set_kwarg(c, "loss", "'categorical_crossentropy'"))
            e.changes.append("loss='categorical_crossentropy' for the softmax output")
            return None
        if probability and task != "regression":
            new = _keras_loss_for(ctx, act, units)
            e.on_call(comp.node, lambda c: set_kwarg(c, "loss", f"'{new}'"))
            e.changes.append(f"loss='{new}' for the {task} labels")
            return None
        return "no Keras edit known for this loss and output"
    # torch: the loss module that matches the output
    losses = [c for c in ctx.index.calls if c.name.split(".")[-1].endswith("Loss")]
    if not losses:
        return "the loss module was not found in the script"
    site = losses[0]
    prefix = site.name.rsplit(".", 1)[0] + "." if "." in site.name else ""
    last = site.name.split(".")[-1]
    if last in ("CrossEntropyLoss", "BCEWithLogitsLoss") and probability:
        why = _output_activation(ctx, e)
        if why is None:
            e.changes.append(f"the final {act} removed ({last} applies it itself)")
        return why
    if last == "BCELoss" and not probability:
        e.on_call(site.node, lambda c: _expr(f"{prefix}BCEWithLogitsLoss()"))
        e.changes.append("BCEWithLogitsLoss on the raw output")
        return None
    if last == "NLLLoss" and not probability:
        e.on_call(site.node, lambda c: _expr(f"{prefix}CrossEntropyLoss()"))
        e.changes.append("CrossEntropyLoss on the raw scores (NLLLoss wants log-probabilities)")
        return None
    return f"no torch edit known for {last} on a {act} output"


def _torch_softmax_to_sigmoid(ctx: Context, e: Edits) -> bool:
    """The softmax on the output (an nn.Softmax module after the last Linear, or F.softmax /
    torch.softmax in forward()) made an elementwise sigmoid."""
    done = False
    last = ctx.dense_sites()[-1] if ctx.dense_sites() else None
    for c in ctx.index.calls:
        tail = c.name.split(".")[-1]
        prefix = c.name.rsplit(".", 1)[0] + "." if "." in c.name else ""
        if tail == "Softmax" and (last is None or c.line >= last.line):
            e.on_call(c.node, lambda call, p=prefix: _expr(f"{p}Sigmoid()"))
            done = True
        elif tail == "softmax" and c.name.split(".")[0] in ("F", "torch", "nn", "functional") and c.node.args:
            e.on_call(c.node, lambda call: call.with_changes(func=_expr("torch.sigmoid"), args=call.args[:1]))
            done = True
    return done


def _fix_torch_class_output(ctx: Context, f: Finding, e: Edits) -> str | None:
    """NF130 (torch): as many output units as classes; a sigmoid for one unit or for a multi-label task."""
    act, units = f.evidence.get("output_activation"), int(f.evidence.get("output_units") or 1)
    k, task = f.evidence.get("classes"), f.evidence.get("task")
    sites = ctx.dense_sites()
    if not sites or sites[-1] is None:
        return "the output layer was not found in the script"
    if act == "softmax" and (units == 1 or task == "multilabel"):
        if not _torch_softmax_to_sigmoid(ctx, e):
            return "the output's softmax was not found in the script"
        e.changes.append("sigmoid output" + (" (softmax of one unit is always 1)" if units == 1 else
                                             " (independent labels)"))
        return None
    if task == "multiclass" and k and units < k:
        e.on_call(sites[-1].node, lambda c: set_kwarg(c, "out_features", str(int(k)), positional=1))
        e.changes.append(f"{k} output units (one per class)")
        return None
    return "no edit known for this output"


def _fix_class_output(ctx: Context, f: Finding, e: Edits) -> str | None:
    """NF130: output units / activation that fit the labels."""
    if ctx.framework != "keras":
        return _fix_torch_class_output(ctx, f, e)
    act, units = f.evidence.get("output_activation"), int(f.evidence.get("output_units") or 1)
    k, task = f.evidence.get("classes"), f.evidence.get("task")
    comp = ctx.compile_site()
    sites = ctx.dense_sites()
    if comp is None or not sites or sites[-1] is None:
        return "the compile call or the output layer was not found in the script"
    if act == "softmax" and units == 1:
        why = _output_activation(ctx, e, "sigmoid")
        if why is None:
            e.on_call(comp.node, lambda c: set_kwarg(c, "loss", "'binary_crossentropy'"))
            e.changes.append("sigmoid output with binary cross-entropy (softmax of one unit is always 1)")
        return why
    if task == "multilabel" and act == "softmax":
        why = _output_activation(ctx, e, "sigmoid")
        if why is None:
            e.on_call(comp.node, lambda c: set_kwarg(c, "loss", "'binary_crossentropy'"))
            e.changes.append("independent sigmoid outputs with binary cross-entropy")
        return why
    if task == "multiclass" and k and units < k:
        e.on_call(sites[-1].node, lambda c: set_kwarg(c, "units", str(int(k)), positional=0))
        why = _output_activation(ctx, e, "softmax")
        if why is None:
            new = _keras_loss_for(ctx, "softmax", int(k))
            e.on_call(comp.node, lambda c: set_kwarg(c, "loss", f"'{new}'"))
            e.changes.append(f"{k} softmax outputs with {new}")
        return why
    return "no edit known for this output"


def _fix_validation_order(ctx: Context, f: Finding, e: Edits) -> str | None:
    """NF127: the rows shuffled (a fixed permutation) right before fit, so validation_split takes a random tail."""
    found = _fit_data_args(ctx) if ctx.framework == "keras" else None
    if found is None or found[1] is None or found[2] is None:
        return "the fit call's x and y were not found in the script"
    fit, x, y = found
    if isinstance(x.value, (cst.List, cst.Tuple, cst.Dict)):
        return "several inputs: no automatic patch"
    np_name = _numpy_name(ctx, e)
    e.before.setdefault(id(fit.statement), []).append(
        f"nnfit_order = {np_name}.random.default_rng(0).permutation(len({ctx.module.code_for_node(x.value)}))")
    for arg in (x, y):
        e.exprs.setdefault(id(arg.value), []).append(_suffix(arg.value, "{}[nnfit_order]"))
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
    return "the loop's batching was not recognised; no automatic patch"


AS_FLOAT = '''
def as_float(data):
    """Added by nnfit doctor: the data as float32, the same kind of array (a torch tensor stays one)."""
    if hasattr(data, "is_floating_point"):
        return data if data.is_floating_point() else data.float()
    import numpy
    return numpy.asarray(data, dtype="float32")
'''


def _fix_torch_integer(ctx: Context, f: Finding, e: Edits) -> str | None:
    """NF128 (torch): the integer arrays the training loop reads made float32 right before the loop
    (the same names, so every later use reads floats), or where TensorDataset(X, y) wraps them; the
    model's inputs outside the loop cast too."""
    model = ctx.model_name()
    steps = ctx.step_loops()
    if model is None or not steps:
        return "the model's variable or the training loop was not found"
    loop_ids = {id(l) for l, _, _ in steps}
    inputs = "int" in str(f.evidence.get("input_dtype") or "")
    targets = "int" in str(f.evidence.get("target_dtype") or "") and (f.evidence.get("task") or ctx.run.task) == "regression"
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
    if "int" in str(f.evidence.get("input_dtype") or "") and x is not None:
        e.exprs.setdefault(id(x.value), []).append(wrap(cast))
        for p in ctx.calls_named("predict"):
            plain = [a for a in p.node.args if a.keyword is None]
            if plain:
                e.exprs.setdefault(id(plain[0].value), []).append(wrap(cast))
        done.append("inputs")
    if "int" in str(f.evidence.get("target_dtype") or "") and y is not None and ctx.run.task == "regression":
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
        return "no CrossEntropyLoss / BCEWithLogitsLoss in the script (BCELoss has no class weights)"
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
    if not any("import torch" in ctx.module.code_for_node(n) and "from" not in ctx.module.code_for_node(n)
               for n, _ in ctx.index.imports):
        e.imports.append("import torch")
    e.changes.append(f"{kw}= in the loss: every class the same total weight")
    return None


def _fix_imbalance(ctx: Context, f: Finding, e: Edits) -> str | None:
    """NF131: classes weighted to equal total weight (Keras fit class_weight=, torch loss weights)."""
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


def _fix_torch_batch(ctx: Context, e: Edits) -> str | None:
    loaders = ctx.calls_named("DataLoader")
    if loaders:
        for site in loaders:
            e.on_call(site.node, lambda c: set_kwarg(c, "batch_size", str(FIX_BATCH), positional=1))
        e.changes.append(f"DataLoader(batch_size={FIX_BATCH})")
        return None
    for loop, _, _ in ctx.step_loops():
        it = loop.iter
        if isinstance(it, cst.Call) and dotted(it.func) == "range" and len(it.args) == 3:
            step = it.args[2].value
            if isinstance(step, cst.Name):
                step = _assigned_value(ctx, step.value)
            if isinstance(step, cst.Integer):
                e.literals[id(step)] = str(FIX_BATCH)
                if step is it.args[2].value and isinstance(loop.target, cst.Name):
                    # the slice ends written as `start + 50` in the loop: the same width
                    _batch_ends(loop, loop.target.value, step.value, e)
                e.changes.append(f"batches of {FIX_BATCH} rows (was {step.value})")
                return None
    return "a torch loop over single rows: its batch size is in its indexing; no automatic patch"


def _batch_ends(loop: cst.For, start: str, width: str, e: Edits) -> None:
    class Ends(cst.CSTVisitor):
        def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
            if isinstance(node.operator, cst.Add) and isinstance(node.left, cst.Name) and node.left.value == start \
                    and isinstance(node.right, cst.Integer) and node.right.value == width:
                e.literals[id(node.right)] = str(FIX_BATCH)

    loop.body.visit(Ends())


def _fix_torch_clipping(ctx: Context, e: Edits) -> str | None:
    opt = ctx.run.config.optimizer
    steps = [c for c in ctx.index.calls if c.name.endswith(".step") and c.loops and c.statement is not None]
    if opt is not None and opt.variable:
        steps = [c for c in steps if c.name == f"{opt.variable}.step"] or steps
    if not steps:
        return "the optimiser's step call was not found in the script"
    site = steps[0]
    owner = site.name[: -len(".step")]
    if not any("import torch" in ctx.module.code_for_node(n) and "from" not in ctx.module.code_for_node(n)
               for n, _ in ctx.index.imports):
        e.imports.append("import torch")
    e.before.setdefault(id(site.statement), []).append(
        f"torch.nn.utils.clip_grad_norm_([p for group in {owner}.param_groups for p in group['params']], 1.0)")
    e.changes.append("gradients clipped to norm 1.0 before each step")
    return None


def _fix_bias(ctx: Context, f: Finding, e: Edits) -> str | None:
    """NF119: the layers' biases back (the bias=False / use_bias=False argument dropped)."""
    name = "use_bias" if ctx.framework == "keras" else "bias"
    done = False
    for site in ctx.dense_sites():
        arg = _kw(site.node, name) if site is not None else None
        if arg is not None and isinstance(arg.value, cst.Name) and arg.value.value == "False":
            e.on_call(site.node, lambda c: drop_kwarg(c, name))
            done = True
    if not done:
        return f"no {name}=False argument found in the script"
    e.changes.append(f"{name}=False dropped: layers with biases")
    return None


# NF115's widening: the top of the 16-64 units the rule advises
WIDE_HIDDEN = 64


def _fix_capacity(ctx: Context, f: Finding, e: Edits) -> str | None:
    """NF115: hidden layers widened (measured plateau), or given tanh (a stack of linear layers)."""
    sites = ctx.dense_sites()
    if len(sites) < 2 or any(s is None for s in sites):
        return "no hidden layer to widen, or a layer's constructor was not found in the script"
    if "train_r2" not in f.evidence:
        if ctx.framework != "keras":
            return "a torch network's activations are in its forward(); no automatic patch"
        for site in sites[:-1]:
            e.on_call(site.node, lambda c: set_kwarg(c, "activation", "'tanh'"))
        e.changes.append("tanh in the hidden layers (linear layers stack to one linear map)")
        return None
    widened = []
    for i, (site, layer) in enumerate(zip(sites[:-1], ctx.dense[:-1])):
        if (layer.units or 0) >= WIDE_HIDDEN:
            continue
        if ctx.framework == "keras":
            e.on_call(site.node, lambda c: set_kwarg(c, "units", str(WIDE_HIDDEN), positional=0))
        else:
            e.on_call(site.node, lambda c: set_kwarg(c, "out_features", str(WIDE_HIDDEN), positional=1))
            e.on_call(sites[i + 1].node, lambda c: set_kwarg(c, "in_features", str(WIDE_HIDDEN), positional=0))
        widened.append(layer.name)
    if not widened:
        return f"the hidden layers already have {WIDE_HIDDEN} units or more"
    e.changes.append(f"hidden layers {', '.join(map(repr, widened))} widened to {WIDE_HIDDEN} units")
    return None


CONSTANT_INITIALIZERS = ("constant", "zeros", "ones")


def _drop_constant_init(ctx: Context, e: Edits, layers: set[str] | None = None) -> bool:
    """Keras layers built with constant initialisers (directly or through a `**dict`), or, with `layers`,
    those layers' initialisers whatever they are: the arguments dropped, so the layers start from
    Keras' random defaults."""
    done = False
    for site, layer in zip(ctx.dense_sites(), ctx.dense):
        if site is None or (layers is not None and layer.name not in layers):
            continue
        for a in site.node.args:
            code = ctx.module.code_for_node(a.value).lower()
            if a.keyword is not None and a.keyword.value in ("kernel_initializer", "bias_initializer", "init") \
                    and (layers is not None or any(k in code for k in CONSTANT_INITIALIZERS)):
                e.remove.add(id(a.value))
                done = True
            elif a.star == "**" and isinstance(a.value, cst.Name):
                value = _assigned_value(ctx, a.value.value)
                if value is not None and "initializer" in ctx.module.code_for_node(value):
                    e.remove.add(id(a.value))
                    done = True
    return done


FIXES: dict[str, Fix] = {
    "NF101": _fix_bottleneck, "NF102": _fix_updates, "NF103": _fix_lr, "NF104": _fix_lr,
    "NF105": _fix_scaling, "NF106": _fix_scaling, "NF107": _fix_output, "NF108": _fix_metric,
    "NF109": _fix_optimizer, "NF110": _fix_loss, "NF111": _fix_saturation, "NF112": _fix_exploding,
    "NF113": _fix_dead, "NF114": _fix_saturation, "NF115": _fix_capacity, "NF117": _fix_legacy, "NF119": _fix_bias, "NF120": _fix_bad_init, "NF124": _fix_batch,
    "NF125": _fix_broadcast, "NF126": _fix_loss_output, "NF127": _fix_validation_order, "NF128": _fix_integer_data,
    "NF129": _fix_unshuffled, "NF130": _fix_class_output, "NF131": _fix_imbalance,
}
# Rate and gradient symptoms: left out of the all-fixes patch when the ranking makes them a consequence
# of a cause that patch already fixes.
RATE_SYMPTOMS = {"NF103", "NF104", "NF112"}
# Patches that change no training: part of the all-fixes script, not re-run alone.
NO_TRAINING_EFFECT = {"NF108"}


def _apply(ctx: Context, edits: Edits) -> str:
    # added imports and definitions go after the last top-level import (else after the first statement)
    anchor = ctx.index.imports[-1][0] if ctx.index.imports else None
    header_anchor = anchor if anchor is not None else (ctx.module.body[0] if ctx.module.body else None)
    out = ctx.wrapper.module.visit(_Apply(edits, anchor, header_anchor))
    return out.code


def _log_extras(ctx: Context, findings: dict[str, Finding], e: Edits) -> None:
    """Log-scaled targets: fit the log scale's absolute error (the relative error) with a linear output.

    Measured on seed 4 (repair.py): median relative error 0.4-0.5 % with MAE on the log scale against
    1.6-4.5 % with MSE; a ReLU output that starts dead never recovers (3 of 8 seeds)."""
    if _set_loss(ctx, "mean_absolute_error", "L1Loss", e) is None:
        e.changes.append("mean absolute error on the log scale (= relative error)")
    last = ctx.dense[-1] if ctx.dense else None
    if last is not None and last.activation not in ("linear", None) and "NF107" not in findings:
        if _output_activation(ctx, e) is None:
            e.changes.append("linear output")


def plan_patches(text: str, path: str, capture: Any, findings: list[Finding]) -> Plan:
    ctx = Context(text, path, capture)
    ctx.findings = list(findings)
    by_code: dict[str, Finding] = {}
    for f in findings:
        by_code.setdefault(f.code, f)
    singles: list[Patch] = []
    skipped: list[str] = []
    all_edits = Edits()
    codes_done: list[str] = []
    symptoms: list[Finding] = []
    for code, f in by_code.items():
        name = CATALOGUE[code].name if code in CATALOGUE else code
        fn = FIXES.get(code)
        if fn is None:
            if f.consequence_of:
                symptoms.append(f)      # decided once every cause's patch is known
                continue
            skipped.append(f"{code} {name} (no automatic patch for this finding)")
            continue
        e = Edits()
        try:
            why = fn(ctx, f, e)
        except (ValueError, TypeError, AttributeError, IndexError, KeyError, StopIteration,
                cst.ParserSyntaxError) as exc:
            # an unusual layout of the script: this finding goes unpatched, the others still are
            why = f"the patch could not be built for this script's layout ({type(exc).__name__})"
        if why is not None:
            if f.consequence_of:
                symptoms.append(f)      # its own edit does not apply: perhaps its causes' do
                continue
            skipped.append(f"{code} {name} ({why})")
            continue
        if code == "NF106" and f.evidence.get("transform") == "log":
            _log_extras(ctx, by_code, e)
        single = _training(ctx, e)
        source = _apply(ctx, single)
        if source == text:
            skipped.append(f"{code} {name} (the patch changed nothing)")
            continue
        singles.append(Patch([code], single.changes, path, text, source))
        if code == "NF103" and "NF124" in by_code and ctx.framework == "keras":
            # NF103's fix is "lower the rate, or raise the batch size": with NF124 raising the batch
            # size, lowering the rate as well only slows training (measured on seed 3, repair.py)
            all_edits.changes.append("NF103 through the larger batch")
            codes_done.append(code)
            continue
        if code in RATE_SYMPTOMS and set(f.consequence_of) & set(codes_done):
            # the ranking names this a consequence of a cause already patched (unscaled data, mostly):
            # its own change would be stacked on a fix that removes it
            all_edits.changes.append(f"{code} through the fix of {', '.join(sorted(set(f.consequence_of) & set(codes_done)))}")
            codes_done.append(code)
            continue
        if code == "NF104" and "NF102" in codes_done:
            # two readings of one slow loss: more updates never destabilise, a higher rate can
            all_edits.changes.append("NF104 through the longer training")
            codes_done.append(code)
            continue
        all_edits.merge(e)
        codes_done.append(code)
    for f in symptoms:
        # a symptom with no edit of its own (NF122 loss-not-decreasing): fixed through its causes' patches
        # when the all-fixes patch has them; the re-run shows whether the loss now falls
        causes = [c for c in f.consequence_of if c in codes_done]
        name = CATALOGUE[f.code].name if f.code in CATALOGUE else f.code
        if causes:
            all_edits.changes.append(f"{f.code} through the fix of {', '.join(causes)}")
            codes_done.append(f.code)
        else:
            skipped.append(f"{f.code} {name} (no patch of its own, and none of its causes "
                           f"({', '.join(f.consequence_of)}) has one)")
    combined = None
    if codes_done:
        final = _training(ctx, all_edits)
        source = _apply(ctx, final)
        combined = Patch(codes_done, final.changes, path, text, source)
    return Plan(singles, combined, skipped)
