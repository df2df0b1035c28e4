"""TensorFlow calls for the abstract interpreter: the TF1 graph idiom of posted code (placeholders,
Variables, tf.matmul / tf.layers.dense, tf.train.*Optimizer(lr).minimize(loss), sess.run(train_op,
feed_dict=...) in a loop) and tf.data pipelines / optimizer.apply_gradients of TF2 custom loops.

Nothing is run: a placeholder is a symbolic array with the shape written in the script; a feed_dict
binds the data fed in to the placeholders, the one that reaches the network being the input; each
sess.run of a training op (or apply_gradients) counts as one optimiser step, as optimizer.step() does
for torch, so the loops around it give the epochs and batches.
"""
from __future__ import annotations

import ast
import copy
import dataclasses
import math

from nnfit.doctor.run import LayerInfo, OptimizerInfo
from nnfit.doctor.static.nodes import _dotted, _last
from nnfit.doctor.static.values import UNKNOWN, V, _n_of
from nnfit.doctor.vocab import TF1_OPTIMIZERS
from nnfit.doctor.vocab import FUNC_ACTIVATIONS


@dataclasses.dataclass(eq=False)
class _Placeholder:
    """A tf.placeholder: what was fed to it decides the data; `input` when the network reads it."""
    line: int | None
    role: str | None = None
    dtype: str | None = None     # tf.placeholder(tf.float32): what a feed is converted to


def _dtype_name(node: ast.AST | None) -> str | None:
    """`tf.float32` / `"float32"` -> "float32"."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    name = _last(_dotted(node)) if node is not None else None
    return name if name and name.startswith(("float", "int", "uint", "bfloat", "half", "double")) else None


def _shape_of(v: V | None) -> tuple | None:
    """(None, 1) from a literal shape `[None, 1]` / `(N, 1)` / `1024`."""
    if v is None:
        return None
    if isinstance(v.const, int) and not isinstance(v.const, bool):
        return (v.const,)
    if v.kind in ("tuple", "seq") and v.items is not None:
        return tuple(i.const if isinstance(i.const, int) and not isinstance(i.const, bool) else None for i in v.items)
    return None


def _tf(prefix: str) -> bool:
    root = prefix.split(".")[0] if prefix else ""
    return root in ("tf", "tensorflow")


def _squared_difference(node: ast.AST) -> bool:
    """`tf.square(a - b)`, `(a - b) ** 2`, `tf.pow(a - b, 2)` somewhere inside a reduction."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Pow) and isinstance(sub.left, ast.BinOp) \
                and isinstance(sub.left.op, ast.Sub) and isinstance(sub.right, ast.Constant) and sub.right.value == 2:
            return True
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr == "pow" \
                and isinstance(sub.func.value, ast.BinOp) and isinstance(sub.func.value.op, ast.Sub):
            return True      # (a - b).pow(2)
        if isinstance(sub, ast.Call) and _last(_dotted(sub.func)) in ("pow", "power") and len(sub.args) == 2 \
                and isinstance(sub.args[0], ast.BinOp) and isinstance(sub.args[0].op, ast.Sub) \
                and isinstance(sub.args[1], ast.Constant) and sub.args[1].value == 2:
            return True      # tf.pow(pred - y, 2), np.power(a - b, 2)
        if isinstance(sub, ast.Call) and _last(_dotted(sub.func)) in ("square", "squared_difference") and sub.args:
            if _last(_dotted(sub.func)) == "squared_difference" or (
                    isinstance(sub.args[0], ast.BinOp) and isinstance(sub.args[0].op, ast.Sub)):
                return True
    return False


def _log_likelihood(node: ast.AST) -> str | None:
    """-reduce_sum(y_ * tf.log(y)): categorical cross-entropy; with a `(1 - y_) * log(1 - y)` term: binary."""
    logs = [sub for sub in ast.walk(node) if isinstance(sub, ast.Call) and _last(_dotted(sub.func)) == "log"]
    products = [sub for sub in ast.walk(node) if isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Mult)]
    if not logs or not products:
        return None
    complement = any(isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Sub) and isinstance(sub.left, ast.Constant)
                     and sub.left.value == 1 for sub in ast.walk(node))
    return "binary_crossentropy" if complement else "categorical_crossentropy"


class TFReader:
    """Mixin of Interpreter (static/interp.py): reads self.config, self.models, ... set up there."""

    custom_loop = False             # a hand-written training loop took optimiser steps (TF1 sess.run, apply_gradients)
    tf_init_std: dict[int, float]   # id(LayerInfo) -> std of its tf.Variable's initial value (set in interp.py)

    def tf_call(self, node: ast.Call, dotted: str, last: str, prefix: str, args: list[V], kw: dict[str, V],
                kwnodes: dict[str, ast.AST], env: dict[str, V], mult: int) -> V | None:
        if not _tf(prefix):
            return None
        self.framework_hint.add("keras" if ".keras" in prefix else "tf")
        if last == "placeholder":
            shape = _shape_of(kw.get("shape") or (args[1] if len(args) > 1 else None))
            dtype = _dtype_name(kwnodes.get("dtype") or (node.args[0] if node.args else None))
            return V("seq", n=shape[0] if shape else None, ndim=len(shape) if shape else None, shape=shape,
                     dist="placeholder", ref=_Placeholder(self.line(node), dtype=dtype))
        if last in ("Variable", "get_variable"):
            init = kw.get("initial_value") or kw.get("initializer") or (args[0] if args and last == "Variable" else None)
            shape = _shape_of(kw.get("shape")) or (init.shape if init is not None else None)
            # the range is left unknown: a TF1 Variable is a weight, not data; its initial value is kept aside
            return V("seq", shape=tuple(shape) if shape else None, ndim=len(shape) if shape else None,
                     ref=init if init is not None and init.known else None)
        if last in ("random_normal", "truncated_normal", "random_uniform", "normal", "uniform") and (
                "random" in prefix or last.startswith(("random", "truncated"))):
            shape = _shape_of(kw.get("shape") or (args[0] if args else None))
            if last in ("random_uniform", "uniform"):
                lo, hi = kw.get("minval") or (args[1] if len(args) > 1 else None), kw.get("maxval") or (args[2] if len(args) > 2 else None)
                lo_v = lo.lo if lo is not None and lo.known else 0.0
                hi_v = hi.hi if hi is not None and hi.known else 1.0
                return V("seq", lo_v, hi_v, n=shape[0] if shape else None, shape=shape, ndim=len(shape) if shape else None)
            mean = kw.get("mean") or (args[1] if len(args) > 1 else None)
            std = kw.get("stddev") or (args[2] if len(args) > 2 else None)
            m = mean.lo if mean is not None and mean.known else 0.0
            s = std.hi if std is not None and std.known else 1.0
            return V("seq", m - 3 * s, m + 3 * s, n=shape[0] if shape else None, shape=shape,
                     ndim=len(shape) if shape else None, dist="normal")
        if last == "matmul" and len(args) >= 2:
            return self.tf_matmul(node, args[0], args[1])
        if (last == "dense" and prefix.split(".")[-1] == "layers" or last == "fully_connected") and args:
            return self.tf_dense(node, args, kw, kwnodes, relu_default=last == "fully_connected")
        if last == "add" and len(args) == 2:
            for pred, other in ((args[0], args[1]), (args[1], args[0])):     # tf.add(tf.matmul(x, W), b)
                if pred.dist == "prediction" and other.dist != "prediction" and other.n in (None, 1):
                    if isinstance(pred.ref, LayerInfo) and pred.ref.use_bias is False:
                        pred.ref.use_bias = True
                    return pred
            return None
        if last.lower() in FUNC_ACTIVATIONS and args and args[0].dist == "prediction":
            layer = args[0].ref
            if isinstance(layer, LayerInfo) and layer.activation in (None, "linear"):
                layer.activation = last.lower()
            return args[0]
        if last in TF1_OPTIMIZERS:
            return V("opt", ref=self.optimizer(node, TF1_OPTIMIZERS[last], args, kw, kwnodes, torch=False))
        if last in ("reduce_mean", "reduce_sum", "mean_squared_error") and node.args:
            if self.torch_data is None and last != "mean_squared_error" and _squared_difference(node.args[0]):
                self.tf_graph_data(node, env)
            if self.config.loss is None and (last == "mean_squared_error" or _squared_difference(node.args[0])):
                self.config.loss = "mse"
            elif self.config.loss is None:
                self.config.loss = _log_likelihood(node.args[0])
            return V("num")
        if last in ("softmax_cross_entropy_with_logits", "softmax_cross_entropy_with_logits_v2",
                    "sparse_softmax_cross_entropy_with_logits"):
            # the loss applies the softmax itself, as torch's CrossEntropyLoss does (same canonical loss)
            self.config.loss = self.config.loss or "cross_entropy"
            self.config.from_logits = True
            return V("seq")
        if last == "sigmoid_cross_entropy_with_logits":
            self.config.loss = self.config.loss or "binary_cross_entropy_with_logits"
            self.config.from_logits = True
            return V("seq")
        if last in ("Session", "InteractiveSession"):
            return V("obj", const="tf.Session")
        if last == "from_tensor_slices" and args:
            parts = args[0].items if args[0].kind == "tuple" and args[0].items else [args[0]]
            if len(parts) >= 2 and self.torch_data is None:
                # a custom loop over its batches sees only batches: the data set is these tensors (as a
                # torch TensorDataset's)
                self.torch_data = (parts[0], parts[1], self.line(node) or 0)
            return V("dataset", items=list(parts), n=_n_of(*parts))
        return None

    def tf_matmul(self, node: ast.Call, a: V, w: V) -> V | None:
        """x @ W in a graph: a dense layer (W's shape) applied to the input placeholder or a previous layer."""
        if a.dist not in ("placeholder", "prediction"):
            return None
        if isinstance(a.ref, _Placeholder):
            a.ref.role = "input"
        units = w.shape[-1] if w.shape and len(w.shape) == 2 and isinstance(w.shape[-1], int) else None
        fan_in = w.shape[0] if w.shape and len(w.shape) == 2 and isinstance(w.shape[0], int) else None
        key = self.key(node)
        layer = self.seen_layers.get(key)
        if layer is None:
            layer = LayerInfo(name=self._layer_name("dense"), kind="dense", units=units, input_units=fan_in,
                              activation="linear", use_bias=False, line=self.line(node), span=self.span(node))
            self.seen_layers[key] = layer
            init = w.ref if isinstance(w.ref, V) else None
            if init is not None:   # tf.random_normal(shape, stddev=s) / tf.zeros(shape): the weights' initial spread
                std = (init.hi - init.lo) / 6 if init.dist == "normal" else (init.hi - init.lo) / 12 ** 0.5
                self.tf_init_std[id(layer)] = std
        return V("seq", n=a.n, ndim=2, shape=(a.n, units) if units else None, dist="prediction", ref=layer)

    def tf_dense(self, node: ast.Call, args: list[V], kw: dict[str, V], kwnodes: dict[str, ast.AST],
                 relu_default: bool = False) -> V:
        """tf.layers.dense(x, units, activation=...): TF1's functional Dense; tf.contrib.layers.fully_connected
        (activation_fn=, ReLU by default)."""
        inp = args[0]
        if isinstance(inp.ref, _Placeholder):
            inp.ref.role = "input"
        units_v = kw.get("units") or (args[1] if len(args) > 1 else None)
        units = units_v.const if units_v is not None and isinstance(units_v.const, int) else None
        key = self.key(node)
        layer = self.seen_layers.get(key)
        if layer is None:
            fan_in = inp.shape[-1] if inp.shape and isinstance(inp.shape[-1], int) else (
                inp.ref.units if isinstance(inp.ref, LayerInfo) else None)
            use_bias = kw["use_bias"].const if "use_bias" in kw and isinstance(kw["use_bias"].const, bool) else True
            act_key = "activation_fn" if relu_default else "activation"
            activation = "relu" if relu_default and act_key not in kwnodes else \
                self.activation_name(kw.get(act_key), kwnodes.get(act_key))
            layer = LayerInfo(name=self._layer_name("dense"), kind="dense", units=units, input_units=fan_in,
                              activation=activation,
                              use_bias=use_bias, line=self.line(node), span=self.span(node))
            self.seen_layers[key] = layer
        return V("seq", n=inp.n, ndim=2, shape=(inp.n, units) if units else None, dist="prediction", ref=layer)

    def tf_method(self, node: ast.Call, attr: str, obj: V, args: list[V], kw: dict[str, V],
                  kwnodes: dict[str, ast.AST], env: dict[str, V], mult: int) -> V | None:
        if obj.kind == "opt" and attr == "minimize":
            if self.config.loss is None and node.args and _squared_difference(self._resolved(node.args[0])):
                # minimize(tf.square(pred - y)) with no reduction: TF sums the elements, a squared error
                self.config.loss = "mse"
            return V("train_op", ref=obj.ref)
        if obj.kind == "opt" and attr == "apply_gradients":
            self.tf_step(obj.ref)
            return V("none")
        if attr == "run" and args:
            fetched = args[0].items if args[0].kind in ("seq", "tuple") and args[0].items else [args[0]]
            ops = [f for f in fetched if f.kind == "train_op"]
            if not ops:
                return None
            self.tf_step(ops[0].ref)
            feed = kw.get("feed_dict") or (args[1] if len(args) > 1 else None)
            if feed is not None and feed.kind == "dict" and feed.items:
                self.tf_feed(feed.items, node)
            return V("tuple", items=[UNKNOWN] * len(fetched)) if args[0].items is not None else UNKNOWN
        if obj.kind in ("dataset", "loader"):
            if attr == "shuffle":
                self.config.shuffle, self.config.shuffle_line = True, self.line(node)
                return dataclasses.replace(obj, dist="shuffled")
            if attr == "batch" and args and isinstance(args[0].const, int) and args[0].const > 0:
                batch = args[0].const
                self.batch_sizes.append((batch, self.line(node) or 0))
                n = math.ceil(obj.n / batch) if obj.n else None
                return V("loader", n=n, const=batch, items=obj.items, dist=obj.dist)
            if attr in ("repeat", "prefetch", "cache", "map", "take"):
                return obj
        return None

    def _resolved(self, node: ast.AST, depth: int = 0) -> ast.AST:
        """The expression with each name replaced by what was last assigned to it (a few levels deep):
        `loss = tf.square(error)` with `error = linear_model - y` reads as `tf.square(linear_model - y)`."""
        values = self.assigned_values

        class Sub(ast.NodeTransformer):
            def visit_Name(self, n: ast.Name) -> ast.AST:   # noqa: N802 - ast API
                value = values.get(n.id)
                return value if value is not None and not isinstance(value, ast.Name) else n

        out = node
        for _ in range(4):
            nxt = Sub().visit(copy.deepcopy(out))
            if ast.dump(nxt) == ast.dump(out):
                break
            out = nxt
        return out

    def tf_graph_data(self, node: ast.Call, env: dict[str, V]) -> None:
        """cost = tf.reduce_mean(tf.square(x_data * W + b - y_data)) with Python lists or arrays bound into the
        graph (no placeholder, no feed_dict): the side of the difference that reads a tf.Variable is the
        prediction and the data it multiplies are the inputs; the other side holds the targets."""
        sub = next((n for n in ast.walk(node.args[0]) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Sub)), None)
        if sub is None:
            return

        def expand(n: ast.AST, depth: int = 0) -> list[ast.AST]:
            out: list[ast.AST] = [n]
            for name in [m for m in ast.walk(n) if isinstance(m, ast.Name)]:
                value = self.assigned_values.get(name.id)
                if value is not None and depth < 4 and value is not n:
                    out += expand(value, depth + 1)
            return out

        def variable(n: ast.AST) -> bool:
            return isinstance(n, ast.Call) and _last(_dotted(n.func)) in ("Variable", "get_variable")

        def data(nodes: list[ast.AST]) -> list[V]:
            found = []
            for part in nodes:
                for name in [m for m in ast.walk(part) if isinstance(m, ast.Name)]:
                    v = env.get(name.id)
                    if v is not None and v.kind == "seq" and v.known and v.n and not v.param \
                            and v.dist != "placeholder" and not variable(self.assigned_values.get(name.id)):
                        found.append(v)
            return found

        def placeholder(nodes: list[ast.AST]) -> bool:
            return any(isinstance(m, ast.Name) and (env.get(m.id) or UNKNOWN).dist == "placeholder"
                       for part in nodes for m in ast.walk(part))

        sides = [expand(sub.left), expand(sub.right)]
        reads_variable = [any(variable(m) for part in side for m in ast.walk(part)) for side in sides]
        if reads_variable.count(True) != 1 or any(placeholder(side) for side in sides):
            return
        pred, target = (sides[0], sides[1]) if reads_variable[0] else (sides[1], sides[0])
        X, y = data(pred), data(target)
        if len(X) == 1 and len(y) == 1 and X[0].n == y[0].n:
            self.torch_data = (X[0], y[0], self.line(node) or 0)

    def tf_step(self, opt: OptimizerInfo | None) -> None:
        self._step_calls += 1
        self.custom_loop = True
        if isinstance(opt, OptimizerInfo):
            opt.passed_to_compile = True
            self.compiled = opt

    def tf_feed(self, pairs: list[V], node: ast.AST) -> None:
        """feed_dict={x: X, y: Y}: the placeholder the network reads takes the inputs, the other the targets."""
        X = y = None
        fed = [p.items for p in pairs if p.kind == "tuple" and p.items and len(p.items) == 2
               and isinstance(p.items[0].ref, _Placeholder)]
        if len(fed) == 2 and not any(ph.ref.role == "input" for ph, _ in fed):
            (_, X), (_, y) = fed     # the network was not read as layers (tf.multiply(X, W) + b): inputs first
        for ph, value in fed:
            if X is not None and y is not None:
                break
            if ph.ref.role == "input" and X is None:
                X = value
            elif y is None:
                y = value
        if X is not None and y is not None and self.torch_data is None:
            # feed_dict converts what it feeds to the placeholder's dtype: Python ints fed to a
            # tf.float32 placeholder arrive as float32
            dtypes = {id(value): ph.ref.dtype for ph, value in fed}
            X, y = (dataclasses.replace(v, dtype=dtypes[id(v)]) if (dtypes.get(id(v)) or "").startswith(("float", "half", "double", "bfloat"))
                    else v for v in (X, y))
            self.torch_data = (X, y, self.line(node) or 0)
