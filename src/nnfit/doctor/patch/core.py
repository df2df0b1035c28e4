"""The patch machinery shared by every fix: an index of the script's syntax tree (calls, loops,
assignments, imports by line), the edits a fix registers against its nodes, the transformer that
applies any set of them (libcst, so comments and layout are kept), and small argument helpers.
"""
from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable
from typing import Any

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from nnfit.doctor.findings import Finding
from nnfit.errors import NNFitError


@dataclasses.dataclass
class Patch:
    codes: list[str]
    changes: list[str]
    path: str
    original: str
    source: str
    variant: str = ""                  # an alternative of the all-fixes patch: what it does differently

    def diff(self) -> str:
        import os

        name = os.path.relpath(self.path) if os.path.isabs(self.path) else self.path
        if name.startswith(".."):
            name = os.path.basename(self.path)
        body = difflib.unified_diff(self.original.splitlines(keepends=True), self.source.splitlines(keepends=True),
                                    fromfile=f"a/{name}", tofile=f"b/{name}")
        head = f"# fixes {', '.join(self.codes)}" + (f" ({self.variant})" if self.variant else "") + \
            f": {'; '.join(self.changes)}\n"
        text = "".join(body)
        return head + (text if text.endswith("\n") else text + "\n")


@dataclasses.dataclass
class Plan:
    singles: list[Patch]
    combined: Patch | None
    skipped: list[str]                 # "NF122 loss-not-decreasing: why no patch"
    # other readings of the all-fixes patch (another rate or update count, one fix left out): run and
    # compared with `combined` on the doctor's held-out training rows (repair.choose_combined)
    alternatives: list[Patch] = dataclasses.field(default_factory=list)


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
    whiles: tuple[cst.While, ...] = ()  # enclosing while-loops, outermost first (not in `loops`)


class ScopeVisitor(cst.CSTVisitor):
    """A visitor that knows, at each node, the enclosing function and for-loops and the node's line."""
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self) -> None:
        self._func: list[cst.FunctionDef] = []
        self._loops: list[cst.For] = []
        self._whiles: list[cst.While] = []

    def line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.line

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._func.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._func.pop()

    def visit_For(self, node: cst.For) -> None:
        self._loops.append(node)

    def leave_For(self, original_node: cst.For) -> None:
        self._loops.pop()

    def visit_While(self, node: cst.While) -> None:
        self._whiles.append(node)

    def leave_While(self, original_node: cst.While) -> None:
        self._whiles.pop()


class _Index(ScopeVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[CallSite] = []
        self.fors: list[tuple[cst.For, int, tuple[cst.For, ...]]] = []
        self.assigns: list[tuple[str, cst.CSTNode, int, cst.FunctionDef | None]] = []   # name, statement, line
        self.imports: list[tuple[cst.CSTNode, int]] = []
        self._stmt: list[cst.CSTNode] = []
        self._lists: list[cst.List] = []

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

    def visit_For(self, node: cst.For) -> None:
        self.fors.append((node, self.line(node), tuple(self._loops)))
        super().visit_For(node)

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
                                   tuple(self._loops), in_list, tuple(self._whiles)))


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
    owns_rate: bool = False            # `lr` is the rate a fix needs with its other edits (scaled raw data): kept
    clipnorm: bool = False             # Keras, an optimiser named by a string: built as a class with clipnorm=1.0

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
        if other.owns_rate and other.lr is not None:
            self.lr, self.owns_rate = other.lr, True
        elif other.lr is not None and not self.owns_rate:
            self.lr = other.lr if self.lr is None else min(self.lr, other.lr)   # the lower of two rates: the stable one
        self.polish = self.polish or other.polish
        self.clipnorm = self.clipnorm or other.clipnorm
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
        return _number(new) if new is not None else updated_node

    def leave_Float(self, original_node: cst.Float, updated_node: cst.Float) -> cst.BaseExpression:
        new = self.e.literals.get(id(original_node))
        return _number(new) if new is not None else updated_node

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


def _number(text: str) -> cst.BaseExpression:
    """A number literal written as `text` (an Integer or a Float node, as the text reads)."""
    node = cst.parse_expression(text)
    return node if isinstance(node, (cst.Integer, cst.Float)) else cst.Float(text)


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
    # Where a torch loop's hand-written updates repeat (patch/handwritten.py sets it when it is imported,
    # as patch/__init__.py does: that module reads a Context, so core cannot import it back)
    manual_step_sites: Any = None

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
        found = [c for c in self.index.calls if c.loops and (c.name.endswith((".step", ".apply_gradients")) or c.name == own)]
        if not found and self.framework == "torch" and self.manual_step_sites is not None:
            # no optimiser steps: the hand-written updates (`w -= lr * w.grad`) are the steps
            found = self.manual_step_sites(self)
        return found

    def step_loops(self) -> list[tuple[cst.For, int, tuple[cst.For, ...]]]:
        """Torch: the for-loops that hold an optimiser `.step()` call, outermost first."""
        steps = self.step_calls()
        holders = {id(l) for c in steps for l in c.loops}
        return [f for f in self.index.fors if id(f[0]) in holders]

    def model_name(self) -> str | None:
        """The script's variable holding the network: the one the run trained, else (a run that crashed
        before its first forward pass records none) the one name whose `.parameters()` the script hands
        to an optimiser (torch) or whose `.fit(...)` it calls (Keras)."""
        name = getattr(self.capture, "model_name", None)
        if name is not None:
            return name
        method = ".fit" if self.framework == "keras" else ".parameters"
        owners = {c.name[: -len(method)] for c in self.index.calls if c.name.endswith(method)
                  and "." not in c.name[: -len(method)] and c.name[: -len(method)] not in ("", "?", "self")}
        return owners.pop() if len(owners) == 1 else None

    def keras_module(self) -> str | None:
        """How the script can spell `keras.optimizers....`: the name it binds to keras (`import keras`,
        `from tensorflow import keras`, `import tensorflow.keras as K`) or 'tf.keras' under `import
        tensorflow as tf`; None when neither is imported (a script of `from keras.layers import ...` alone)."""
        found: list[str] = []
        for node, _ in self.index.imports:
            for small in getattr(node, "body", []):
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        name = dotted(alias.name)
                        bound = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else None
                        if name == "keras" or (name == "tensorflow.keras" and bound):
                            found.append(bound or "keras")
                        elif name == "tensorflow":
                            found.append(f"{bound or 'tensorflow'}.keras")
                elif isinstance(small, cst.ImportFrom) and small.module is not None \
                        and dotted(small.module) == "tensorflow" and not isinstance(small.names, cst.ImportStar):
                    for alias in small.names:
                        if dotted(alias.name) == "keras":
                            bound = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else None
                            found.append(bound or "keras")
        # a name bound to keras itself before the tensorflow attribute path
        return next((n for n in found if not n.endswith(".keras")), found[0] if found else None)


Fix = Callable[[Context, Finding, Edits], str | None]   # registers edits; returns why not, or None


def _assigned_value(ctx: Context, name: str, function: cst.FunctionDef | None = None) -> cst.BaseExpression | None:
    """The expression `name` is assigned once in `function`'s body (None: at the top level), also one
    element of a tuple assignment (`lr, epochs = 0.03, 3`)."""
    binds = [a for a in ctx.index.assigns if a[0] == name and a[3] is function]
    if len(binds) != 1 or not isinstance(binds[0][1], cst.SimpleStatementLine):
        return None
    for small in binds[0][1].body:
        if not isinstance(small, cst.Assign) or len(small.targets) != 1:
            continue
        target, value = small.targets[0].target, small.value
        if isinstance(target, cst.Name) and target.value == name:
            return value
        if isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, (cst.Tuple, cst.List)) \
                and len(target.elements) == len(value.elements):
            for t, v in zip(target.elements, value.elements):
                if isinstance(t.value, cst.Name) and t.value.value == name:
                    return v.value
    return None


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


def _base_name(node: cst.BaseExpression) -> str | None:
    while isinstance(node, cst.Subscript):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


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
