"""Step 4b of the static reader: the abstract interpreter (module walk, statements, expressions,
calls); framework calls are in interp_keras.py, interp_torch.py and interp_numpy.py."""
from __future__ import annotations

import ast
import dataclasses
import math
import os
import re
from collections import ChainMap

from nnfit.doctor.run import DataStats, LayerInfo, LegacyUse, OptimizerInfo, TrainingConfig, UpdateRule
from nnfit.doctor.static.comments import apply_described
from nnfit.doctor.static.descent import residual_orientation
from nnfit.doctor.static.locations import _Mapper
from nnfit.doctor.static import datasets
from nnfit.doctor.static.nodes import _GRAD_NAME, _PARAM_NAME, _dotted, _kw_node, _last, _nodes
from nnfit.doctor.static.values import (UNKNOWN, V, _concat_rows, _const_binop, _join, _Loop, _Model, _n_of, _union_range,
                                        _widest, apply_func, binop, const, linear_combination, samples_first, select_columns,
                                        summary_stat, transposed)
from nnfit.doctor.vocab import F_LOSSES, KERAS_DEFAULT_LR, KERAS_LAYERS, LEGACY_IMPORTS, LEGACY_KWARGS, LEGACY_METHODS, LEGACY_NAMES, OPTIMIZERS, TORCH_DEFAULT_LR, TORCH_LAYERS, TORCH_LOSSES
from nnfit.doctor.vocab import FUNC_ACTIVATIONS, TORCH_ACTIVATIONS
from nnfit.doctor.static.interp_keras import KerasReader
from nnfit.doctor.static.interp_sklearn import MLP_CLASSES, SklearnReader
from nnfit.doctor.static.interp_tflearn import TFLEARN_CALLS, TFLearnReader
from nnfit.doctor.static.interp_fasttext import FASTTEXT_CALLS, FastTextReader
from nnfit.doctor.static.interp_theanets import THEANETS_MODELS, TheanetsReader
from nnfit.doctor.static.interp_torch import TorchReader
from nnfit.doctor.static.interp_numpy import NumpyReader, unsqueezed
from nnfit.doctor.static.interp_tf import TFReader, _squared_difference


def _result_dtype(op: ast.operator, a: V, b: V) -> str | None:
    """NumPy's result dtype for an arithmetic operation, as far as the operands' dtypes are known."""
    def kind(v: V) -> str | None:
        if v.dtype:
            return v.dtype
        if v.kind == "num" and isinstance(v.const, (int, float)) and not isinstance(v.const, bool):
            return "pyint" if isinstance(v.const, int) else "pyfloat"
        return None

    ka, kb = kind(a), kind(b)
    if ka is None or kb is None:
        return None
    arrays = [k for k in (ka, kb) if not k.startswith("py")]
    floats = [k for k in arrays if k.startswith(("float", "bfloat"))]
    if floats:
        return floats[0]
    if isinstance(op, ast.Div) or "pyfloat" in (ka, kb):
        return "float64"
    if isinstance(op, ast.Pow) and not all(k.startswith(("int", "uint", "py")) for k in (ka, kb)):
        return None
    return arrays[0] if arrays else None


def _result_order(op: ast.operator, a: V, b: V) -> float | None:
    """Row order through arithmetic with a scalar: x + c, c * x, x / c, x ** 2 on x >= 0 keep it."""
    for arr, other, left in ((a, b, True), (b, a, False)):
        if arr.order is None or other.n is not None or other.kind != "num" or not other.known:
            continue
        if isinstance(op, (ast.Add, ast.Sub)):
            return arr.order
        if isinstance(op, ast.Mult) and other.lo == other.hi and other.lo != 0:
            return arr.order
        if isinstance(op, ast.Div) and left and other.lo == other.hi and other.lo != 0:
            return arr.order
        if isinstance(op, ast.Pow) and left and arr.known and arr.lo >= 0 and other.lo == other.hi and other.lo > 0:
            return arr.order
    return None


_LITERAL = (str, int, float, bool, type(None))


def _literal(v: V) -> tuple[bool, object]:
    """(True, value) when v is a Python literal the script wrote (a string, number, bool or None)."""
    if v.kind == "none":
        return True, None
    if v.kind in ("num", "str") and v.n is None and isinstance(v.const, _LITERAL) and v.const is not None:
        return True, v.const
    return False, None


def _fold_compare(ops: list[ast.cmpop], values: list[V]) -> bool | None:
    """`a == 'x'`, `n != 0`, `x is None` on literal operands: the comparison's value; None when unknown."""
    lits = [_literal(v) for v in values]
    if not all(ok for ok, _ in lits):
        return None
    operands = [x for _, x in lits]
    for op, a, b in zip(ops, operands, operands[1:]):
        if isinstance(op, (ast.Eq, ast.Is)):
            ok = a == b
        elif isinstance(op, (ast.NotEq, ast.IsNot)):
            ok = a != b
        else:
            return None
        if not ok:
            return False
    return True


def _literal_truth(v: V) -> bool | None:
    known, value = _literal(v)
    return bool(value) if known else None


# NumPy / torch functions that are also array methods, the array first: np.reshape(a, s) is a.reshape(s)
# Keras loss classes (keras.losses.X(), or X imported from keras.losses) -> the loss function's name
KERAS_LOSS_CLASSES = {"MeanSquaredError": "mse", "MeanAbsoluteError": "mae", "Huber": "huber", "LogCosh": "log_cosh",
                      "MeanSquaredLogarithmicError": "msle", "MeanAbsolutePercentageError": "mape",
                      "BinaryCrossentropy": "binary_crossentropy", "BinaryFocalCrossentropy": "binary_crossentropy",
                      "CategoricalCrossentropy": "categorical_crossentropy",
                      "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
                      "Hinge": "hinge", "SquaredHinge": "hinge", "CategoricalHinge": "hinge",
                      "KLDivergence": "kl_divergence", "Poisson": "poisson"}
_LOSS_CLASS_ENDINGS = ("Crossentropy", "Error", "Divergence")   # unambiguous without the keras.losses prefix

_ARRAY_FUNCTIONS = {"reshape", "ravel", "flatten", "transpose"}
# module prefixes whose sigmoid / softmax / relu functions are activations (torch.sigmoid, F.softmax)
# (TensorFlow's are read by interp_tf.py)
_ACTIVATION_MODULES = {"torch", "F", "nn.functional", "torch.nn.functional"}


# Keras layers that scale the inputs inside the model: Rescaling(scale, offset) multiplies and shifts them,
# Normalization (adapted to the data) and BatchNormalization standardise them (mean 0, variance 1)
_INPUT_SCALING_LAYERS = {"Rescaling", "Normalization", "BatchNormalization"}


# the names a from-scratch network gives its own activation functions (monotone increasing, so the sign
# of a residual built on their output is the gradient's)
_OWN_ACTIVATIONS = {"sigmoid", "tanh", "relu", "softmax", "leaky_relu", "logistic"}


def _inline_sigmoid(node: ast.BinOp) -> ast.AST | None:
    """`1 / (1 + np.exp(-z))` (or exp(-z) + 1): the logistic function written out; z's node, else None."""
    if not (isinstance(node.op, ast.Div) and isinstance(node.left, ast.Constant) and node.left.value in (1, 1.0)):
        return None
    den = node.right
    if not (isinstance(den, ast.BinOp) and isinstance(den.op, ast.Add)):
        return None
    for one, e in ((den.left, den.right), (den.right, den.left)):
        if isinstance(one, ast.Constant) and one.value in (1, 1.0) and isinstance(e, ast.Call) and e.args \
                and _last(_dotted(e.func) or "") == "exp" and isinstance(e.args[0], ast.UnaryOp) \
                and isinstance(e.args[0].op, ast.USub):
            return e.args[0].operand
    return None


def _squash(v: V, activation: str) -> V:
    """A value passed through an activation: its outputs are that activation's; the layer that produced it
    (self.fc2(h) in forward()) takes that activation, as a Keras Dense(activation=) would."""
    from nnfit.doctor.vocab import norm

    act = norm(activation)
    if isinstance(v.ref, LayerInfo) and v.ref.kind == "dense" and v.ref.activation in (None, "linear"):
        v.ref.activation = act
    kind = v.kind if v.kind in ("seq", "num") else "seq"
    return dataclasses.replace(v, kind=kind, activation=act, lo=None, hi=None, cols=None, const=None, counts=None)


def _through_activation(layer: V | None, args: list[V]) -> V | None:
    """Calling an activation module (nn.Sigmoid(), nn.Softmax(dim=1)) on a value; None for anything else."""
    if layer is None or layer.kind != "layer" or not isinstance(layer.ref, LayerInfo) or layer.ref.kind != "activation" \
            or not args or not layer.ref.activation:
        return None
    return _squash(args[0], layer.ref.activation)


def _generator_batch(fn: ast.AST, local, interp) -> int | None:  # noqa: ANN001 - env, _Core
    """The batch a generator yields: the step of the `for i in range(0, n, step)` loop around its yield."""
    for node in ast.walk(fn):
        if isinstance(node, ast.For) and isinstance(node.iter, ast.Call) and _dotted(node.iter.func) in ("range", "xrange") \
                and len(node.iter.args) == 3 and any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in ast.walk(node)):
            step = interp.eval(node.iter.args[2], local, 1).const
            if isinstance(step, int) and not isinstance(step, bool) and step > 1:
                return step
    return None


def _layer_items(v: V) -> bool:
    """A Python list holding framework layers (built up for a Sequential)."""
    return bool(v.items) and any(i.kind in ("layer", "model") for i in v.items)


def shuffled(v: V) -> V:
    """The same values with the rows in random order."""
    return dataclasses.replace(v, order=None, cols=[dataclasses.replace(c, order=None) for c in v.cols] if v.cols else v.cols)


# torch.nn.functional's losses: vocab.F_LOSSES plus the functional forms of NLLLoss and
# BCEWithLogitsLoss (the names nn.functional documents), canonicalised like their nn.* classes
_F_LOSSES = {**F_LOSSES, "nll_loss": "nllloss", "binary_cross_entropy_with_logits": "bcewithlogitsloss"}


def _threshold_counts(op: ast.cmpop, left: V, right: V) -> dict[str, int] | None:
    """Rows per flag of `x > c` (x a column drawn by rand / uniform / randn / normal, c a number): the share
    of the draws on each side of c, from the distribution the draw names (uniform on [lo, hi]; normal with
    mean and standard deviation read back from the mean +- 3 sd range the reader stores). The labels of
    `y = (X[:, 0] > 2.3).astype(int)` are then known to be 1 % ones. Any other column (a sum, a product of
    columns) is not one of these distributions and gets no counts."""
    flip = {ast.Gt: ast.Lt, ast.GtE: ast.LtE, ast.Lt: ast.Gt, ast.LtE: ast.GtE}
    col, c, kind = left, right, type(op)
    if right.kind == "seq" and left.kind == "num":
        col, c, kind = right, left, flip.get(kind, kind)
    if kind not in flip or col.kind != "seq" or col.cols or col.n is None or col.dist not in ("uniform", "normal") \
            or not col.known or col.hi <= col.lo or not isinstance(c.const, (int, float)) or isinstance(c.const, bool):
        return None
    t = float(c.const)
    if col.dist == "uniform":
        above = min(1.0, max(0.0, (col.hi - t) / (col.hi - col.lo)))
    else:
        mean, sd = (col.lo + col.hi) / 2, (col.hi - col.lo) / 6
        above = 0.5 * math.erfc((t - mean) / (sd * math.sqrt(2)))
    ones = above if kind in (ast.Gt, ast.GtE) else 1.0 - above
    k = int(round(col.n * ones))
    return {"0": col.n - k, "1": k}


def _python_number_type(node: ast.AST, counters: set[str]) -> str | None:
    """"int" or "float" when an expression's Python type is evident from its syntax (int(...), a literal,
    a `range` counter, arithmetic on those: `/` is always float), else None. A list of them becomes an
    int64 array in np.array / torch.tensor, so `[[int(v)] for v in ...]` gives LongTensor targets."""
    if isinstance(node, ast.Constant):
        v = node.value
        return None if isinstance(v, bool) else "int" if isinstance(v, int) else "float" if isinstance(v, float) else None
    if isinstance(node, ast.Name):
        return "int" if node.id in counters else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 1 and not node.keywords:
        return {"int": "int", "len": "int", "round": "int", "float": "float"}.get(node.func.id)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _python_number_type(node.operand, counters)
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Div):
            return "float"
        a, b = _python_number_type(node.left, counters), _python_number_type(node.right, counters)
        if not isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod, ast.Pow)):
            return None
        if "float" in (a, b) and None not in (a, b):
            return "float"
        return "int" if a == b == "int" else None
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
        kinds = {_python_number_type(e, counters) for e in node.elts}
        return kinds.pop() if len(kinds) == 1 else ("float" if kinds == {"int", "float"} else None)
    return None


# modules whose bare names are numpy's: numpy itself, numpy.random, and pylab (matplotlib.pylab does
# `from numpy import *` and `from numpy.random import *`)
_NUMPY_STAR = {"numpy.random", "pylab", "matplotlib.pylab"}
_NP_RANDOM_NAMES = {"rand", "randn", "randint", "random", "random_sample", "normal", "uniform", "seed",
                    "shuffle", "permutation", "choice", "binomial", "poisson", "exponential", "standard_normal"}


def _numpy_name(name: str, module: str | None, stars: set[str]) -> str | None:
    """np.random.<name> / np.<name> for a bare name imported from numpy, numpy.random or pylab; None otherwise."""
    if module in ("numpy.random", "pylab", "matplotlib.pylab") and name in _NP_RANDOM_NAMES:
        return "np.random." + name
    if module in ("numpy", "pylab", "matplotlib.pylab"):
        return "np." + name
    if module is None and name in _NP_RANDOM_NAMES and stars:
        return "np.random." + name
    return None


# A comprehension over a literal range this short is read one item per counter value (its cost grows
# with the count; longer ones keep a single range for all their elements).
UNROLLED_COMPREHENSION_MAX = 32


class _Core:
    MAX_STEPS = 100_000
    MAX_DEPTH = 6
    MAX_VISITS = 4

    def __init__(self, mapper: "_Mapper") -> None:
        self.map = mapper
        self.steps = 0
        self.depth = 0
        self.funcs: dict[str, list[ast.AST]] = {}
        self.classes: dict[str, ast.ClassDef] = {}
        self.visited_funcs: set[int] = set()
        self.seen_layers: dict[tuple[int, int], LayerInfo] = {}
        self.models: list[_Model] = []
        self.model_by_layerkey: dict[tuple[int, int], _Model] = {}
        self.optimizers: dict[tuple[int, int], OptimizerInfo] = {}
        self.opt_node: dict[tuple[int, int], ast.AST] = {}
        self.compiled: OptimizerInfo | None = None
        self.config = TrainingConfig()
        self.legacy: dict[tuple[int, int, str], LegacyUse] = {}
        self.data: DataStats | None = None
        self.fit_calls: list[tuple[int, V, V]] = []
        self.updates: dict[tuple[int, str], UpdateRule] = {}
        self.framework_hint: set[str] = set()
        self.stepped_vars: set[str] = set()
        self.loss_fns: dict[str, str] = {}
        self.torch_modules: dict[str, _Model] = {}
        self.epoch_loops: list[tuple[int, int]] = []   # (count, line) of loops containing a training step
        self.loop_counts: list[int] = []
        self.batch_sizes: list[tuple[int, int]] = []
        self.torch_data: tuple[V, V, int] | None = None
        self.gradient_names: dict[str, int] = {}   # attribute/var names assigned gradient-like values
        self.gradient_values: dict[str, ast.AST] = {}   # ... and the expression last assigned to each
        # names a hand-written backward pass assigns from the residual (d2 = (out - y) / n, gW1 = x.T @ d1):
        # gradients by what they are made of, whatever their (short) names say
        self.derived_gradients: dict[str, ast.AST] = {}
        self.assigned_values: dict[str, ast.AST] = {}   # every name / attribute: the expression last assigned
        self.residuals: dict[ast.AST, int] = {}         # a `pred - y` / `y - pred` node (held, not its id): +1 / -1
        self.residual_activated = False                 # ... one of them on an activated (sigmoid ...) output
        self.first_args: dict[int, dict[str, V]] = {}    # id(function) -> its parameters at the first call read
        self.residual_activations: set[str] = set()     # the activations of the outputs those residuals read
        self.comment_facts = None                       # what the comments say about the data (comments.py)
        self.input_scaling: dict[int, tuple[str, float, float]] = {}   # id(layer) of a Rescaling / Normalization
        self.class_index_targets: tuple | None = None   # (dtype, ndim, line) of the targets a CrossEntropyLoss gets
        self.described_names: set[str] = set()          # names a comment's facts were applied to
        self.update_reads: set[str] = set()
        self.layer_counter: dict[str, int] = {}
        self._globals: dict[int, set[str]] = {}
        self.visits: dict[int, int] = {}
        self.global_names: set[str] = set()
        self.script_dir: str | None = None     # where data files the script loads are looked up
        self.name_alias: dict[str, str] = {}   # `from m import A as B`: B -> m.A
        self.from_module: dict[str, str] = {}  # `from m import A`: A -> m (which framework a bare name is from)
        self.star_numpy: set[str] = set()      # `from numpy.random import *` / `from pylab import *`: bare randn()
        self.module_alias: dict[str, str] = {}  # `import torch as t`: t -> torch (numpy -> np, tensorflow -> tf)
        self.data_files: list[str] = []
        self.cli_defaults: dict[str, V] = {}   # argparse option -> its default
        self.tf_init_std: dict[int, float] = {}   # id(LayerInfo) of a TF1 matmul layer -> its Variable's std
        self.yielded: list[list[V]] = []
        self.yield_mults: list[list[int]] = []   # the loop multiplier at each yield of the generator being read
        self.instance_attrs: dict[str, dict[str, V]] = {}   # class -> attributes its methods set on self    # values yielded by the generator function being read
        self.shuffled = False     # the script shuffles rows somewhere (permutation indexing, shuffle())
        self.init_std: dict[int, float] = {}     # id(LayerInfo) -> std of its initial kernel, when the script sets it
        self.init_bias: dict[int, float] = {}    # id(LayerInfo) -> its constant initial bias, when the script sets it
        self.backward_lines: list[int] = []      # loss.backward() calls read
        self.manual_sgd: list[tuple[float, int]] = []   # (learning rate, line) of `w -= lr * w.grad` updates
        self.grad_divisors: list[tuple[float, str, int]] = []   # (value, text, line): `lr * w.grad / batch_size`

    # ---- locations
    unroll_pass: tuple[int, ...] = ()   # which pass of an unrolled loop is being read (its layers are new ones)

    def key(self, node: ast.AST) -> tuple[int, ...]:
        return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0)) + self.unroll_pass

    def line(self, node: ast.AST) -> int | None:
        return self.map.line(getattr(node, "lineno", None))

    def span(self, node: ast.AST) -> tuple[int, int] | None:
        return self.map.span(node)

    # ---- module walk
    def run_module(self, tree: ast.Module) -> None:
        self.global_names = {n for s in _nodes(tree) if isinstance(s, ast.Global) for n in s.names}
        self.updated_names = _updated_names(tree)
        for node in _nodes(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.funcs.setdefault(node.name, []).append(node)
            elif isinstance(node, ast.ClassDef):
                self.classes[node.name] = node
        env: dict[str, V] = {}
        self.module_env = env       # the module's names (analysis._list_weights reads sizes lists from them)
        for stmt in tree.body:
            self.guarded(self.exec_block, [stmt], env, 1)
        # functions never called from the module body: read them once with unknown arguments; a class's
        # methods are left to scan_class, which reads them with `self` bound (so that `self.criterion`
        # set in __init__ is the loss a training step() calls)
        methods = {id(fn) for cls in self.classes.values() for fn in cls.body if isinstance(fn, ast.FunctionDef)}
        for name, defs in list(self.funcs.items()):
            for fn in defs:
                if id(fn) not in self.visited_funcs and id(fn) not in methods and self.steps < self.MAX_STEPS:
                    self.guarded(self.call_user, fn, [], {}, env, 1, self_obj=None)
        self.reading_uncalled = True     # what code the script never calls sets does not override what ran
        for cls in self.classes.values():
            self.guarded(self.scan_class, cls, env)
        self.reading_uncalled = False

    # Set in the environment (the lint tests do): a statement the reader cannot follow raises instead of
    # being skipped, so a reader bug fails a test rather than hiding.
    def guarded(self, fn, *args, **kw):
        """Read one top-level statement; one the reader cannot follow (code it does not model, an odd
        construct) is skipped with its values left unknown, and the rest of the script is still read."""
        try:
            return fn(*args, **kw)
        except Exception:
            if os.environ.get("NNFIT_LINT_STRICT"):
                raise
            self.loop_counts.clear()
            self.skipped += 1
            return None

    skipped = 0
    reading_uncalled = False

    def scan_class(self, cls: ast.ClassDef, env: dict[str, V]) -> None:
        """NumPy update rules and torch modules defined as classes."""
        for fn in cls.body:
            if isinstance(fn, ast.FunctionDef) and id(fn) not in self.visited_funcs:
                model = self.torch_modules.get(cls.name)
                me = V("model", ref=model, const=cls.name) if model is not None else V("obj", const=cls.name)
                self.call_user(fn, [], {}, env, 1, self_obj=me)

    def exec_block(self, body: list[ast.stmt], env: dict[str, V], mult: int) -> V | None:
        ret: V | None = None
        for stmt in body:
            self.steps += 1
            if self.steps > self.MAX_STEPS:
                return ret
            r = self.exec_stmt(stmt, env, mult)
            if r is not None:
                ret = r
        return ret

    def exec_stmt(self, stmt: ast.stmt, env: dict[str, V], mult: int) -> V | None:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self.imports(stmt)
        elif isinstance(stmt, ast.Assign):
            val = self.eval(stmt.value, env, mult)
            for target in stmt.targets:
                self.assign(target, val, env, stmt)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self.assign(stmt.target, self.eval(stmt.value, env, mult), env, stmt)
        elif isinstance(stmt, ast.AugAssign):
            cur = self.eval(stmt.target, env, mult)
            val = self.eval(stmt.value, env, mult)
            self.note_hand_weight(stmt, val, env)
            self.note_update_aug(stmt, env)
            if isinstance(stmt.op, ast.Add) and cur.mutable_list and val.mutable_list and (_layer_items(cur) or _layer_items(val)):
                items = (cur.items or []) + (val.items or [])   # layers += [nn.Linear(a, b), nn.ReLU()]
                self.assign(stmt.target, V("seq", items=items, n=len(items), mutable_list=True), env, stmt)
            else:
                self.assign(stmt.target, binop(stmt.op, cur, val), env, stmt, aug=True)
        elif isinstance(stmt, ast.Expr):
            self.eval(stmt.value, env, mult)
        elif isinstance(stmt, ast.Return):
            return self.eval(stmt.value, env, mult) if stmt.value is not None else V("none")
        elif isinstance(stmt, ast.For) and (passes := self.unrolled(stmt, env, mult)) is not None:
            outer = self.unroll_pass
            try:
                for i, element in enumerate(passes):
                    self.unroll_pass = outer + (i,) if i else outer
                    self.assign(stmt.target, element, env, stmt)
                    r = self.exec_block(stmt.body, env, mult)
                    if r is not None:
                        return r
            finally:
                self.unroll_pass = outer
            self.exec_block(stmt.orelse, env, mult)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            wrapper = _dotted(stmt.iter.func) if isinstance(stmt.iter, ast.Call) else None
            if wrapper in ("enumerate", "zip") and stmt.iter.args:
                # for i, (xb, yb) in enumerate(loader) / for a, b in zip(xs, ys): the loop runs over the first
                parts = [self.eval(a, env, mult) for a in stmt.iter.args if not isinstance(a, ast.Starred)]
                it = parts[0] if parts else UNKNOWN
                elems = [self.iter_elem(p) for p in parts]
                element = V("tuple", items=[V("num", 0.0, float(it.n - 1) if it.n else None, True)] + elems[:1]) \
                    if wrapper == "enumerate" else V("tuple", items=elems)
            else:
                it = self.eval(stmt.iter, env, mult)
                element = self.iter_elem(it)
            count = it.n if it.n is not None else (len(it.items) if it.items is not None and it.kind != "generator" else None)
            self.assign(stmt.target, element, env, stmt)
            inner = mult * (count if count else 1)
            step_seen_before = self._step_calls
            depth = len(self.loop_counts)
            self.loop_counts.append(count or 0)
            r = self.exec_block(stmt.body, env, inner)
            self.loop_counts.pop()
            over_params = it.kind == "params" or (bool(it.items) and all(i.param for i in it.items))
            if self._step_calls > step_seen_before and not over_params:   # `for p in params: p -= ...` is one step
                batch_step = None
                if isinstance(stmt.iter, ast.Call) and _dotted(stmt.iter.func) in ("range", "xrange") and len(stmt.iter.args) == 3:
                    st = self.eval(stmt.iter.args[2], env, mult)
                    if isinstance(st.const, int) and st.const > 1:
                        batch_step = st.const
                loader_batch = it.const if it.kind in ("loader", "generator") and isinstance(it.const, int) \
                    and not isinstance(it.const, bool) else None
                self.epoch_loops.append(_Loop(count, self.line(stmt) or 0, depth, batch_step or loader_batch,
                                              it.kind == "loader" or batch_step is not None or loader_batch is not None))
            self.exec_block(stmt.orelse, env, mult)
            if r is not None:
                return r
        elif isinstance(stmt, ast.While):
            self.eval(stmt.test, env, mult)
            count = self.while_count(stmt, env)     # `while epoch < 100: ... epoch += 1`: 100 passes
            step_seen_before = self._step_calls
            depth = len(self.loop_counts)
            self.loop_counts.append(count or 0)      # otherwise how often it runs is unknown
            try:
                r = self.exec_block(stmt.body, env, mult * (count or 1))
            finally:
                self.loop_counts.pop()
            if count and self._step_calls > step_seen_before:
                self.epoch_loops.append(_Loop(count, self.line(stmt) or 0, depth, None, False))
            if r is not None:
                return r
        elif isinstance(stmt, ast.If):
            test = self.eval(stmt.test, env, mult)
            known = _literal_truth(test) if not self.loop_counts else None
            if known is not None:
                # a switch on a literal setting (`if loss_type == 'bce':`, `if USE_SIGMOID:`): only the branch
                # Python takes; inside a loop the value may change between passes, so both are read there
                return self.exec_block(stmt.body if known else stmt.orelse, env, mult)
            r1 = self.exec_block(stmt.body, env, mult)
            r2 = self.exec_block(stmt.orelse, env, mult)
            return r1 or r2
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                ctx = self.eval(item.context_expr, env, mult)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, ctx, env, stmt)
            return self.exec_block(stmt.body, env, mult)
        elif isinstance(stmt, ast.Try):
            r = self.exec_block(stmt.body, env, mult)
            for h in stmt.handlers:
                self.exec_block(h.body, env, mult)
            self.exec_block(stmt.orelse, env, mult)
            self.exec_block(stmt.finalbody, env, mult)
            return r
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            env[stmt.name] = V("func", node=stmt)
        elif isinstance(stmt, ast.ClassDef):
            env[stmt.name] = V("class", node=stmt, const=stmt.name)
        return None

    _step_calls = 0

    def iter_elem(self, it: V) -> V:
        """What a for loop binds on each pass over `it`."""
        count = it.n if it.n is not None else (len(it.items) if it.items is not None else None)
        if it.kind == "generator":
            return it.items[0] if it.items else UNKNOWN
        if it.kind == "modules":
            return it
        if it.kind == "params" and isinstance(it.ref, _Model):
            return it       # for p in model.parameters(): each weight and bias of every layer (interp_torch)
        if it.items and all(i.kind == "layer" and isinstance(i.ref, LayerInfo) for i in it.items):
            # for layer in [self.fc1, self.fc2]: nn.init.zeros_(layer.weight) sets each listed layer's
            return V("layers", items=list(it.items))
        if it.kind == "file" and isinstance(it.ref, V):     # for line in f: one line of the table
            return V("line", ref=it.ref)
        if it.kind == "rows" and isinstance(it.ref, V):     # for row in csv.reader(f): its fields
            return self.text_file_method("split", V("line", ref=it.ref), [])
        if it.kind in ("loader", "dataset") and it.items:
            # a batch of each tensor: its shape and range, the batch size as its rows
            rows = it.const if it.kind == "loader" and isinstance(it.const, int) else None
            parts = [dataclasses.replace(t, n=rows) if it.kind == "loader" else t.elem() for t in it.items]
            return parts[0] if len(parts) == 1 else V("tuple", items=parts)
        if it.kind == "seq" or it.items is not None or count is not None:
            if it.items is None or it.cols:
                return it.elem()
            # `for p in [w, b]`: each pass binds one of the weights (trainable whatever its name)
            return V("num", *_union_range(it.items), n=None, param=all(i.param for i in it.items)) if it.items else UNKNOWN
        return UNKNOWN

    # ---- imports: legacy module paths
    def imports(self, stmt: ast.stmt) -> None:
        mod = stmt.module if isinstance(stmt, ast.ImportFrom) else None
        names = [a.name for a in stmt.names]
        for full in ([mod] if mod else names):
            if not full:
                continue
            if full.split(".")[0] in ("keras", "tensorflow"):
                self.framework_hint.add("keras")
            if full.split(".")[0] == "torch":
                self.framework_hint.add("torch")
            if full in LEGACY_IMPORTS:
                self.add_legacy(full, LEGACY_IMPORTS[full], stmt, None)
        if isinstance(stmt, ast.Import):
            for a in stmt.names:
                if a.asname:
                    root, _, rest = a.name.partition(".")
                    canonical = {"numpy": "np", "tensorflow": "tf", "pandas": "pd"}.get(root, root)
                    full = canonical + ("." + rest if rest else "")
                    if full != a.asname:
                        self.module_alias[a.asname] = full     # import torch as t: t.rand is torch.rand
        if isinstance(stmt, ast.ImportFrom):
            for a in stmt.names:
                if a.asname and a.asname != a.name and mod:
                    self.name_alias[a.asname] = f"{mod}.{a.name}"   # from torch.nn import Linear as Lin
                if mod and a.name != "*":
                    self.from_module[a.asname or a.name] = mod
                elif mod in _NUMPY_STAR:
                    self.star_numpy.add(mod)
                if a.name in LEGACY_NAMES:
                    self.add_legacy(a.name, LEGACY_NAMES[a.name], stmt, None)

    def add_legacy(self, old: str, new: str, node: ast.AST, span_node: ast.AST | None) -> None:
        line = self.line(node)
        span = self.span(span_node or node)
        k = (line or 0, span[0] if span else 0, old)
        if k not in self.legacy:
            self.legacy[k] = LegacyUse(old=old, new=new, line=line, span=span)

    # ---- assignment
    def described(self, name: str, val: V, stmt: ast.stmt | None) -> V:
        """`val` with what a comment says about this assignment's data (comments.py), where the code
        leaves it unknown; a comment about a name is used at its first assignment only."""
        facts = getattr(self, "comment_facts", None)
        if facts is None or not isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            return val
        d = facts.by_name.get(name) if name not in self.described_names else None
        if d is None:
            d = facts.by_line.get(self.line(stmt) or -1) if len(getattr(stmt, "targets", [stmt])) == 1 else None
        if d is None:
            return val
        self.described_names.add(name)
        return apply_described(val, d)

    def register_layers(self, model: _Model, attr: str, val: V) -> None:
        """self.blocks = nn.ModuleList([...]) / a list of layers (or a ModuleList grown by append): the
        module's layers, in source order."""
        attrs = getattr(model, "_attrs", None)
        if attrs is None:
            attrs = model._attrs = {}  # type: ignore[attr-defined]
        for i, item in enumerate(val.items or []):
            if item.kind == "layer" and isinstance(item.ref, LayerInfo) and item.ref.kind != "activation":
                attrs[f"{attr}.{i}"] = item.ref
        ordered = sorted(attrs.items(), key=lambda kv: kv[1].line or 0)
        attrs.clear()
        attrs.update(ordered)

    def assign(self, target: ast.AST, val: V, env: dict[str, V], stmt: ast.stmt, aug: bool = False) -> None:
        if isinstance(target, ast.Name):
            if not aug:
                val = self.described(target.id, val, stmt)
            env[target.id] = val
            self.bind_name(target.id, val)
            if isinstance(stmt, ast.Assign) and not aug and len(stmt.targets) == 1:
                self._note_update(target, stmt.value, stmt, env, aug_op=None)
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = val.items if val.items is not None else None
            for i, t in enumerate(target.elts):
                if isinstance(t, ast.Starred):
                    continue
                if items is not None and i < len(items):
                    self.assign(t, items[i], env, stmt)
                elif val.cols and i < len(val.cols) and val.kind != "tuple":
                    self.assign(t, val.cols[i], env, stmt)
                else:
                    self.assign(t, UNKNOWN, env, stmt)
        elif isinstance(target, ast.Attribute):
            if target.attr in ("weight", "bias"):
                self.torch_param_assign(target, val, env)
            owner = env.get("self") if isinstance(target.value, ast.Name) and target.value.id == "self" else None
            if owner is not None and isinstance(owner.const, str):
                # self.lr = lr in __init__: seen again by the other methods of the class
                self.instance_attrs.setdefault(owner.const, {})[target.attr] = val
            if owner is not None and owner.kind == "model" and isinstance(owner.ref, _Model) and _layer_items(val):
                self.register_layers(owner.ref, target.attr, val)
            name = _dotted(target)
            if name:
                env[name] = val
                self.bind_name(target.attr, val)
                if isinstance(stmt, ast.Assign) and not aug:
                    self.note_update_assign(target, stmt, env)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) \
                and env.get(target.value.id, UNKNOWN).kind == "frame":
            self.assign_frame_column(target.value.id, target.slice, val, env)
        elif isinstance(target, ast.Subscript):
            base = _dotted(target.value)
            if base and base in env and env[base].kind == "seq" and val.kind in ("num", "seq"):
                self.assign_item(base, target.slice, val, env)
            elif isinstance(target.value, ast.Subscript) and not isinstance(target.value.slice, (ast.Slice, ast.Tuple)) \
                    and not isinstance(target.slice, (ast.Slice, ast.Tuple)):
                # Y[i][j] = v in a double loop: the element Y[i, j]
                outer = _dotted(target.value.value)
                if outer and outer in env and env[outer].kind == "seq" and val.kind in ("num", "seq") and val.known:
                    self.assign_item(outer, ast.Tuple(elts=[target.value.slice, target.slice], ctx=ast.Load()), val, env)
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and stmt.targets[0] is target:
                # W[i, j] = W[i, j] - lr * dW[i, j] / w0[0, 0] = self.gradient(w0[0, 0], deW0_00): an entry's update
                self._note_update(target, stmt.value, stmt, env, aug_op=None)
        if isinstance(stmt, ast.Assign) and isinstance(target, (ast.Name, ast.Attribute)):
            nm = target.id if isinstance(target, ast.Name) else target.attr
            self.assigned_values[nm] = stmt.value
            if _GRAD_NAME.search(nm):
                self.gradient_names[nm] = self.line(stmt) or 0  # the last assignment: the computed one
                self.gradient_values[nm] = stmt.value
            elif isinstance(target, ast.Name) and self.back_propagated(stmt.value):
                self.derived_gradients[nm] = stmt.value

    def back_propagated(self, value: ast.AST) -> bool:
        """Is this expression a step of a hand-written backward pass: made from the residual `pred - y`
        (not squared: a squared or absolute residual is the loss) or from a gradient already read?"""
        for sub in ast.walk(value):
            if isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Pow):
                return False
            if isinstance(sub, ast.Call) and _last(_dotted(sub.func) or "") in ("square", "abs", "absolute", "sqrt", "log"):
                return False
        for sub in ast.walk(value):
            if isinstance(sub, ast.BinOp) and sub in self.residuals:
                return True
            if isinstance(sub, ast.Name) and (sub.id in self.derived_gradients
                                              or (_GRAD_NAME.search(sub.id) and sub.id in self.gradient_values)):
                return True
        return False

    def assign_frame_column(self, name: str, key: ast.AST, val: V, env: dict[str, V]) -> None:
        """df['target'] = values: a named column added to (or replacing one of) the frame."""
        frame = env[name]
        label = self.eval(key, env, 1).const
        names = list(frame.const) if isinstance(frame.const, list) else None
        if not isinstance(label, str) or names is None or frame.cols is None or len(frame.cols) != len(names):
            env[name] = dataclasses.replace(frame, cols=None, const=None, lo=None, hi=None)   # columns no longer known
            return
        n = frame.n if frame.n is not None else val.n
        col = dataclasses.replace(val, kind="seq", ndim=1, n=n, cols=None, items=None, mutable_list=False) \
            if val.kind in ("seq", "num") and not val.cols else V("seq", n=n)
        cols = list(frame.cols)
        if label in names:
            cols[names.index(label)] = col
        else:
            names.append(label)
            cols.append(col)
        lo, hi = _union_range(cols) if all(c.known for c in cols) else (None, None)
        env[name] = dataclasses.replace(frame, lo=lo, hi=hi, integer=all(c.integer for c in cols), n=n, cols=cols,
                                        const=names, exact=frame.exact and val.exact)

    def parameters_applied(self, a: V, b: V, op: ast.operator) -> V | None:
        """`a * x + b` with trainable tensors a, b (requires_grad=True) and data x: a model written as
        arithmetic. Data times (or plus) a parameter is the model's output for those rows, which are
        what it trains on; an output combined with a parameter stays the output."""
        if not isinstance(op, (ast.Mult, ast.Add, ast.Sub, ast.MatMult)) or a.param == b.param:
            return None
        param, other = (a, b) if a.param else (b, a)
        if other.dist == "prediction":
            return other
        if other.kind != "seq" or other.n is None:
            return None
        if getattr(self, "_model_input", None) is None:
            self._model_input = other
        self._last_input = other
        width = param.shape[-1] if param.shape and len(param.shape) == 2 and isinstance(param.shape[-1], int) else 1
        return V("seq", n=other.n, ndim=2, shape=(other.n, width), dist="prediction")

    def weights_on_left(self, weights: V, data: V, wnode: ast.AST | None, dnode: ast.AST | None) -> V | None:
        """W @ X (np.dot(W, X), W.dot(X)) in a column-major network, the style of many posted networks
        written by hand: X of shape (features, samples), W1 of shape (hidden, features), b1 (hidden, 1),
        `Z1 = np.dot(W1, X) + b1`, gradients `dW1 = np.dot(dZ1, X.T) / m` with m = X.shape[1]. The
        weight is the LEFT operand, so the samples lie along the data's last axis: the data are recorded
        one row per sample (samples_first), and the output is a prediction of shape (units, samples)
        whose `n` counts those samples (features_first). None for anything else: a product whose right
        operand is itself a weight (`batch @ W`: a name like a weight's, the data on the left), the
        back-propagation `W2.T @ dZ2` (a gradient on the right), or sizes that cannot be W @ X."""
        def name(node: ast.AST | None) -> str:
            if isinstance(node, ast.Attribute) and node.attr == "T":
                node = node.value
            if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                return node.slice.value         # parameters["W1"]
            return _last(_dotted(node) or "") if node is not None else ""

        wname, dname = name(wnode), name(dnode)
        if not (weights.param or (_PARAM_NAME.match(wname or "-") and weights.kind == "seq")) or weights.dist == "prediction":
            return None
        if data.param or (_PARAM_NAME.match(dname or "-") and data.dist != "prediction") or (dname and _GRAD_NAME.search(dname)):
            return None
        two_d = weights.shape is not None and len(weights.shape) == 2
        units = weights.shape[0] if two_d and isinstance(weights.shape[0], int) else (1 if weights.ndim == 1 else None)
        fan_in = weights.shape[1] if two_d and isinstance(weights.shape[1], int) else (weights.n if weights.ndim == 1 else None)
        if data.dist == "prediction":
            if not data.features_first:
                return None
            # W2 @ A1: the next layer of the same column-major network
            return dataclasses.replace(data, activation=None, shape=(units, data.n) if units and data.n else None,
                                       ndim=2 if two_d else 1)
        if data.kind != "seq" or data.n is None:
            return None
        width = len(data.cols) if data.cols else (data.shape[1] if data.shape and len(data.shape) == 2 else None)
        if fan_in is not None and data.n != fan_in and width != fan_in and not (data.ndim == 1 and data.n == fan_in):
            return None     # neither axis of the data matches the weight's input width
        x = samples_first(data, fan_in)
        plain = isinstance(dnode, (ast.Name, ast.Subscript)) or (isinstance(dnode, ast.Attribute) and dnode.attr != "T")
        if getattr(self, "_model_input", None) is None and plain:
            self._model_input = x
        self.column_major = True
        if x.n == 1 and data.ndim == 1:     # W @ x of one sample: a vector of `units` outputs
            return V("seq", n=1, ndim=1, shape=(units,) if units else None, dist="prediction", features_first=True)
        return V("seq", n=x.n, ndim=2 if two_d else 1, shape=(units, x.n) if units and x.n and two_d else None,
                 dist="prediction", features_first=True)

    column_major = False     # a `W @ X` network was read (samples along the data's last axis)

    def coefficients(self, weights: V, wnode: ast.AST | None) -> bool:
        """A vector of literal numbers that nothing in the script trains: the coefficients that make
        synthetic data (`true_w = np.array([2, -3.4]); y = X @ true_w + b`, the same vector given to a
        `def synthetic_data(w, b, n)`), not the weights of a hand-written network, whose name the script
        updates (`w -= lr * grad`, `w = w - ...`, `w.grad`, `w.data`) or whose value is a trainable tensor.
        A literal weight vector never updated trains nothing, so reading it as data loses no update."""
        if weights.param or weights.kind != "seq" or (weights.ndim or 1) != 1:
            return False
        values = weights.const if isinstance(weights.const, list) else (
            [i.const for i in weights.items] if weights.items is not None else None)
        if not values or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            return False
        name = _last(_dotted(wnode) or "") if wnode is not None else ""
        return not name or name not in getattr(self, "updated_names", set())

    def weights_applied(self, data: V, weights: V, wnode: ast.AST, dnode: ast.AST | None) -> V | None:
        """X @ W (X.mm(W), np.dot(X, W)) of data rows and a weight matrix in a hand-written network: the
        network's output for those rows; the rows are what it is trained on."""
        name = _last(_dotted(wnode) or "")
        if self.coefficients(weights, wnode):
            return None     # true_w / coef: literal numbers that make the data (values.linear_combination)
        if data.dist == "prediction" and (weights.param or (_PARAM_NAME.match(name or "-") and weights.kind == "seq")):
            # hidden.mm(W2) / h.dot(W2) (a NumPy weight named like one): the next layer's output
            return dataclasses.replace(data, activation=None)
        if data.kind != "seq" or data.n is None or data.dist == "prediction" or not (
                _PARAM_NAME.match(name or "-") or weights.param):
            return None
        plain = dnode is not None and isinstance(dnode.value if isinstance(dnode, ast.Subscript) else dnode, ast.Name)
        if getattr(self, "_model_input", None) is None and plain:    # rows in a variable, not a layer's activations
            self._model_input = data
        units = weights.shape[-1] if weights.shape and len(weights.shape) == 2 and isinstance(weights.shape[-1], int) else None
        return V("seq", n=data.n, ndim=2, shape=(data.n, units) if units else None, dist="prediction")

    def assign_item(self, base: str, sl: ast.AST, val: V, env: dict[str, V]) -> None:
        """`X[i] = v`, `Y[i, 1] = v` (an array filled in a loop): the array's range takes in the value;
        the array is changed in place, so the name is updated where it lives."""
        cur = env[base]

        def widen(old: V, new: V) -> V:
            if not (old.known and new.known):
                return dataclasses.replace(old, lo=None, hi=None, counts=None, exact=False)
            return dataclasses.replace(old, lo=min(old.lo, new.lo), hi=max(old.hi, new.hi),
                                       integer=old.integer and new.integer, counts=None, exact=False)

        col = None
        if isinstance(sl, ast.Tuple) and len(sl.elts) == 2:
            idx = self.eval(sl.elts[1], env, 1)
            col = idx.const if isinstance(idx.const, int) and not isinstance(idx.const, bool) else None
        if cur.cols and col is not None and -len(cur.cols) <= col < len(cur.cols):
            cols = list(cur.cols)
            cols[col] = widen(cols[col], val)
        elif cur.cols and val.cols and len(val.cols) == len(cur.cols):
            cols = [widen(a, b) for a, b in zip(cur.cols, val.cols)]
        elif cur.cols:
            cols = [widen(c, val) for c in cur.cols]
        else:
            cols = None
        if cols is not None:
            lo, hi = _union_range(cols)
            new = dataclasses.replace(cur, cols=cols, lo=lo, hi=hi, integer=all(c.integer for c in cols),
                                      counts=None, exact=False)
        else:
            new = widen(cur, val)
        home = next((m for m in env.maps if base in m), env) if isinstance(env, ChainMap) else env
        home[base] = new

    def bind_name(self, name: str, val: V) -> None:
        if val.kind == "opt" and isinstance(val.ref, OptimizerInfo) and val.ref.variable is None:
            val.ref.variable = name
        if val.kind == "model" and isinstance(val.ref, _Model) and val.ref.name.startswith("<"):
            val.ref.name = name
        if val.kind == "loss":
            self.loss_fns[name] = val.const

    # ---- expressions
    def eval(self, node: ast.AST | None, env: dict[str, V], mult: int = 1) -> V:
        self.steps += 1
        if node is None or self.steps > self.MAX_STEPS:
            return UNKNOWN
        if isinstance(node, ast.Constant):
            return const(node.value)
        if isinstance(node, ast.Name):
            if node.id in env:
                return env[node.id]
            if node.id in self.funcs:
                return V("func", node=self.funcs[node.id][-1])
            if node.id in self.classes:
                return V("class", node=self.classes[node.id], const=node.id)
            facts = getattr(self, "comment_facts", None)
            if facts is not None and node.id in facts.by_name:
                # a fragment that uses X before (or without) defining it, and a comment that describes X: the
                # comment's data (`X = X / 255.0` after `# X: pixels 0-255` scales them)
                self.described_names.add(node.id)
                return apply_described(V("unknown", const=None), facts.by_name[node.id])
            return V("unknown", const=None)
        if isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            if dotted and dotted in env:
                return env[dotted]
            if isinstance(node.value, ast.Name) and node.value.id == "self":
                owner = env.get("self")
                if owner is not None and isinstance(owner.const, str) and node.attr in self.instance_attrs.get(owner.const, {}):
                    return self.instance_attrs[owner.const][node.attr]
            base = self.eval(node.value, env, mult)
            if node.attr == "T":
                return transposed(base)      # (n, k) -> (k, n) when both sizes are known
            if base.kind == "unknown" and base.order is not None and node.attr in ("values", "iloc", "loc"):
                return V("unknown", const=None, order=base.order)   # an ordered table's arrays keep its rows
            if base.kind == "frame" and node.attr == "columns" and isinstance(base.const, list):
                # df.columns: the column names, so df[df.columns[:-1]] selects by them
                return V("seq", n=len(base.const), items=[V("str", const=c) for c in base.const],
                         const=list(base.const), mutable_list=True)
            if base.kind == "frame" and node.attr in ("values", "iloc"):
                return dataclasses.replace(base, kind="seq", const=None)   # positional from here on
            if base.kind == "seq" and node.attr in ("values", "iloc", "data"):
                return base
            if base.kind in ("seq", "frame") and node.attr == "shape" and base.n is not None:
                # X.shape[1] as Dense(..., input_dim=X.shape[1]): rows, then columns when known
                width = len(base.cols) if base.cols else (base.shape[1] if base.shape and len(base.shape) > 1 else None)
                dims = [const(base.n)] + ([const(width)] if width is not None else
                                          [UNKNOWN] if (base.ndim or 1) > 1 else [])
                return V("tuple", items=dims)
            if base.kind == "dict" and isinstance(base.const, dict) and node.attr in base.const:
                return base.const[node.attr]
            if base.kind == "obj" and isinstance(base.const, tuple) and base.const[:1] == ("tf_mnist",):
                if node.attr in ("train", "test", "validation"):
                    return dataclasses.replace(base, const=("tf_mnist", node.attr))
                if node.attr in ("images", "labels"):
                    x, y = datasets.tf_mnist_arrays({"train": 55000, "test": 10000}.get(base.const[-1], 5000))
                    return x if node.attr == "images" else y
            if base.kind in ("class", "obj") and isinstance(base.const, str) and base.const in self.classes:
                # a settings class: `class Config: lr = 0.01` ... Config.lr; a dataclass's `lr: float = 0.01`;
                # an attribute its __init__ set (`self.lr = lr`), read from outside as cfg.lr
                if base.kind == "obj" and node.attr in self.instance_attrs.get(base.const, {}):
                    return self.instance_attrs[base.const][node.attr]
                for st in self.classes[base.const].body:
                    if isinstance(st, ast.Assign) and any(isinstance(t, ast.Name) and t.id == node.attr for t in st.targets):
                        return self.eval(st.value, {}, mult)
                    if isinstance(st, ast.AnnAssign) and st.value is not None and isinstance(st.target, ast.Name) \
                            and st.target.id == node.attr:
                        return self.eval(st.value, {}, mult)
            if (node.attr in TORCH_ACTIVATIONS or node.attr in TORCH_LAYERS or node.attr in KERAS_LAYERS) and dotted \
                    and dotted.split(".")[0] not in env and base.kind == "unknown":
                # nn.Tanh, layers.Dense not called: a layer class handed on (def mlp(sizes, act=nn.ReLU): ... act())
                return V("fwclass", const=dotted)
            if node.attr in ("pi",):
                return const(math.pi)
            if node.attr == "e" and _dotted(node.value) in ("math", "np", "numpy"):
                return const(math.e)
            return UNKNOWN
        if isinstance(node, ast.UnaryOp):
            v = self.eval(node.operand, env, mult)
            if isinstance(node.op, ast.USub):
                if v.known:
                    return dataclasses.replace(v, lo=-v.hi, hi=-v.lo,
                                               const=-v.const if isinstance(v.const, (int, float)) else None,
                                               cols=[dataclasses.replace(c, lo=-c.hi, hi=-c.lo) if c.known else c
                                                     for c in v.cols] if v.cols else None)
                return dataclasses.replace(v, lo=None, hi=None, const=None)
            return v
        if isinstance(node, ast.BinOp):
            inner = _inline_sigmoid(node)
            if inner is not None:
                z = self.eval(inner, env, mult)
                if z.features_first or z.dist == "prediction":
                    # 1 / (1 + np.exp(-Z2)) of a layer's output (column-major W @ X or rows X @ W)
                    return _squash(z, "sigmoid")
            a, b = self.eval(node.left, env, mult), self.eval(node.right, env, mult)
            if isinstance(node.op, ast.Sub):
                self.note_broadcast(a, b, node)
                orientation = residual_orientation(a, b)
                if orientation is not None:
                    self.residuals[node] = orientation     # pred - y (+1) / y - pred (-1)
                    pred = a if a.dist == "prediction" else b
                    self.residual_activated = self.residual_activated or pred.activation not in (None, "linear")
                    self.residual_activations.add(pred.activation or "linear")
            if isinstance(node.op, ast.MatMult) and (a.dist == "placeholder" or a.dist == "prediction"
                                                     and isinstance(a.ref, LayerInfo)):
                # x @ W on a TF1 placeholder or on a graph layer's output: a layer of the graph; the output
                # of a NumPy / tensor network's `X @ W1` (no layer object) goes on as np.dot's does below
                m = self.tf_matmul(node, a, b)
                if m is not None:
                    return m
            if isinstance(node.op, ast.MatMult):
                m = self.weights_on_left(a, b, node.left, node.right) or self.weights_applied(a, b, node.right, node.left) \
                    or linear_combination(a, b)
                if m is not None:
                    return m
            applied = self.parameters_applied(a, b, node.op)
            if applied is not None:
                return applied
            if a.mutable_list and b.mutable_list and isinstance(node.op, ast.Add):
                if _layer_items(a) or _layer_items(b):           # [nn.Linear(1, 8)] + [nn.ReLU()]: one list of layers
                    items = (a.items or []) + (b.items or [])
                    return V("seq", items=items, n=len(items), mutable_list=True)
                joined = _concat_rows([a, b])                    # Python lists: + joins them
                if a.items is not None and b.items is not None and len(a.items) + len(b.items) <= 64 \
                        and not a.cols and not b.cols:
                    items = list(a.items) + list(b.items)        # [input_size] + hidden_sizes: still a literal list
                    consts = [i.const for i in items]
                    joined = dataclasses.replace(joined, items=items, mutable_list=True,
                                                 const=consts if all(c is not None for c in consts) else None)
                return joined
            if a.mutable_list and isinstance(node.op, ast.Mult) and isinstance(b.const, int) and not isinstance(b.const, bool):
                k = b.const                                      # [0] * 500: the list repeated
                return dataclasses.replace(a, n=a.n * k if a.n is not None else None, items=None,
                                           counts={c: m * k for c, m in a.counts.items()} if a.counts else None)
            if isinstance(node.op, ast.Add):
                # `x @ W + b`: adding a bias keeps a layer's output (its shape, its layer)
                for pred, other in ((a, b), (b, a)):
                    column_bias = pred.features_first and pred.shape is not None and other.n == pred.shape[0]
                    if pred.dist == "prediction" and other.dist != "prediction" and (other.n in (None, 1) or column_bias):
                        if isinstance(pred.ref, LayerInfo) and pred.ref.use_bias is False:
                            pred.ref.use_bias = True
                        return pred
            out = binop(node.op, a, b)
            if out.kind == "seq":
                out = dataclasses.replace(out, dtype=_result_dtype(node.op, a, b), order=_result_order(node.op, a, b))
            if out.kind == "seq" and out.shape is None:
                shapes = [v.shape for v in (a, b) if v.shape]
                if len(shapes) == 1 or (len(shapes) == 2 and shapes[0] == shapes[1]):
                    out = dataclasses.replace(out, shape=shapes[0])    # (x - m) / s keeps x's shape
            elif out.kind == "num" and (a.order is not None or b.order is not None):
                out = dataclasses.replace(out, order=_result_order(node.op, a, b))   # i / 1000 for i in range(n)
            dims = [d for d in (a.ndim, b.ndim) if d]
            if dims and not isinstance(node.op, ast.MatMult):
                out = dataclasses.replace(out, ndim=max(dims))
            if isinstance(a.const, (int, float)) and isinstance(b.const, (int, float)) and not isinstance(a.const, bool):
                try:
                    value = _const_binop(node.op, a.const, b.const)
                    if value is not None:
                        return const(value)
                except (ArithmeticError, ValueError, TypeError):
                    pass
            return out
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self.eval(e, env, mult) for e in node.elts]
            if isinstance(node, ast.Tuple):
                return V("tuple", items=items, const=tuple(i.const for i in items) if all(i.const is not None for i in items) else None)
            lo, hi = _union_range(items) if items and all(i.kind in ("num",) for i in items) else (None, None)
            consts = [i.const for i in items]
            numbers = bool(items) and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in consts)
            nested = [i.dtype for i in items if i.kind == "seq"]
            dtype = ("int64" if all(isinstance(c, int) for c in consts) else "float64") if numbers else (
                ("int64" if all(d == "int64" for d in nested) else "float64" if all(nested) else None)
                if nested and len(nested) == len(items) else None)
            counts = None
            if numbers and len(set(consts)) <= 50:    # a literal list: its values are known exactly
                counts = {}
                for c in consts:
                    counts[f"{c:g}"] = counts.get(f"{c:g}", 0) + 1
            return V("seq", lo, hi, all(i.integer for i in items) if items else False, n=len(items), items=items,
                     dtype=dtype, counts=counts,
                     const=[i.const for i in items] if items and all(i.const is not None for i in items) else ([] if not items else None),
                     mutable_list=True, made_at=(len(self.loop_counts), mult))
        if isinstance(node, ast.Lambda):
            return V("func", node=node)
        if isinstance(node, ast.Subscript) and self._index_trick(node.value) and isinstance(node.slice, ast.Tuple):
            # np.c_[a, b] stacks columns, np.r_[a, b] rows: the same as np.column_stack / np.concatenate
            parts = [self.eval(e, env, mult) for e in node.slice.elts if not isinstance(e, (ast.Slice, ast.Starred))]
            which = "column_stack" if self._index_trick(node.value) == "c_" else "concatenate"
            seq = V("tuple", items=parts)
            return self.library_call(f"np.{which}", which, "np", [seq], {}, ast.Call(func=node.value, args=[], keywords=[]))
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "loc":
            frame = self.eval(node.value.value, env, mult)
            if frame.kind == "frame":
                return self.frame_loc(frame, node.slice, env, mult)
        if isinstance(node, ast.Subscript):
            base = self.eval(node.value, env, mult)
            self.note_class_weight_lookup(node, base)
            out = self.subscript(base, node.slice, env, mult)
            if base.kind == "unknown" and base.order is not None and out.kind == "unknown" and out.order is None:
                # columns of a table the comments call ordered (df[['a', 'b']], df['y'], df.iloc[:, :4]) keep its
                # row order; one row (df[0]) or rows picked by an index array (X[perm]) do not
                one_row = isinstance(node.slice, ast.Name) or (isinstance(node.slice, ast.Constant)
                                                               and not isinstance(node.slice.value, str))
                if not one_row:
                    out = dataclasses.replace(out, order=base.order)
            return out
        if isinstance(node, ast.ListComp) and len(node.generators) == 1:
            kept = self.names_comprehension(node, env, mult)
            if kept is not None:
                return kept
        if isinstance(node, ast.ListComp) and len(node.generators) == 1 and not node.generators[0].ifs:
            built = self.layers_of_comprehension(node, env, mult)
            if built is not None:
                return built
        if isinstance(node, ast.ListComp) and len(node.generators) == 1:
            row = self.unrolled_comprehension(node, env, mult)
            if row is not None:
                return row
        if isinstance(node, ast.ListComp) or isinstance(node, ast.GeneratorExp):
            local = ChainMap({}, env)
            n_total: int | None = 1
            for gen in node.generators:
                it = self.eval(gen.iter, local, mult)
                self.assign(gen.target, it.elem(), local, ast.Pass())
                n_total = (n_total * it.n) if (n_total is not None and it.n is not None) else None
            elt = self.eval(node.elt, local, mult)
            # the Python type of the elements (int() / range counters / literals): what np.array and
            # torch.tensor make of the list (int64 for Python ints, a floating type for floats)
            counters = {t.id for g in node.generators for t in ast.walk(g.target) if isinstance(t, ast.Name)
                        and isinstance(g.iter, ast.Call) and _dotted(g.iter.func) == "range"}
            py = _python_number_type(node.elt, counters)
            dtype = "int64" if py == "int" else None     # floats: np.array makes float64, torch.tensor float32
            if elt.kind == "seq" and elt.items is not None:
                cols = [dataclasses.replace(i, n=n_total, kind="seq") for i in elt.items]
                lo, hi = _union_range(cols)
                return V("seq", lo, hi, all(c.integer for c in cols), n_total, cols=cols, dtype=dtype)
            return V("seq", elt.lo, elt.hi, elt.integer, n_total, dtype=dtype)
        if isinstance(node, ast.IfExp):
            a, b = self.eval(node.body, env, mult), self.eval(node.orelse, env, mult)
            lo, hi = _union_range([a, b])
            return V(a.kind, lo, hi, a.integer and b.integer, _n_of(a, b))
        if isinstance(node, ast.Call):
            return self.call(node, env, mult)
        if isinstance(node, ast.Compare):
            left = self.eval(node.left, env, mult)
            rights = [self.eval(c, env, mult) for c in node.comparators]
            mask = _names_mask(node.ops, left, rights)
            if mask is not None:
                return mask
            folded = _fold_compare(node.ops, [left] + rights)
            if folded is not None:
                return const(folded)
            rows = next((v for v in [left] + rights if v.kind == "seq" and v.n is not None and not v.mutable_list), None)
            if rows is not None and len(node.ops) == 1 and not isinstance(node.ops[0], (ast.In, ast.NotIn, ast.Is, ast.IsNot)):
                # an elementwise comparison of arrays (x[:, 0] > 0.5): 0/1 flags of the array's shape
                flags = [V("seq", 0.0, 1.0, True, rows.n, dtype="bool") for _ in rows.cols] if rows.cols else None
                counts = None if flags else _threshold_counts(node.ops[0], left, rights[0])
                return V("seq", 0.0, 1.0, True, rows.n, cols=flags, ndim=rows.ndim, dtype="bool", shape=rows.shape,
                         counts=counts)
            return V("num", 0.0, 1.0, True)
        if isinstance(node, ast.BoolOp):
            vals = [self.eval(v, env, mult) for v in node.values]
            return vals[-1] if vals else UNKNOWN
        if isinstance(node, ast.Dict):
            entries = {}
            pairs = []
            for k, v in zip(node.keys, node.values):
                val = self.eval(v, env, mult)
                if isinstance(k, ast.Constant) and isinstance(k.value, (str, int)):
                    entries[k.value] = val
                if k is not None:   # every key: a feed_dict is keyed by placeholders
                    pairs.append(V("tuple", items=[self.eval(k, env, mult), val]))
            return V("dict", const=entries, items=pairs, node=node)
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            val = self.eval(node.value, env, mult) if node.value is not None else V("none")
            if self.yielded:
                self.yielded[-1].append(val)
                self.yield_mults[-1].append(mult)
            return UNKNOWN
        if isinstance(node, ast.JoinedStr):
            return V("str")
        return UNKNOWN

    def unrolled_comprehension(self, node: ast.ListComp, env: dict[str, V], mult: int) -> V | None:
        """[x ** (deg - i) for i in range(deg)] over a short literal range: one number per counter value, as
        the literal list [x ** 2, x] would be, so a row built this way keeps its width and each column its
        own range (polynomial features, one row per sample)."""
        gen = node.generators[0]
        if gen.ifs or not isinstance(gen.target, ast.Name) or not isinstance(gen.iter, ast.Call) \
                or _dotted(gen.iter.func) != "range" or gen.iter.keywords or not 1 <= len(gen.iter.args) <= 3:
            return None
        bounds = [self.eval(a, env, mult).const for a in gen.iter.args]
        if not all(isinstance(b, int) and not isinstance(b, bool) for b in bounds):
            return None
        counter = range(*bounds)
        if not 1 <= len(counter) <= UNROLLED_COMPREHENSION_MAX:
            return None
        items = [self.eval(node.elt, ChainMap({gen.target.id: const(k)}, env), mult) for k in counter]
        if not all(i.kind == "num" and i.known and i.n is None for i in items):
            return None
        lo, hi = _union_range(items)
        return V("seq", lo, hi, all(i.integer for i in items), n=len(items), items=items,
                 const=[i.const for i in items] if all(i.const is not None for i in items) else None,
                 dtype="int64" if all(i.integer and isinstance(i.const, int) for i in items) else None)

    def names_comprehension(self, node: ast.ListComp, env: dict[str, V], mult: int) -> V | None:
        """`[c for c in df.columns if c != 'y']` (conditions on the name alone): the names kept, so
        df[kept] selects those columns. None when the loop is over anything else or a condition does
        not come out True or False for a name."""
        gen = node.generators[0]
        if not (isinstance(gen.target, ast.Name) and isinstance(node.elt, ast.Name) and node.elt.id == gen.target.id
                and gen.ifs):
            return None
        names = self.eval(gen.iter, env, mult)
        if not _is_names(names):
            return None
        kept = []
        for c in names.const:
            local = ChainMap({gen.target.id: const(c)}, env)
            flags = [self.name_condition(cond, gen.target.id, c, local, mult) for cond in gen.ifs]
            if not all(isinstance(f, bool) for f in flags):
                return None
            if all(flags):
                kept.append(c)
        return _names(kept)

    def name_condition(self, cond: ast.AST, var: str, name: str, env: dict[str, V], mult: int) -> bool | None:
        """One condition of a comprehension over column names, for one name: `c != 'y'`, `c not in
        ['y', 'id']` (a literal list of names); None when it is not decided by the name."""
        if isinstance(cond, ast.Compare) and len(cond.ops) == 1 and isinstance(cond.ops[0], (ast.In, ast.NotIn)) \
                and isinstance(cond.left, ast.Name) and cond.left.id == var:
            pool = self.eval(cond.comparators[0], env, mult)
            if not _is_names(pool):
                return None
            return (name in pool.const) == isinstance(cond.ops[0], ast.In)
        flag = self.eval(cond, env, mult).const
        return flag if isinstance(flag, bool) else None

    def frame_loc(self, frame: V, sl: ast.AST, env: dict[str, V], mult: int) -> V:
        """df.loc[rows, cols] by label: 'price' (one column), ['a', 'b'], 'a':'c' (both ends included,
        as pandas slices labels); df.loc[mask] alone selects rows and keeps every column."""
        if not isinstance(sl, ast.Tuple) or len(sl.elts) != 2:
            return frame
        col = sl.elts[1]
        names = frame.const if isinstance(frame.const, list) else []
        if isinstance(col, ast.Slice) and col.step is None:
            ends = [self.eval(b, env, mult).const if b is not None else None for b in (col.lower, col.upper)]
            if names and frame.cols and all(e is None or e in names for e in ends):
                first = names.index(ends[0]) if ends[0] is not None else 0
                last = names.index(ends[1]) if ends[1] is not None else len(names) - 1
                picks = list(range(first, last + 1))
                return select_columns(frame, picks) if picks else UNKNOWN
            return UNKNOWN
        if isinstance(col, ast.Compare):
            # df.loc[:, df.columns != 'y']: the columns whose flag is set
            mask = self.eval(col, env, mult)
            if names and frame.cols and isinstance(mask.const, list) and len(mask.const) == len(names) \
                    and all(isinstance(k, bool) for k in mask.const):
                picks = [i for i, k in enumerate(mask.const) if k]
                return select_columns(frame, picks) if picks else UNKNOWN
        return self.subscript(frame, col, env, mult)

    def rows_of(self, base: V, key: ast.AST, env: dict[str, V], mult: int) -> V | None:
        """X[0:1, :] / X[0, :] of a 2-D array held without per-column values (a wide array, or the
        (features, samples) data of a column-major network): the rows picked, all columns. A literal row
        number gives that one row, a 1-D array as long as X is wide; a slice gives fewer rows."""
        width = base.shape[1] if base.shape and len(base.shape) == 2 and isinstance(base.shape[1], int) else None
        if isinstance(key, ast.Slice):
            bounds = [self.eval(b, env, mult).const if b is not None else None for b in (key.lower, key.upper, key.step)]
            if not all(b is None or (isinstance(b, int) and not isinstance(b, bool)) for b in bounds):
                return None
            picks = list(range(base.n))[slice(*bounds)]
            if not picks:
                return None
            rows = [base.rows[i] for i in picks] if base.rows is not None and len(base.rows) == base.n else None
            lo, hi = _union_range(rows) if rows else (base.lo, base.hi)
            return dataclasses.replace(base, n=len(picks), rows=rows, lo=lo, hi=hi, items=None, mutable_list=False,
                                       shape=(len(picks), width) if width is not None else None, counts=None,
                                       order=None, const=None)
        idx = self.eval(key, env, mult)
        if not (isinstance(idx.const, int) and not isinstance(idx.const, bool) and -base.n <= idx.const < base.n):
            return None
        row = base.rows[idx.const] if base.rows is not None and len(base.rows) == base.n else base
        return V("seq", row.lo, row.hi, row.integer, width, dist=row.dist, ndim=1, shape=(width,) if width else None,
                 dtype=base.dtype)

    def subscript(self, base: V, sl: ast.AST, env: dict[str, V], mult: int) -> V:
        if _is_names(base) and not isinstance(sl, ast.Slice):
            key = self.eval(sl, env, mult)
            if isinstance(key.const, list) and len(key.const) == len(base.const) \
                    and all(isinstance(k, bool) for k in key.const):
                # cols[cols != 'Strength']: the column names the mask keeps, so df[cols[mask]] selects by them
                return _names([c for c, k in zip(base.const, key.const) if k])
        if base.kind == "unknown" and isinstance(sl, ast.Slice) and sl.step is None and sl.upper is not None:
            # rows[:50] of data the reader could not see (a file not posted): its values stay unknown, but the
            # script goes on with 50 rows (len(), np.arange(1, len(x) + 1) ...)
            lower = self.eval(sl.lower, env, mult).const if sl.lower is not None else 0
            upper = self.eval(sl.upper, env, mult).const
            if all(isinstance(b, int) and not isinstance(b, bool) for b in (lower, upper)) and 0 <= lower < upper:
                return V("seq", n=upper - lower)
        if base.kind == "dict" and isinstance(base.const, dict):
            key = self.eval(sl, env, mult)
            return base.const.get(key.const, UNKNOWN) if isinstance(key.const, (str, int)) else UNKNOWN
        if base.kind == "frame":
            key = self.eval(sl, env, mult) if not isinstance(sl, ast.Slice) else None
            names = base.const if isinstance(base.const, list) else []
            if key is not None and isinstance(key.const, str) and key.const in names and base.cols:
                return dataclasses.replace(base.cols[names.index(key.const)], n=base.n, kind="seq", ndim=1)   # a Series
            if key is not None and isinstance(key.const, list) and base.cols and all(k in names for k in key.const):
                return select_columns(base, [names.index(k) for k in key.const])
            if isinstance(sl, ast.Slice) or (key is not None and key.kind in ("seq", "unknown")):
                return base      # a row selection
            return UNKNOWN
        if isinstance(sl, ast.Tuple) and len(sl.elts) == 2 and (
                (isinstance(sl.elts[1], ast.Constant) and sl.elts[1].value is None) or _dotted(sl.elts[1]) in ("np.newaxis", "None", "numpy.newaxis", "tf.newaxis")):
            return unsqueezed(base)
        if isinstance(sl, ast.Tuple) and len(sl.elts) == 2 and not base.cols and base.ndim == 2 and base.kind == "seq" \
                and not isinstance(sl.elts[1], ast.Slice):
            return dataclasses.replace(base, ndim=1, shape=None)
        if isinstance(sl, ast.Tuple) and len(sl.elts) == 2 and base.kind == "seq" and not base.cols and base.n \
                and isinstance(sl.elts[1], ast.Slice) and sl.elts[1].lower is None and sl.elts[1].upper is None \
                and sl.elts[1].step is None and (base.ndim == 2 or base.rows is not None):
            picked = self.rows_of(base, sl.elts[0], env, mult)
            if picked is not None:
                return picked
        if isinstance(sl, ast.Tuple) and len(sl.elts) == 2 and base.cols:
            col = sl.elts[1]
            if isinstance(col, ast.Slice):
                bounds = [self.eval(b, env, mult).const if b is not None else None for b in (col.lower, col.upper, col.step)]
                if all(b is None or (isinstance(b, int) and not isinstance(b, bool)) for b in bounds):
                    picks = list(range(len(base.cols)))[slice(*bounds)]
                    return select_columns(dataclasses.replace(base, kind="seq", const=None), picks) if picks else base
                return base
            idx = self.eval(col, env, mult)
            if isinstance(idx.const, int) and not isinstance(idx.const, bool) and -len(base.cols) <= idx.const < len(base.cols):
                return dataclasses.replace(base.cols[idx.const], n=base.n, kind="seq", ndim=1, dtype=base.dtype)
            if isinstance(idx.const, list) and idx.const and all(isinstance(i, int) for i in idx.const):
                return select_columns(dataclasses.replace(base, kind="seq", const=None), idx.const)
            return base
        if isinstance(sl, ast.Slice):
            bounds = [self.eval(b, env, mult).const if b is not None else None for b in (sl.lower, sl.upper, sl.step)]
            if base.kind == "seq" and base.n and all(b is None or (isinstance(b, int) and not isinstance(b, bool)) for b in bounds) \
                    and any(b is not None for b in bounds):
                rows = len(range(base.n)[slice(*bounds)])      # X[:1024], X[-100:]: that many rows
                if base.mutable_list and base.items is not None and len(base.items) == base.n:
                    # sizes[:-1] of a literal list (layer widths): the items themselves, as Python slices them
                    items = base.items[slice(*bounds)]
                    return dataclasses.replace(base, n=len(items), items=items, counts=None,
                                               const=base.const[slice(*bounds)] if isinstance(base.const, list) else None,
                                               lo=_union_range(items)[0] if items else None,
                                               hi=_union_range(items)[1] if items else None)
                return dataclasses.replace(base, n=rows, items=None, mutable_list=False,
                                           shape=(rows, *base.shape[1:]) if base.shape else None)
            return base
        if base.kind == "tuple" and base.items is not None:
            idx = self.eval(sl, env, mult)
            if isinstance(idx.const, int) and -len(base.items) <= idx.const < len(base.items):
                return base.items[idx.const]
            return UNKNOWN
        if base.kind == "seq":
            idx = self.eval(sl, env, mult)
            if base.items is not None and isinstance(idx.const, int) and -len(base.items) <= idx.const < len(base.items):
                return base.items[idx.const]
            if idx.kind == "seq" and idx.dist == "permutation":   # X[perm]: the rows shuffled
                self.shuffled = True
                return shuffled(dataclasses.replace(base, n=idx.n or base.n, items=None, mutable_list=False))
            if idx.kind == "seq":        # fancy indexing with an index array: a subset of rows
                return dataclasses.replace(base, n=idx.n, items=None, mutable_list=False)
            if idx.kind == "unknown":    # X[idx] with an unknown index (a batch, usually): same data
                return dataclasses.replace(base, items=None, mutable_list=False)
            return base.elem()
        return UNKNOWN

    # ---- calls
    def call(self, node: ast.Call, env: dict[str, V], mult: int) -> V:
        func = node.func
        if _dotted(func) == "dict" and not node.args and "dict" not in env:
            # dict(kernel_initializer=..., ...): the same as the literal
            literal = ast.Dict(keys=[ast.Constant(k.arg) for k in node.keywords if k.arg],
                               values=[k.value for k in node.keywords if k.arg])
            return self.eval(ast.copy_location(literal, node), env, mult)
        if isinstance(func, ast.Call) and _dotted(func.func) == "getattr" and "getattr" not in env \
                and len(func.args) == 2 and not func.keywords and _dotted(func.args[0]):
            # getattr(optim, "Adam")(model.parameters(), lr=...) / getattr(torch.optim, args.opt)(...): the
            # class named by a literal (or a name holding one), called as written out
            attr = self.eval(func.args[1], env, mult)
            if isinstance(attr.const, str) and attr.const.isidentifier():
                named = ast.copy_location(ast.Attribute(value=func.args[0], attr=attr.const, ctx=ast.Load()), func)
                return self.call(ast.copy_location(ast.Call(func=named, args=node.args, keywords=node.keywords), node),
                                 env, mult)
        if isinstance(func, ast.Call):
            # Dense(16)(x): the functional API; the layer registers itself, its output is a tensor
            inner = self.eval(func, env, mult)
            called = [self.eval(a, env, mult) for a in node.args]
            if inner.kind == "loss":         # nn.MSELoss()(pred, y)
                self.config.loss = self.config.loss or inner.const
                self.torch_loss_call(called, node)
                return V("num")
            if inner.kind == "model":        # Net()(x)
                return self.prediction(inner, called)
            squashed = _through_activation(inner, called)
            if squashed is not None:         # nn.Sigmoid()(out)
                return squashed
            return V("seq", dist="prediction") if inner.kind == "layer" else UNKNOWN
        dotted = _dotted(func) or ""
        last = _last(dotted) if dotted else (func.attr if isinstance(func, ast.Attribute) else "")
        args = self.call_args(node, env, mult)
        kw = {k.arg: self.eval(k.value, env, mult) for k in node.keywords if k.arg}
        kwnodes = {k.arg: k.value for k in node.keywords if k.arg}
        if last in ("ModuleList",) and args and _layer_items(args[0]):
            return args[0]                       # nn.ModuleList([...]): the list of layers itself
        if last == "ModuleList" and (not args or args[0].items == []) and not kw:
            # nn.ModuleList() filled by .append(nn.Linear(...)) in a loop: an empty list of layers that the
            # appends extend (and register on the module, see register_layers)
            return V("seq", items=[], n=0, mutable_list=True, const="ModuleList")
        if last in ("SimpleNamespace", "Namespace", "EasyDict", "edict") and not args:
            return V("dict", const=dict(kw))     # SimpleNamespace(lr=0.1): settings read as attributes
        if last == "OrderedDict" and args and args[0].items is not None and not isinstance(func, ast.Attribute) or (
                dotted == "collections.OrderedDict" and args and args[0].items is not None):
            # nn.Sequential(OrderedDict([("fc1", nn.Linear(...)), ("act", nn.ReLU()), ...])): the values, in order
            values = [t.items[1] for t in args[0].items if t.kind == "tuple" and t.items and len(t.items) == 2]
            return V("seq", items=values, n=len(values), mutable_list=True)
        for k in node.keywords:
            if k.arg is None:        # f(**settings) with a dict literal built earlier
                spread = self.eval(k.value, env, mult)
                if spread.kind == "dict" and isinstance(spread.const, dict):
                    for name, value in spread.const.items():
                        if isinstance(name, str) and name not in kw:
                            kw[name] = value
                    if isinstance(spread.node, ast.Dict):
                        for kn, vn in zip(spread.node.keys, spread.node.values):
                            if isinstance(kn, ast.Constant) and isinstance(kn.value, str) and kn.value not in kwnodes:
                                kwnodes[kn.value] = vn
        if isinstance(func, ast.Name) and func.id in self.name_alias and func.id not in env:
            dotted = self.name_alias[func.id]
            last = _last(dotted)
        if isinstance(func, ast.Name) and func.id not in env and func.id not in self.funcs and func.id not in self.name_alias:
            # randn(100, 1) after `from numpy.random import randn` / `from pylab import *`: numpy's function,
            # read as written out (np.random.randn); `from numpy import linspace` likewise (np.linspace)
            full = _numpy_name(func.id, self.from_module.get(func.id), self.star_numpy)
            if full:
                dotted, last = full, func.id
        if isinstance(func, ast.Name) and func.id in env and env[func.id].kind == "fwclass" and isinstance(env[func.id].const, str):
            dotted = env[func.id].const     # act() where act = nn.ReLU: that layer class, called
            last = _last(dotted)
        root, dot, rest = dotted.partition(".")
        if dot and root in self.module_alias and root not in env:
            dotted = self.module_alias[root] + "." + rest
        elif dot and root in env and env[root].kind == "obj" and env[root].const == "np.random":
            dotted = "np.random." + rest        # r = np.random.RandomState(0); r.uniform(...) / default_rng()
        if _last(dotted) in ("RandomState", "default_rng", "Generator") and "random" in dotted:
            return V("obj", const="np.random")
        prefix = dotted.rsplit(".", 1)[0] if "." in dotted else ""

        low = last.lower()
        if low in FUNC_ACTIVATIONS and args and (prefix in _ACTIVATION_MODULES or prefix.endswith("nn.functional")) \
                and (args[0].dist == "prediction" or not args[0].known):
            # torch.sigmoid(out), F.softmax(out, dim=1): the value now holds that activation's outputs
            return _squash(args[0], low)
        if args and args[0].features_first and prefix in ("np", "numpy") and (
                low == "tanh" or (low == "maximum" and len(args) == 2 and args[1].kind == "num" and args[1].const == 0)):
            # np.tanh(Z1), np.maximum(Z1, 0) of a layer's output in a column-major NumPy network: its activation
            return _squash(args[0], "tanh" if low == "tanh" else "relu")
        if len(args) == 2 and args[1].features_first and prefix in ("np", "numpy") and low == "maximum" \
                and args[0].kind == "num" and args[0].const == 0:
            return _squash(args[1], "relu")     # np.maximum(0, Z1)
        # method calls on known objects (np.append(a, v) is numpy's function, not a list's append)
        if isinstance(func, ast.Attribute) and not (func.attr == "append" and prefix in ("np", "numpy") and root not in env):
            obj = self.eval(func.value, env, mult)
            if func.attr == "requires_grad_" and obj.kind in ("seq", "num"):
                return dataclasses.replace(obj, param=True)
            if func.attr in FUNC_ACTIVATIONS and obj.dist == "prediction" and prefix not in _ACTIVATION_MODULES:
                return _squash(obj, func.attr)      # out.sigmoid(), out.softmax(dim=1)
            r = self.method_call(node, func.attr, obj, args, kw, kwnodes, env, mult)
            if r is not None:
                return r
            if func.attr in LEGACY_METHODS and (obj.kind == "model" or "keras" in self.framework_hint):
                self.add_legacy(f".{func.attr}()", f".{LEGACY_METHODS[func.attr]}", node, node)

        # the script's own functions and classes
        if isinstance(func, ast.Name):
            target = env.get(func.id)
            if target is None or target.kind == "unknown":
                if func.id in self.funcs:
                    target = V("func", node=self.funcs[func.id][-1])
                elif func.id in self.classes:
                    target = V("class", node=self.classes[func.id], const=func.id)
            if target is not None and target.kind == "func" and target.node is not None:
                defs = self._defs_for(func.id, node) if isinstance(target.node, ast.FunctionDef) else [target.node]
                results = [self.call_user(d, args, kw, env, mult) for d in defs]
                out = _widest(results)
                if func.id.lower() in _OWN_ACTIVATIONS and len(args) == 1 and args[0].dist == "prediction" \
                        and out.dist != "prediction":
                    # the script's own `def sigmoid(z): return 1 / (1 + np.exp(-z))` on a layer's output: an
                    # activated prediction still (what a from-scratch network outputs), as np.tanh(out) is
                    return _squash(args[0], func.id.lower())
                return out
            if target is not None and target.kind == "class" and target.node is not None:
                return self.instantiate(target.node, args, kw, env, mult, node)

        if last in ("zeros_", "ones_", "constant_", "fill_", "zero_", "normal_", "uniform_"):
            self.torch_init(node, last, env)
            return V("none")
        if last in ("dot", "matmul", "mm") and len(node.args) >= 2 and prefix.split(".")[0] in ("np", "numpy", "torch") \
                and len(args) >= 2:
            m = self.weights_on_left(args[0], args[1], node.args[0], node.args[1]) \
                or self.weights_applied(args[0], args[1], node.args[1], node.args[0]) or linear_combination(args[0], args[1])
            if m is not None:
                return m
        if last in ("mean", "sum", "reduce_mean", "reduce_sum") and self.config.loss is None:
            # a hand-written squared error: mean((pred - y) ** 2), ((pred - y) ** 2).mean()
            inner = node.args[0] if node.args else (func.value if isinstance(func, ast.Attribute) else None)
            if inner is not None and self._squared_error(inner, env) and (
                    self.seen_layers or self.models or self._model_input is not None or self.manual_steps()):
                self.config.loss = "mse"
        if last == "shuffle" and args and not isinstance(func, ast.Attribute) or (
                last == "shuffle" and prefix.split(".")[-1] in ("random", "utils", "rng")):
            self.shuffled = True
            if prefix.split(".")[-1] in ("random", "rng") or dotted == "random.shuffle":    # in place
                for a in node.args:
                    name = _dotted(a)
                    if name and name in env:
                        env[name] = shuffled(env[name])
                return V("none")
            return V("tuple", items=[shuffled(a) for a in args]) if len(args) > 1 else (shuffled(args[0]) if args else UNKNOWN)
        # scikit-learn wrappers of a Keras model: KerasClassifier(build_fn=...), cross_val_score(estimator, X, y)
        r = self.sklearn_wrapper_call(node, last, args, kw, kwnodes, env, mult)
        if r is not None:
            return r
        # frameworks
        r = self.framework_call(node, dotted, last, prefix, args, kw, kwnodes, env, mult)
        if r is not None:
            return r
        if last in _ARRAY_FUNCTIONS and prefix in ("np", "numpy", "torch") and args and args[0].kind == "seq":
            # np.reshape(a, -1), torch.flatten(t): the method a.reshape(-1) / t.flatten()
            r = self.method_call(node, last, args[0], args[1:], kw, kwnodes, env, mult)
            if r is not None:
                return r
        out = self.with_dtype(self.library_call(dotted, last, prefix, args, kw, node), last, prefix, args, node)
        trainable = kw.get("requires_grad")
        if out.kind in ("seq", "num") and (last == "Parameter" or (trainable is not None and trainable.const is True)):
            out = dataclasses.replace(out, param=True)  # torch.randn(1, requires_grad=True): a weight of the model
        return out

    def _squared_error(self, node: ast.AST, env: dict[str, V], depth: int = 0) -> bool:
        """A squared difference, written out (`(pred - y) ** 2`), held by a name (`l = (pred - y) ** 2`), or
        returned by the script's own function (`def squared_loss(y_hat, y): return (y_hat - y) ** 2 / 2`,
        then `l = squared_loss(net(X), y); l.sum().backward()`)."""
        if _squared_difference(node):
            return True
        if depth >= 3:
            return False
        if isinstance(node, ast.Name) and node.id in self.assigned_values:
            return self._squared_error(self.assigned_values[node.id], env, depth + 1)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            target = env.get(node.func.id)
            fn = target.node if target is not None and target.kind == "func" else None
            if fn is None and node.func.id in self.funcs:
                fn = self.funcs[node.func.id][-1]
            if isinstance(fn, ast.FunctionDef):
                return any(isinstance(r, ast.Return) and r.value is not None and _squared_difference(r.value)
                           for r in ast.walk(fn))
            if isinstance(fn, ast.Lambda):
                return _squared_difference(fn.body)
        return False

    def manual_steps(self) -> bool:
        """Parameters stepped by hand (`param -= lr * param.grad`): a training loop without framework layers."""
        return bool(getattr(self, "manual_sgd", None)) or bool(self.stepped_vars)

    def call_args(self, node: ast.Call, env: dict[str, V], mult: int) -> list[V]:
        """Positional arguments; `*layers` of a list whose items are known is spread as Python spreads it
        (nn.Sequential(*layers)); a starred value of unknown length ends the known positions."""
        out: list[V] = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                spread = self.eval(a.value, env, mult)
                if spread.kind in ("seq", "tuple") and spread.items is not None and len(spread.items) <= 64 \
                        and not spread.cols:
                    out.extend(spread.items)
                    continue
                break
            out.append(self.eval(a, env, mult))
        return out

    # a loop that builds a network (model.add(Dense(units)) for units in (64, 32), layers.append(nn.Linear(a, b))
    # for a, b in zip(sizes, sizes[1:])) is read once per pass when its passes are known and few; a loop that
    # trains is read once (its passes only multiply the updates)
    MAX_UNROLL = 16
    _TRAINING_CALLS = frozenset({"step", "backward", "fit", "fit_generator", "train_on_batch", "minimize", "run",
                                 "apply_gradients"})

    def unrolled(self, stmt: ast.For, env: dict[str, V], mult: int) -> list[V] | None:
        builds = False
        for n in ast.walk(stmt):
            if isinstance(n, ast.Call):
                name = _last(_dotted(n.func)) or (n.func.attr if isinstance(n.func, ast.Attribute) else "")
                if name in self._TRAINING_CALLS:
                    return None
                if name in KERAS_LAYERS or name in TORCH_LAYERS or name in TORCH_ACTIVATIONS or (
                        name in ("add", "append", "extend", "add_module") and n.args):
                    builds = True
            elif isinstance(n, (ast.While, ast.Yield, ast.YieldFrom)):
                return None
        it = stmt.iter
        if not builds:
            # `for layer in self.layers[:-1]: x = torch.relu(layer(x))` in forward(): a pass per layer of a
            # ModuleList / list of layers (read without side effects: a name, an attribute, a slice of one)
            # (also a literal list of them: `for layer in [self.fc1, self.fc2]`)
            if not isinstance(it, (ast.Name, ast.Attribute, ast.Subscript, ast.List, ast.Tuple)) or any(
                    isinstance(n, ast.Call) for n in ast.walk(it)):
                return None
            held = self.eval(it, env, mult)
            if not (held.items and len(held.items) <= self.MAX_UNROLL and _layer_items(held)
                    and all(i.kind == "layer" for i in held.items)):
                return None
            return list(held.items)
        wrapper = _dotted(it.func) if isinstance(it, ast.Call) else None
        plain = (ast.Name, ast.Attribute, ast.List, ast.Tuple, ast.Subscript, ast.Constant, ast.BinOp, ast.UnaryOp)

        def pure(a: ast.AST) -> bool:     # len(sizes) has no side effects either
            return isinstance(a, plain) or (isinstance(a, ast.Call) and isinstance(a.func, ast.Name) and a.func.id == "len"
                                            and len(a.args) == 1 and isinstance(a.args[0], plain) and not a.keywords)

        if not all(pure(a) for a in (it.args if wrapper in ("range", "xrange", "np.arange", "numpy.arange", "zip", "enumerate")
                                     else [it])):
            return None     # read only values without side effects twice (a call is read by the plain loop)

        def items_of(v: V) -> list[V] | None:
            if v.kind in ("seq", "tuple") and v.items is not None and not v.cols and len(v.items) <= self.MAX_UNROLL:
                return list(v.items)
            return None

        if wrapper in ("range", "xrange", "np.arange", "numpy.arange") and it.args and not it.keywords:
            bounds = [self.eval(a, env, mult).const for a in it.args]
            if not all(isinstance(b, int) and not isinstance(b, bool) for b in bounds):
                return None
            values = list(range(*bounds))
            return [const(v) for v in values] if len(values) <= self.MAX_UNROLL else None
        if wrapper in ("zip", "enumerate") and it.args and not any(isinstance(a, ast.Starred) for a in it.args):
            parts = [items_of(self.eval(a, env, mult)) for a in it.args]
            if any(p is None for p in parts):
                return None
            if wrapper == "enumerate":
                return [V("tuple", items=[const(i), v]) for i, v in enumerate(parts[0])]
            return [V("tuple", items=list(t)) for t in zip(*parts)]
        return items_of(self.eval(it, env, mult))

    def layers_of_comprehension(self, node: ast.ListComp, env: dict[str, V], mult: int) -> V | None:
        """[nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])]: one layer per pass, when the passes are known
        and few (read as the unrolled loop would be)."""
        if not any(isinstance(n, ast.Call) and (_last(_dotted(n.func)) in TORCH_LAYERS or _last(_dotted(n.func)) in KERAS_LAYERS)
                   for n in ast.walk(node.elt)):
            return None
        gen = node.generators[0]
        loop = ast.For(target=gen.target, iter=gen.iter, body=[ast.Expr(node.elt)], orelse=[])
        ast.copy_location(loop, node)
        passes = self.unrolled(loop, env, mult)
        if passes is None:
            return None
        local = ChainMap({}, env)
        outer, items = self.unroll_pass, []
        try:
            for i, element in enumerate(passes):
                self.unroll_pass = outer + (i,) if i else outer
                self.assign(gen.target, element, local, ast.Pass())
                items.append(self.eval(node.elt, local, mult))
        finally:
            self.unroll_pass = outer
        if not items or not all(v.kind in ("layer", "model") for v in items):
            return None
        return V("seq", items=items, n=len(items), mutable_list=True)

    def _defs_for(self, name: str, call: ast.AST) -> list[ast.AST]:
        """The definition Python would call (the last one above the call) and, for a pasted script with an
        edited copy of the function below (seed 4), the first one after it; the widest result is kept."""
        defs = self.funcs.get(name, [])
        line = getattr(call, "lineno", 0)
        before = [d for d in defs if d.lineno < line]
        after = [d for d in defs if d.lineno > line]
        chosen = before[-1:] + after[:1]
        return chosen or defs[-1:]

    def instantiate(self, cls: ast.ClassDef, args: list[V], kw: dict[str, V], env: dict[str, V], mult: int,
                    node: ast.Call) -> V:
        obj = V("obj", const=cls.name)
        bases = {_last(_dotted(b)) for b in cls.bases}
        network = "Module" in bases or "Model" in bases     # torch nn.Module or a Keras Model subclass
        if network:
            model = self.torch_modules.get(cls.name)
            if model is None:
                model = _Model(cls.name, "torch" if "Module" in bases else "keras", line=self.line(cls))
                self.torch_modules[cls.name] = model
                self.models.append(model)
            obj = V("model", ref=model, const=cls.name)
        init = next((f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)
        if init is not None:
            self.call_user(init, args, kw, env, mult, self_obj=obj)
        elif not network and (args or kw):
            # a dataclass (fields `lr: float = 0.01`, no __init__ of its own): Settings(lr=0.5) sets its fields
            fields = [st.target.id for st in cls.body if isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name)]
            given = dict(zip(fields, args))
            given.update({k: v for k, v in kw.items() if k in fields})
            if given:
                self.instance_attrs.setdefault(cls.name, {}).update(given)
        if network:
            fwd = next((f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name in ("forward", "call")), None)
            if fwd is not None:
                self.torch_forward_activations(fwd, obj.ref)
        return obj

    def call_user(self, fn: ast.AST, args: list[V], kw: dict[str, V], env: dict[str, V], mult: int,
                  self_obj: V | None = None) -> V:
        if self.depth >= self.MAX_DEPTH or self.steps > self.MAX_STEPS:
            return UNKNOWN
        visits = self.visits.get(id(fn), 0)
        if visits >= self.MAX_VISITS:  # each function is read a few times at most: linear time in the file
            return UNKNOWN
        self.visits[id(fn)] = visits + 1
        self.visited_funcs.add(id(fn))
        a = fn.args
        params = [p.arg for p in a.posonlyargs + a.args]
        local = ChainMap({}, env)  # globals visible (read); assignments stay local
        defaults = a.defaults
        for i, p in enumerate(params):
            local[p] = UNKNOWN
        for p, d in zip(params[len(params) - len(defaults):], defaults):
            local[p] = self.eval(d, env, mult)
        offset = 0
        if self_obj is not None and params and params[0] == "self":
            local["self"] = self_obj
            offset = 1
        elif params and params[0] == "self" and isinstance(fn, ast.FunctionDef):
            offset = 1
        for i, v in enumerate(args):
            if i + offset < len(params):
                local[params[i + offset]] = v
        for k, v in kw.items():
            local[k] = v
        # the arguments of the first call read (a weight built from them, `np.random.randn(n_h, n_x)` in
        # `def initialize(n_x, n_y, n_h)` or `randn(hidden, 1)` in `__init__(self, hidden, lr)`, takes its shape
        # from them: analysis._numpy_layers)
        self.first_args.setdefault(id(fn), {p: local[p] for p in params[offset:] if p in local})
        self.depth += 1
        try:
            if isinstance(fn, ast.Lambda):
                return self.eval(fn.body, local, mult)
            generator = any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in ast.walk(fn))
            if generator:
                self.yielded.append([])
                self.yield_mults.append([])
            ret = self.exec_block(fn.body, local, mult)
            if generator:
                # a generator (fit_generator's data, a batch generator): what it yields, one item at a time
                values = self.yielded.pop()
                mults = self.yield_mults.pop()
                # how many items it yields: the passes of the loops around its one yield (mult counts them)
                passes = mults[0] // mult if len(mults) == 1 and mult and mults[0] % mult == 0 and mults[0] > mult else None
                ret = V("generator", items=[_widest(values)] if values else None, n=passes,
                        const=_generator_batch(fn, local, self))
        finally:
            self.depth -= 1
        # module-level names the function assigned through `global`, and attributes of self
        for k in self.global_names:
            if k in local:
                env[k] = local[k]
        return ret if ret is not None else V("none")

    def method_call(self, node: ast.Call, attr: str, obj: V, args: list[V], kw: dict[str, V],
                    kwnodes: dict[str, ast.AST], env: dict[str, V], mult: int) -> V | None:
        self._call_node = node      # the call being read (for the locations of what a method records)
        r = self.tf_method(node, attr, obj, args, kw, kwnodes, env, mult) or self.data_transform_method(attr, obj, args) \
            or self.text_file_method(attr, obj, args)
        if r is not None:
            return r
        if attr == "add_argument" and args:
            # argparse: a script's settings are often command-line options; their defaults are what it runs with
            names = [a.const for a in args if isinstance(a.const, str)]
            longs = [n for n in names if n.startswith("--")] or names
            dest = kw.get("dest")
            key = dest.const if dest is not None and isinstance(dest.const, str) else (
                longs[0].lstrip("-").replace("-", "_") if longs else None)
            if key:
                self.cli_defaults[key] = kw.get("default", V("none"))
            return V("none")
        if attr in ("parse_args", "parse_known_args") and self.cli_defaults:
            ns = V("dict", const=dict(self.cli_defaults))
            return ns if attr == "parse_args" else V("tuple", items=[ns, UNKNOWN])
        if attr == "argmax" and obj.kind == "seq":
            # scores.argmax(axis=1) / t.argmax(dim=1): one integer class label per row, 0 .. k-1 for k columns
            axis = kw.get("axis") or kw.get("dim") or (args[0] if args else None)
            k = len(obj.cols) if obj.cols else (obj.shape[1] if obj.shape and len(obj.shape) == 2
                                                 and isinstance(obj.shape[1], int) else None)
            if axis is not None and axis.const in (1, -1) and k:
                return V("seq", 0.0, float(k - 1), True, obj.n, ndim=1, dtype="int64")
        inplace = {"sub_": ast.Sub(), "add_": ast.Add(), "mul_": ast.Mult(), "div_": ast.Div()}
        if attr in inplace and len(args) == 1 and not kw and obj.kind == "seq" and not obj.param \
                and obj.dist != "prediction" and isinstance(node.func, ast.Attribute):
            # X.sub_(X.mean(0)).div_(X.std(0)): data changed in place (standardised, scaled); the name now holds
            # the new values, and the chain goes on from them. Not a weight (a step of a hand-written update
            # is the branch below)
            base = node.func.value
            while isinstance(base, ast.Call) and isinstance(base.func, ast.Attribute) and base.func.attr in inplace:
                base = base.func.value
            name = _dotted(base) if isinstance(base, (ast.Name, ast.Attribute)) else None
            if name and not _PARAM_NAME.match(_last(name)):
                out = binop(inplace[attr], obj, args[0])
                if out.kind == "seq":
                    out = dataclasses.replace(out, dtype=obj.dtype, shape=obj.shape, ndim=obj.ndim, order=obj.order)
                if name in env:
                    home = next((m for m in env.maps if name in m), env) if isinstance(env, ChainMap) else env
                    home[name] = out
                return out
        if attr in ("sub_", "add_") and node.args and isinstance(node.func, ast.Attribute):
            # w.sub_(lr * dw), w.data.add_(-lr * w.grad): an in-place step of a hand-written update
            target = node.func.value
            while isinstance(target, ast.Attribute) and target.attr == "data":
                target = target.value
            step = node.args[-1] if len(node.args) == 1 else ast.BinOp(left=node.args[0], op=ast.Mult(), right=node.args[1])
            self._note_update(target, step, node, env, aug_op=ast.Sub() if attr == "sub_" else ast.Add())
            if obj.dist == "prediction" and len(args) == 1 and args[0].dist != "prediction":
                # x.mm(w).add_(b): a bias added in place to a layer's output; the value is that output, as for
                # `x @ w + b` (a step of a hand-written update is a statement whose value nobody reads)
                if attr == "add_" and isinstance(obj.ref, LayerInfo) and obj.ref.use_bias is False:
                    obj.ref.use_bias = True
                return obj
            return V("none")
        if attr in ("add", "sub", "mul", "div") and len(args) == 1 and not kw and obj.kind == "seq":
            # t.add(b) / t.mul(2): the operator's method form
            if attr == "add" and obj.dist == "prediction" and args[0].dist != "prediction":
                return obj
            op = {"add": ast.Add(), "sub": ast.Sub(), "mul": ast.Mult(), "div": ast.Div()}[attr]
            return binop(op, obj, args[0])
        if attr in ("uniform_", "normal_", "fill_", "zero_", "random_") and obj.kind == "seq" and obj.dist == "uninitialised" \
                and not obj.param:
            # torch.FloatTensor(n, 1).uniform_(-10, 10): data drawn into a new tensor (not a layer's weights)
            a = args[0] if args else (kw.get("from") or kw.get("mean"))
            b = args[1] if len(args) > 1 else (kw.get("to") or kw.get("std"))
            lo = a.lo if a is not None and a.known else (0.0 if attr in ("uniform_", "normal_", "zero_") else None)
            hi = b.hi if b is not None and b.known else (1.0 if attr in ("uniform_", "normal_") else lo)
            if attr == "normal_":
                mean, std = (lo if a is not None else 0.0), (hi if b is not None else 1.0)
                lo, hi = mean - 3 * std, mean + 3 * std
            if attr == "zero_":
                lo = hi = 0.0
            if attr == "random_":
                lo = hi = None
            cols = [dataclasses.replace(c, lo=lo, hi=hi, dist=None) for c in obj.cols] if obj.cols else None
            return dataclasses.replace(obj, lo=lo, hi=hi, dist="normal" if attr == "normal_" else None, cols=cols,
                                       dtype=obj.dtype or "float32")
        if attr == "pow" and args and obj.kind == "seq":
            return binop(ast.Pow(), obj, args[0])
        if attr in ("round", "floor", "ceil", "abs") and obj.kind == "seq":
            # x.round(3) / t.abs(): the array's own elementwise method (its argument is the decimals, not the
            # operand). Rounding to decimals keeps the values (and their float type); to whole numbers, floor,
            # ceil and abs map the range, and the array keeps its shape and dtype
            decimals = args[0].const if args else (kw["decimals"].const if "decimals" in kw else 0)
            if attr == "round" and isinstance(decimals, int) and decimals > 0:
                return obj
            out = apply_func(attr, obj)
            if out.kind == "seq":
                out = dataclasses.replace(out, ndim=obj.ndim, shape=obj.shape, dtype=obj.dtype, n=obj.n)
            return out
        if attr in ("mm", "matmul", "dot") and args and node.args:
            owner = node.func.value if isinstance(node.func, ast.Attribute) else None
            m = self.weights_on_left(obj, args[0], owner, node.args[0]) \
                or self.weights_applied(obj, args[0], node.args[0], owner) or linear_combination(obj, args[0])
            if m is not None:
                return m
        if obj.kind == "obj" and isinstance(obj.const, tuple) and obj.const[:1] == ("tf_mnist",) and attr == "next_batch":
            k = args[0].const if args and isinstance(args[0].const, int) else None
            if k:
                self.batch_sizes.append((k, self.line(node) or 0))
            return V("tuple", items=list(datasets.tf_mnist_arrays(None)))   # a batch of k rows of an unknown count
        if attr in ("append", "extend") and obj.kind in ("seq", "unknown") and isinstance(node.func, ast.Attribute) \
                and args and (args[0].kind in ("layer", "model") or (attr == "extend" and args[0].items is not None and any(
                    i.kind in ("layer", "model") for i in args[0].items))):
            # layers.append(nn.Linear(a, b)) / layers.extend([nn.Linear(a, b), nn.ReLU()]): a list of layers,
            # in order, for nn.Sequential(*layers) / keras.Sequential(layers)
            target = _dotted(node.func.value)
            if target:
                cur = env.get(target)
                prev = list(cur.items) if cur is not None and cur.mutable_list and cur.items is not None else []
                new = [args[0]] if attr == "append" else list(args[0].items or [])
                grown = V("seq", items=prev + new, n=len(prev) + len(new), mutable_list=True,
                          const=cur.const if cur is not None and cur.const == "ModuleList" else None)
                env[target] = grown
                owner = env.get("self")
                if grown.const == "ModuleList" and target.startswith("self.") and target.count(".") == 1 \
                        and owner is not None:
                    # self.hidden.append(nn.Linear(...)) on an nn.ModuleList: registered on the module like
                    # a ModuleList built from a list, and seen by forward() as the grown list
                    if owner.kind == "model" and isinstance(owner.ref, _Model):
                        self.register_layers(owner.ref, target[5:], grown)
                    if isinstance(owner.const, str):
                        self.instance_attrs.setdefault(owner.const, {})[target[5:]] = grown
            return V("none")
        if attr == "append" and obj.kind in ("seq", "unknown") and isinstance(node.func, ast.Attribute):
            target = _dotted(node.func.value)
            if target and args:
                item = args[0]
                cur = env.get(target)
                n_new = (cur.n or 0 if cur is not None and cur.mutable_list else 0) + mult
                if item.kind == "seq" and item.items is not None and 0 < len(item.items) <= 64:
                    cols_new = [dataclasses.replace(c, n=None) for c in item.items]
                    if cur is not None and cur.cols and len(cur.cols) == len(cols_new) and cur.n:
                        cols_new = [_join(a, b) for a, b in zip(cur.cols, cols_new)]
                    cols = [dataclasses.replace(c, kind="seq", n=n_new) for c in cols_new]
                    lo, hi = _union_range(cols)
                    env[target] = V("seq", lo, hi, all(c.integer for c in cols), n_new, cols=cols, mutable_list=True)
                elif item.kind == "num" and cur is not None and cur.made_at == (len(self.loop_counts), mult) and cur.mutable_list \
                        and cur.items is not None and len(cur.items) == (cur.n or 0) and len(cur.items) < 64 \
                        and not cur.cols and all(i.kind == item.kind for i in cur.items):
                    # row.append(x ** (deg - i)) run once per statement (straight-line, or an unrolled
                    # `for i in range(deg)`): the list is its items, as the literal [x ** 2, x] would be
                    items = list(cur.items) + [item]
                    base = item
                    for it_ in cur.items:
                        base = _join(base, it_)
                    env[target] = V("seq", base.lo, base.hi, base.integer, len(items), items=items, mutable_list=True,
                                    dist=base.dist, made_at=cur.made_at)
                else:
                    base = item
                    if cur is not None and cur.n and cur.known and item.known:
                        base = _join(cur, item)
                    elif cur is not None and cur.n and not item.known:
                        base = V("num")
                    env[target] = V("seq", base.lo, base.hi, base.integer, n_new, mutable_list=True, dist=base.dist,
                                    order=item.order)
                return V("none")
        if obj.kind == "frame" and attr == "pop" and args and isinstance(args[0].const, str):
            # target = df.pop('price'): the column comes out, and the frame keeps the others
            names = obj.const if isinstance(obj.const, list) else []
            if args[0].const in names and obj.cols:
                i = names.index(args[0].const)
                owner = node.func.value if isinstance(node.func, ast.Attribute) else None
                if isinstance(owner, ast.Name):
                    env[owner.id] = select_columns(obj, [j for j in range(len(names)) if j != i])
                return dataclasses.replace(obj.cols[i], n=obj.n, kind="seq", ndim=1)
            return UNKNOWN
        if obj.kind == "frame" and attr == "drop":
            names = obj.const if isinstance(obj.const, list) else []
            target = kw.get("columns") or (args[0] if args else None)
            axis = kw.get("axis") or (args[1] if len(args) > 1 else None)
            drop = target.const if target is not None else None
            drop = [drop] if isinstance(drop, str) else drop
            by_column = "columns" in kw or (axis is not None and axis.const in (1, "columns"))
            if by_column and isinstance(drop, list) and names and obj.cols:
                return select_columns(obj, [i for i, n in enumerate(names) if n not in drop])
            return obj
        if obj.kind == "frame" and attr in ("to_numpy", "values", "as_matrix"):
            return dataclasses.replace(obj, kind="seq", const=None)
        if obj.kind == "frame" and attr == "sort_values" and (args or "by" in kw) and obj.cols \
                and isinstance(obj.const, list) and len(obj.const) == len(obj.cols):
            # df.sort_values('x'): the rows in the order of that column (the others follow it)
            by = (kw.get("by") or args[0]).const
            by = [by] if isinstance(by, str) else by
            if isinstance(by, list) and by and by[0] in obj.const:
                key = obj.const.index(by[0])
                cols = [dataclasses.replace(c, order=1.0 if j == key else None) for j, c in enumerate(obj.cols)]
                return dataclasses.replace(obj, cols=cols, order=None)
            return obj
        if obj.kind == "frame" and attr == "sample":
            return shuffled(obj)     # df.sample(frac=1): the rows in random order
        if obj.kind == "frame" and attr in ("dropna", "fillna", "head", "copy", "reset_index", "astype"):
            return obj
        if attr in ("map", "replace") and args and obj.kind == "seq" and obj.counts and args[0].kind == "dict" \
                and isinstance(args[0].const, dict):
            # labels recoded by a dict literal (y = df['label'].map({'yes': 1, 'no': 0})): the class counts
            # carried over to the new values; the range is theirs when they are numbers
            table = {str(k): v.const for k, v in args[0].const.items() if isinstance(v, V)}
            if not all(str(k) in table or attr == "replace" for k in obj.counts):
                return dataclasses.replace(obj, counts=None, lo=None, hi=None)
            counts: dict[str, int] = {}
            for label, rows in obj.counts.items():
                new = table.get(str(label), label)
                key = f"{new:g}" if isinstance(new, (int, float)) and not isinstance(new, bool) else str(new)
                counts[key] = counts.get(key, 0) + rows
            numbers = [table.get(str(k), k) for k in obj.counts]
            if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in numbers):
                return dataclasses.replace(obj, counts=counts, lo=float(min(numbers)), hi=float(max(numbers)),
                                           integer=all(isinstance(v, int) for v in numbers),
                                           dtype="int64" if all(isinstance(v, int) for v in numbers) else "float64")
            return dataclasses.replace(obj, counts=counts, lo=None, hi=None)
        if attr == "astype" and args and obj.kind == "seq":
            name = args[0].const if isinstance(args[0].const, str) else _last(_dotted(node.args[0]) if node.args else None)
            name = {"int": "int64", "float": "float64"}.get(name, name)
            return dataclasses.replace(obj, dtype=name or None,
                                       integer=obj.integer or bool(name and "int" in name))
        if attr == "transpose" and obj.kind == "seq" and (not args or [a.const for a in args] in ([0, 1], [1, 0])):
            return transposed(obj)           # X.transpose() / t.transpose(0, 1) of a 2-D array: X.T
        if attr in ("reshape", "view") and args and obj.kind == "seq":
            dims = args[0].items if len(args) == 1 and args[0].kind == "tuple" and args[0].items else args
            sizes = [d.const if isinstance(d.const, int) and not isinstance(d.const, bool) else None for d in dims]
            if len(sizes) == 2 and isinstance(sizes[0], int) and sizes[0] > 0 and sizes[1] is not None \
                    and not obj.cols and (obj.ndim or 1) == 1 and obj.n and obj.n % sizes[0] == 0 \
                    and sizes[1] in (-1, obj.n // sizes[0]):
                # x.reshape(1, -1) of n values: ONE row of n (the samples along the columns, as a column-major
                # network holds its data), not n rows; reshape(-1, 1) below keeps the n rows
                k = sizes[0]
                return dataclasses.replace(obj, n=k, ndim=2, shape=(k, obj.n // k), items=None, mutable_list=False,
                                           order=None if k > 1 else obj.order, counts=None, const=None)
            shape = tuple(obj.n if s in (-1, None) and i == 0 else s for i, s in enumerate(sizes))
            return dataclasses.replace(obj, ndim=len(dims), shape=shape if all(isinstance(s, int) for s in shape[1:]) else None)
        if attr == "unsqueeze" and obj.kind == "seq":
            return unsqueezed(obj)
        if attr in ("flatten", "ravel") and obj.kind == "seq" and not obj.cols:
            return dataclasses.replace(obj, ndim=1, shape=(obj.n,) if obj.shape else None)
        if attr == "squeeze" and obj.kind == "seq" and obj.ndim == 2 and not obj.cols:
            return dataclasses.replace(obj, ndim=1, shape=(obj.n,) if obj.shape else None)
        if attr in ("float", "double", "long", "half") and obj.kind == "seq":    # torch casts
            return dataclasses.replace(obj, dtype={"float": "float32", "double": "float64", "long": "int64",
                                                   "half": "float16"}[attr])
        if attr in ("reshape", "astype", "copy", "flatten", "ravel", "squeeze", "float", "double", "to", "view",
                    "unsqueeze", "detach", "numpy", "cpu", "clone", "type", "values", "to_numpy", "transpose", "cuda",
                    "requires_grad_", "contiguous") \
                and obj.kind != "unknown":    # np.reshape(a, ...) on a module: the library call reads `a`
            if attr in ("flatten", "ravel") and obj.cols:
                lo, hi = _union_range(obj.cols)
                return V("seq", lo, hi, obj.integer, (obj.n or 0) * len(obj.cols) or None)
            return obj
        axis = kw.get("axis") or kw.get("dim") or (args[0] if args else None)
        if attr in ("mean", "std", "var", "min", "max") and obj.kind == "seq" and (axis is None or axis.const == 0):
            stat = summary_stat(obj, attr, axis is not None)
            if stat is not None:
                return stat
        keep = kw.get("keepdim") or kw.get("keepdims")
        if attr in ("sum", "mean", "max", "min") and obj.kind == "seq" and not obj.cols and obj.ndim == 2 and obj.shape \
                and len(obj.shape) == 2 and all(isinstance(d, int) for d in obj.shape) and axis is not None \
                and axis.const == 0 and obj.dist != "prediction":
            # X.sum(axis=0) of an (r, c) array held without columns ((features, samples) data): one value per
            # column, (c,) or (1, c) with keepdims
            r, c = obj.shape
            lo, hi = (obj.lo, obj.hi) if obj.known else (None, None)
            if attr == "sum" and lo is not None:
                lo, hi = lo * r, hi * r
            kept = keep is not None and keep.const is True
            return V("seq", lo, hi, obj.integer and attr != "mean", 1 if kept else c, ndim=2 if kept else 1,
                     shape=(1, c) if kept else (c,), dtype=obj.dtype)
        if keep is not None and keep.const is True and not (obj.cols and axis is not None and axis.const in (1, -1)):
            axis = None     # the reduced axis stays (length 1): shapes as before
        if attr in ("sum", "mean", "max", "min", "prod") and obj.kind == "seq" and axis is not None and axis.const in (1, -1) \
                and not obj.cols:
            return dataclasses.replace(obj, ndim=1, shape=None, lo=None, hi=None, order=None, counts=None)
        if attr in ("sum", "mean", "max", "min", "prod") and obj.cols and axis is not None and axis.const in (1, -1):
            acc = obj.cols[0]
            for c in obj.cols[1:]:
                acc = binop(ast.Mult() if attr == "prod" else ast.Add(), acc, c)
            if attr == "mean":
                acc = binop(ast.Div(), acc, const(len(obj.cols)))
            if attr in ("max", "min"):
                acc = V("seq", *_union_range(obj.cols), all(c.integer for c in obj.cols))
            kept = keep is not None and keep.const is True      # (n, 1) with keepdims=True
            return dataclasses.replace(acc, n=obj.n, kind="seq", ndim=2 if kept else 1, dtype=obj.dtype,
                                       shape=(obj.n, 1) if kept and obj.n else None, cols=None)
        own = self.classes.get(obj.const) if isinstance(obj.const, str) else None
        overridden = own is not None and attr not in ("forward", "call", "__call__") and any(
            isinstance(f, ast.FunctionDef) and f.name == attr for f in own.body)
        if obj.kind == "model" and isinstance(obj.ref, _Model) and obj.ref.framework == "tflearn":
            return self.tflearn_fit(node, obj.ref, args, kw) if attr == "fit" else V("obj")
        if obj.kind == "model" and isinstance(obj.ref, _Model) and obj.ref.framework == "theanets":
            if attr in ("train", "itertrain"):
                return self.theanets_train(node, obj.ref, args, kw)
            return V("obj")     # predict / score / save
        if obj.kind == "model" and isinstance(obj.ref, _Model) and obj.ref.framework == "fasttext":
            return V("obj")     # classifier.test / predict / save_model: nothing more to read
        if obj.kind == "model" and isinstance(obj.ref, _Model) and obj.ref.framework == "sklearn":
            if attr in ("fit", "partial_fit"):
                return self.sklearn_fit(node, obj.ref, args, kw)
            return V("obj")
        if obj.kind == "model" and isinstance(obj.ref, _Model) and not overridden:
            # (a method the script's own class defines, `def train(self, x, y)` on an nn.Module, is the
            # script's code, not the framework's: read below)
            r = self.model_method(node, attr, obj.ref, args, kw, kwnodes, env)
            if r is not None or not (isinstance(obj.const, str) and obj.const in self.classes):
                return r
        if obj.kind == "opt" or attr in ("step", "zero_grad"):
            if attr == "step":
                self._step_calls += 1
                closure = args[0] if args else kw.get("closure")
                if closure is not None and closure.kind == "func" and closure.node is not None:
                    # optimizer.step(closure) (LBFGS, and posted SGD loops): step() calls it, so the forward
                    # pass and the loss live there
                    self.call_user(closure.node, [], {}, env, mult)
                var = _dotted(node.func.value) if isinstance(node.func, ast.Attribute) else None
                if obj.kind == "opt" and isinstance(obj.ref, OptimizerInfo):
                    obj.ref.passed_to_compile = True
                    self.compiled = obj.ref
                elif var:
                    self.stepped_vars.add(var)
            return V("none")
        if attr == "backward" and not overridden:
            # (`NN.backward(X, y, o)` on the script's own class that defines `def backward(self, ...)` is a
            # hand-written backward pass, read as the script's code below, not autograd's loss.backward())
            self.backward_lines.append(self.line(node) or 0)
            self.backward_with_itself(node)
            return V("none")
        keras_kwargs = {"epochs", "batch_size", "nb_epoch", "loss", "optimizer", "metrics", "validation_split"}
        module = isinstance(node.func, ast.Attribute) and (_dotted(node.func.value) or "").split(".")[0] in (
            "tf", "tensorflow", "np", "numpy", "torch", "K", "math", *self.module_alias)     # tf.add(a, b) is no model
        if attr in ("fit", "compile", "add") and obj.kind in ("unknown", "obj") and not module and (
                "keras" in self.framework_hint or keras_kwargs & set(kwnodes)):
            # a model we did not see built (e.g. returned by an unknown function): still read the call
            name = _dotted(node.func.value) if isinstance(node.func, ast.Attribute) else None
            model = _Model(name or "model", "keras", line=self.line(node))
            self.models.append(model)
            env_name = name
            if env_name:
                env[env_name] = V("model", ref=model)
            return self.model_method(node, attr, model, args, kw, kwnodes, env)
        if isinstance(node.func, ast.Attribute) and obj.kind in ("obj", "model") and obj.const in self.classes:
            cls = self.classes[obj.const]
            fn = next((f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == attr), None)
            if fn is not None and obj.kind == "model" and attr in ("forward", "call") and args \
                    and self._model_input is None:
                self._model_input = args[0]      # net.forward(x): x is what the network is trained on
            if fn is not None and obj.kind == "model" and attr in ("forward", "call") and args:
                self._last_input = args[0]
            if fn is not None:
                return self.call_user(fn, args, kw, env, mult, self_obj=obj)
        return None

    def while_count(self, stmt: ast.While, env: dict[str, V]) -> int | None:
        """How many passes `while i < N:` (or `<=`, `N > i`) makes when the body counts `i += k` once at its
        top level and `i` and `N` hold literal integers before the loop (no `break`); None otherwise."""
        test = stmt.test
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
            return None
        left, op, right = test.left, test.ops[0], test.comparators[0]
        if isinstance(op, (ast.Gt, ast.GtE)):
            left, right = right, left
            op = ast.Lt() if isinstance(op, ast.Gt) else ast.LtE()
        if not (isinstance(op, (ast.Lt, ast.LtE)) and isinstance(left, ast.Name)):
            return None
        if any(isinstance(n, ast.Break) for b in stmt.body for n in ast.walk(b)):
            return None
        incs = [st for st in stmt.body if isinstance(st, ast.AugAssign) and isinstance(st.target, ast.Name)
                and st.target.id == left.id]
        others = [n for b in stmt.body for n in ast.walk(b) if isinstance(n, (ast.Assign, ast.AugAssign))
                  and any(isinstance(t, ast.Name) and t.id == left.id for t in
                          (n.targets if isinstance(n, ast.Assign) else [n.target]))]
        if len(incs) != 1 or len(others) != 1 or not isinstance(incs[0].op, ast.Add):
            return None
        start, stop, step = env.get(left.id), self.eval(right, env, 1), self.eval(incs[0].value, env, 1)
        vals = [v.const if v is not None else None for v in (start, stop, step)]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in vals) or vals[2] <= 0:
            return None
        span = vals[1] - vals[0] + (1 if isinstance(op, ast.LtE) else 0)
        return max(0, -(-span // vals[2])) or None

    def _index_trick(self, node: ast.AST) -> str | None:
        """'c_' / 'r_' for NumPy's np.c_ / np.r_ (under the script's alias of numpy), else None."""
        dotted = _dotted(node) or ""
        root, _, rest = dotted.partition(".")
        root = self.module_alias.get(root, root)
        return rest if root in ("np", "numpy") and rest in ("c_", "r_") else None

    hand_class_weights: dict[str, float] | None = None
    hand_class_weights_line: int | None = None

    def note_hand_weight(self, stmt: ast.AugAssign, val: V, env: dict[str, V]) -> None:
        """`loss[target == 1] *= 100` (a per-element loss weighted for one class by hand; not data rows
        `X[y == 1] *= 2`, which are arrays of rows)."""
        t = stmt.target
        if not (isinstance(stmt.op, ast.Mult) and isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Compare)
                and len(t.slice.ops) == 1 and isinstance(t.slice.ops[0], ast.Eq)
                and isinstance(t.slice.comparators[0], ast.Constant)):
            return
        name = _dotted(t.value) or ""
        base = env.get(name)
        lossy = re.search(r"(?i)loss|err|cost", name.rsplit(".", 1)[-1]) is not None
        if not lossy and (base is None or base.kind != "num" or base.n is not None):
            return      # a loss value (what a loss call returns) or a name that says it is one
        label, k = t.slice.comparators[0].value, val.const
        if isinstance(label, (int, float)) and not isinstance(label, bool) and isinstance(k, (int, float)) \
                and not isinstance(k, bool) and k > 0 and k != 1 and self.hand_class_weights is None:
            other = 0 if label != 0 else 1
            self.hand_class_weights = {f"{label:g}": float(k), f"{other:g}": 1.0}
            self.hand_class_weights_line = self.line(stmt)

    _LABEL_NAME = re.compile(r"(?i)^(y|ys|y_\w*|\w*_y|labels?|targets?|\w*_labels?|\w*_targets?|classes)$")

    def note_class_weight_lookup(self, node: ast.Subscript, base: V) -> None:
        """`weight[labels]` / `w[y.long()]` of a literal list of 2-20 unequal numbers: one weight per class,
        looked up for each row's label (a class weighting written by hand)."""
        values = base.const
        if self.hand_class_weights is not None or not isinstance(values, list) or not 2 <= len(values) <= 20 \
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values) \
                or len(set(values)) < 2 or min(values) <= 0 or isinstance(node.slice, (ast.Slice, ast.Constant)):
            return
        names = [n.id if isinstance(n, ast.Name) else n.attr for n in ast.walk(node.slice)
                 if isinstance(n, (ast.Name, ast.Attribute))]
        if any(self._LABEL_NAME.match(n) for n in names):
            self.hand_class_weights = {str(i): float(v) for i, v in enumerate(values)}
            self.hand_class_weights_line = self.line(node)

    def backward_with_itself(self, node: ast.Call) -> None:
        """`loss.backward(loss)`: the loss passed as the gradient of itself scales every parameter's gradient
        (and so every step) by the current loss value; the steps descend loss**2 / 2, not the loss."""
        given = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "gradient"), None)
        if given is None or not isinstance(node.func, ast.Attribute):
            return

        def base(n: ast.AST) -> str | None:
            while isinstance(n, ast.Attribute) and n.attr == "data" or (
                    isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in ("detach", "clone")
                    and not n.args):
                n = n.value if isinstance(n, ast.Attribute) else n.func.value
            return _dotted(n)

        me = base(node.func.value)
        if me is None or base(given) != me:
            return
        line = self.line(node)
        key = (line or 0, "<all parameters>")
        if key not in self.updates:
            self.updates[key] = UpdateRule(
                parameter="every parameter", expression=ast.unparse(node), uses_gradient=False, line=line,
                span=self.span(node),
                note=f"`{ast.unparse(node)}` passes the loss as its own output gradient: every gradient is multiplied "
                     f"by the loss value, so the steps are scaled by the current loss (huge while it is large); "
                     f"call `{me}.backward()` without an argument")

    def attach(self, model: _Model, layer: LayerInfo, node: ast.AST) -> None:
        if layer.kind == "activation":
            prev = next((la for la in reversed(model.layers) if la.kind == "dense"), None)
            if prev is not None and (prev.activation in (None, "linear")):
                prev.activation = layer.activation
                return
        model.layers.append(layer)

    # ---- framework calls: layers, optimisers, losses, models
    def framework_call(self, node: ast.Call, dotted: str, last: str, prefix: str, args: list[V], kw: dict[str, V],
                       kwnodes: dict[str, ast.AST], env: dict[str, V], mult: int) -> V | None:
        r = self.tf_call(node, dotted, last, prefix, args, kw, kwnodes, env, mult)
        if r is not None:
            return r
        key = self.key(node)
        torchish = prefix.endswith("nn") or prefix.startswith("torch") or (
            "torch" in self.framework_hint and "keras" not in self.framework_hint and last in TORCH_LAYERS)
        # layers
        if last in LEGACY_NAMES and ("keras" in self.framework_hint or "keras" in prefix):
            self.add_legacy(last, LEGACY_NAMES[last], node, node.func)
        if last in _INPUT_SCALING_LAYERS and not torchish and ("keras" in self.framework_hint or "keras" in prefix
                                                                or "layers" in prefix):
            layer = self.keras_layer(node, last, args, kw, kwnodes)
            if last == "Rescaling":
                scale = kw.get("scale") or (args[0] if args else None)
                offset = kw.get("offset") or (args[1] if len(args) > 1 else const(0.0))
                if scale is not None and scale.known and scale.lo == scale.hi and offset.known and offset.lo == offset.hi:
                    self.input_scaling[id(layer)] = ("rescale", float(scale.lo), float(offset.lo))
            else:
                self.input_scaling[id(layer)] = ("standardize", 1.0, 0.0)
            return V("layer", ref=layer)
        if (last in KERAS_LAYERS or last in LEGACY_NAMES) and not torchish and last not in ("Input", "InputLayer"):
            return V("layer", ref=self.keras_layer(node, last, args, kw, kwnodes))
        if torchish and (last in TORCH_LAYERS or last in TORCH_ACTIVATIONS):
            return V("layer", ref=self.torch_layer(node, last, args, kw))
        if last in ("Input", "InputLayer", "InputSpec"):
            shape = kw.get("shape") or (args[0] if args else None)
            if shape is not None and shape.kind == "tuple" and shape.items and isinstance(shape.items[-1].const, int):
                self._pending_input = shape.items[-1].const
            return V("obj")
        # TFLearn's layer functions (interp_tflearn.py)
        if last in TFLEARN_CALLS and ("tflearn" in prefix or "tflearn" in self.from_module.get(last, "")):
            r = self.tflearn_call(node, last, args, kw)
            if r is not None:
                return r
        # theanets' Regressor / Classifier (interp_theanets.py)
        if last in THEANETS_MODELS and ("theanets" in prefix or "theanets" in self.from_module.get(last, "")):
            r = self.theanets_model(node, last, args, kw)
            if r is not None:
                return r
        # fastText's supervised classifier (interp_fasttext.py)
        if last in FASTTEXT_CALLS and ("fasttext" in prefix.lower() or "fasttext" in self.from_module.get(last, "").lower()):
            return self.fasttext_call(node, last, args, kw)
        # scikit-learn's MLPs (interp_sklearn.py)
        if last in MLP_CLASSES and (not prefix or "neural_network" in prefix or "sklearn" in prefix) and (
                prefix or "sklearn" in self.from_module.get(last, "sklearn")):
            return self.sklearn_mlp(node, last, args, kw)
        # models
        if last == "Sequential":
            model = self.models_at(key, "torch" if torchish else "keras", node)
            if args and args[0].kind == "seq" and args[0].items is not None:
                for item in args[0].items:
                    if item.kind == "layer" and isinstance(item.ref, LayerInfo):
                        self.attach(model, item.ref, node)
            elif torchish:
                for item in args:
                    if item.kind == "layer" and isinstance(item.ref, LayerInfo):
                        self.attach(model, item.ref, node)
            return V("model", ref=model)
        if last == "Model" and ("keras" in prefix or "keras" in self.framework_hint):
            model = self.models_at(key, "keras", node)
            # functional API: the Dense calls seen so far belong to it
            for lk, layer in self.seen_layers.items():
                if lk not in self.model_by_layerkey:
                    self.model_by_layerkey[lk] = model
                    model.layers.append(layer)
            return V("model", ref=model)
        # optimisers
        low = last.lower()
        if low in OPTIMIZERS and (prefix.split(".")[-1] in ("optimizers", "optim", "optimizer", "legacy", "") or
                                  "optim" in prefix):
            if last[0].isupper() or prefix:
                source = prefix or self.from_module.get(last, "")     # `from torch.optim import SGD`: SGD(params, 1e-5)
                return V("opt", ref=self.optimizer(node, OPTIMIZERS[low], args, kw, kwnodes,
                                                   torch="optim" in source and "optimizers" not in source))
        # losses
        if last in TORCH_LOSSES:
            return V("loss", const=TORCH_LOSSES[last])
        if last in _F_LOSSES and (prefix or self.from_module.get(last, "")).split(".")[-1] in ("F", "functional"):
            self.config.loss = self.config.loss or _F_LOSSES[last]
            self.torch_loss_call(args)
            return V("seq")
        if last in KERAS_LOSS_CLASSES and ("loss" in prefix.lower() or (not prefix and last.endswith(_LOSS_CLASS_ENDINGS))):
            logits = kw.get("from_logits") or (args[0] if args and last.endswith("Crossentropy") else None)
            if logits is not None and logits.const is True:
                self.config.from_logits = True     # the loss applies the sigmoid / softmax itself
            return V("loss", const=KERAS_LOSS_CLASSES[last])
        # data loaders (torch)
        if last == "DataLoader":
            b = kw.get("batch_size") or (args[1] if len(args) > 1 else None)
            batch = b.const if b is not None and isinstance(b.const, int) else (1 if b is None else None)
            if batch is not None:
                self.batch_sizes.append((batch, self.line(node) or 0))
            ds = args[0] if args else UNKNOWN
            if ds.kind == "obj" and isinstance(ds.const, str) and ds.const in self.classes:
                ds = self.dataset_of(ds, env, mult, node) or ds
            shuffle = kw.get("shuffle")
            self.config.shuffle = bool(shuffle.const) if shuffle is not None and isinstance(shuffle.const, bool) else False
            self.config.shuffle_line = self.line(node)
            n_batches = math.ceil(ds.n / batch) if ds.n and batch else None
            return V("loader", n=n_batches, const=batch, items=ds.items if ds.kind == "dataset" else None)
        if last == "TensorDataset":
            if len(args) >= 2:
                self.torch_data = (args[0], args[1], self.line(node) or 0)
            return V("dataset", items=args, n=_n_of(*args))
        # calling a model / loss function object
        if isinstance(node.func, ast.Subscript) or (isinstance(node.func, ast.Name) and node.func.id in env):
            target = env[node.func.id] if isinstance(node.func, ast.Name) else self.eval(node.func, env, mult)
            squashed = _through_activation(target, args)
            if squashed is not None:         # m = nn.Sigmoid(); m(out)
                return squashed
            if target.kind == "layer" and isinstance(target.ref, LayerInfo) and target.ref.kind == "dense" and args \
                    and args[0].dist == "prediction":
                # `layer(x)` for a layer of a ModuleList in forward(), `self.layers[-1](x)`: that layer's output
                n, units = args[0].n, target.ref.units
                return V("seq", n=n, ndim=2, shape=(n, units) if units else None, dist="prediction", ref=target.ref)
            if target.kind == "layer" and isinstance(target.ref, LayerInfo) and target.ref.kind == "dense" and args \
                    and args[0].dist != "prediction":
                # model = nn.Linear(2, 1); model(x): one layer is the whole network, x its data
                if not getattr(self, "_model_input", None):
                    self._model_input = args[0]
                self._last_input = args[0]
                n, units = args[0].n, target.ref.units
                return V("seq", n=n, ndim=2, shape=(n, units) if units else None, dist="prediction", ref=target.ref)
            if target.kind == "model":
                if args and not getattr(self, "_model_input", None):
                    self._model_input = args[0]
                if args:
                    self._last_input = args[0]
                return self.prediction(target, args)
            if target.kind == "loss":
                self.config.loss = self.config.loss or target.const
                self.torch_loss_call(args, node)
                return V("num")
        held = None
        if isinstance(node.func, ast.Attribute):
            held = env.get(_dotted(node.func) or "") or (
                self.eval(node.func, env, mult) if isinstance(node.func.value, ast.Name) and node.func.value.id == "self" else None)
        if held is not None and held.kind == "layer" and isinstance(held.ref, LayerInfo) and held.ref.kind == "dense" and args:
            n = args[0].n       # self.linear(x): one layer's output (ref: which layer, for the activation after it)
            units = held.ref.units
            return V("seq", n=n, ndim=2, shape=(n, units) if units else None, dist="prediction", ref=held.ref)
        squashed = _through_activation(held, args) if held is not None else None
        if squashed is not None:             # self.sigmoid(self.fc2(h)) in forward()
            return squashed
        if held is not None and held.kind in ("model", "loss"):
            target = held
            if target.kind == "model":
                if args and not getattr(self, "_model_input", None):
                    self._model_input = args[0]
                if args:
                    self._last_input = args[0]
                return self.prediction(target, args)
            if target.kind == "loss":
                self.config.loss = self.config.loss or target.const
                self.torch_loss_call(args, node)
                return V("num")
        return None

    def dataset_of(self, obj: V, env: dict[str, V], mult: int, node: ast.AST) -> V | None:
        """A map-style Dataset class of the script's own (`__len__`, `__getitem__` returning (x, y)): the arrays
        its items come from, as a TensorDataset of them would hold them."""
        cls = self.classes[obj.const]
        methods = {f.name: f for f in cls.body if isinstance(f, ast.FunctionDef)}
        if "__getitem__" not in methods:
            return None
        n = None
        if "__len__" in methods:
            length = self.call_user(methods["__len__"], [], {}, env, mult, self_obj=obj)
            n = length.const if isinstance(length.const, int) and not isinstance(length.const, bool) and length.const > 0 else None
        index = V("num", 0.0, float(n - 1) if n else None, True)
        item = self.call_user(methods["__getitem__"], [index], {}, env, mult, self_obj=obj)
        parts = item.items if item.kind == "tuple" and item.items else [item]

        def rows(v: V) -> V:
            if v.kind == "seq" and v.items and not v.cols and len(v.items) <= 64:
                cols = [dataclasses.replace(c, kind="seq", n=n, const=None) for c in v.items]   # one row of k columns
                lo, hi = _union_range(cols)
                return V("seq", lo, hi, all(c.integer for c in cols), n, cols=cols, ndim=2, dtype=v.dtype)
            return dataclasses.replace(v, kind="seq", n=n, const=None, items=None)

        full = [rows(p) for p in parts]
        if len(full) >= 2 and self.torch_data is None:
            self.torch_data = (full[0], full[1], self.line(node) or 0)
        return V("dataset", items=full, n=n)

    _pending_input: int | None = None
    _model_input: V | None = None
    _last_input: V | None = None      # what the latest model call was given (for the loss call after it)

    def prediction(self, model: V, args: list[V]) -> V:
        """What calling a model gives: rows of the input, the output layer's width (2-D)."""
        n = args[0].n if args else None
        ref = model.ref if isinstance(model.ref, _Model) else None
        layers = (ref.layers or list(getattr(ref, "_attrs", {}).values())) if ref is not None else []
        dense = [la for la in layers if la.kind == "dense"]
        units = dense[-1].units if dense else None
        if units == 1 and getattr(ref, "_flat_output", False):     # forward() squeezes the one output column
            return V("seq", n=n, const=None, dist="prediction", ndim=1, shape=(n,) if n else None)
        return V("seq", n=n, const=None, dist="prediction", ndim=2, shape=(n, units) if units else None)

    def models_at(self, key: tuple[int, int], framework: str, node: ast.AST) -> _Model:
        for m in self.models:
            if getattr(m, "_key", None) == key:
                m.layers.clear()
                return m
        m = _Model("<model>", framework, line=self.line(node))
        m._key = key  # type: ignore[attr-defined]
        self.models.append(m)
        return m

    def _layer_name(self, base: str) -> str:
        k = self.layer_counter.get(base, 0)
        self.layer_counter[base] = k + 1
        return base if k == 0 else f"{base}_{k}"

    def optimizer(self, node: ast.Call, name: str, args: list[V], kw: dict[str, V], kwnodes: dict[str, ast.AST],
                  torch: bool) -> OptimizerInfo:
        key = self.key(node)
        if key in self.optimizers:
            return self.optimizers[key]
        torch = torch or (args and args[0].kind == "params")
        lr_v = kw.get("learning_rate") or kw.get("lr")
        if lr_v is None:
            pos = 1 if torch else 0
            lr_v = args[pos] if len(args) > pos else None
        if lr_v is not None and lr_v.const is None and isinstance(lr_v.ref, V) and lr_v.ref.kind == "num" \
                and isinstance(lr_v.ref.const, (int, float)) and not isinstance(lr_v.ref.const, bool):
            lr_v = lr_v.ref     # GradientDescentOptimizer(tf.Variable(0.1)): the rate is the variable's initial value
        lr = float(lr_v.const) if lr_v is not None and isinstance(lr_v.const, (int, float)) else None
        default = lr is None and lr_v is None
        if default:
            lr = (TORCH_DEFAULT_LR if torch else KERAS_DEFAULT_LR).get(name)
        if not torch:
            for k in kwnodes:
                if k in LEGACY_KWARGS["optimizer"]:
                    new = LEGACY_KWARGS["optimizer"][k][0]
                    self.add_legacy(f"{k}=", new + ("=" if "=" not in new else ""), node, _kw_node(node, k))
        arguments = {k: v.const for k, v in kw.items() if v.const is not None and not isinstance(v.const, (list, tuple))}
        if default:
            arguments["default_learning_rate"] = True
        info = OptimizerInfo(name=name, learning_rate=lr, line=self.line(node), passed_to_compile=False,
                             arguments=arguments)
        self.optimizers[key] = info
        if torch:
            self.framework_hint.add("torch")
        return info



def _updated_names(tree: ast.AST) -> set[str]:
    """Names the script updates as a weight is updated: `w -= ...` / `w += ...`, `w = w - lr * g` (the
    name on both sides), `w.grad` / `w.data` / `w.sub_(...)`, `w[...] -= ...`. Read once over the whole
    module (all scopes), for interp.coefficients."""
    out: set[str] = set()
    for node in _nodes(tree):
        if isinstance(node, ast.AugAssign):
            t = node.target.value if isinstance(node.target, (ast.Subscript, ast.Attribute)) else node.target
            if isinstance(t, ast.Name):
                out.add(t.id)
        elif isinstance(node, ast.Assign):
            used = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
            for t in node.targets:
                if isinstance(t, ast.Name) and t.id in used:
                    out.add(t.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.attr in (
                "grad", "data", "sub_", "add_", "requires_grad_", "assign", "assign_sub"):
            out.add(node.value.id)
    return out


class _Interp(_Core, KerasReader, TorchReader, NumpyReader, TFReader, SklearnReader, TFLearnReader, FastTextReader,
              TheanetsReader):
    """The interpreter: the core walk plus each framework's calls."""


def _is_names(v: V) -> bool:
    """A list of column names (df.columns, or a selection of them)."""
    return v.kind == "seq" and isinstance(v.const, list) and bool(v.const) and all(isinstance(c, str) for c in v.const)


def _names(names: list[str]) -> V:
    return V("seq", n=len(names), items=[V("str", const=c) for c in names], const=list(names), mutable_list=True)


def _names_mask(ops: list[ast.cmpop], left: V, rights: list[V]) -> V | None:
    """`df.columns != 'y'` (or `==`): one flag per column name, the mask `df.columns[mask]` selects with."""
    if len(ops) != 1 or not isinstance(ops[0], (ast.Eq, ast.NotEq)) or not _is_names(left) \
            or not isinstance(rights[0].const, str) or rights[0].kind != "str":
        return None
    flags = [(c == rights[0].const) == isinstance(ops[0], ast.Eq) for c in left.const]
    return V("seq", n=len(flags), items=[const(f) for f in flags], const=flags)
