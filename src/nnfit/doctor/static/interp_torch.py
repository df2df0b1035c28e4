"""PyTorch calls for the abstract interpreter: nn layers, forward() activations, loss calls."""
from __future__ import annotations

import ast
import dataclasses

from nnfit.doctor.run import LayerInfo
from nnfit.doctor.static.nodes import _dotted, _last
from nnfit.doctor.static.values import V, _Model, samples_first
from nnfit.doctor.vocab import TORCH_LAYERS, canonical_loss
from nnfit.doctor.vocab import FUNC_ACTIVATIONS, TORCH_ACTIVATIONS


_INIT_CALLS = {"zeros_": "zeros", "ones_": "ones", "constant_": "constant", "fill_": "constant", "zero_": "zeros",
               "normal_": "normal", "uniform_": "uniform"}


class TorchReader:
    """Mixin of Interpreter (static/interp.py): reads self.config, self.models, ... set up there."""

    def torch_param_layer(self, node: ast.AST, env: dict) -> tuple[list[LayerInfo], str | None]:
        """The layers and 'weight' / 'bias' that `self.fc1.weight`, `m[0].weight.data`, `layer.bias` name;
        `m.weight` for m running over model.modules() (or passed by model.apply(fn)) names every Linear."""
        while isinstance(node, ast.Attribute) and node.attr == "data":
            node = node.value
        if isinstance(node, ast.Name):
            # `for p in model.parameters(): nn.init.zeros_(p)`: every weight and every bias of every Linear
            each = env.get(node.id)
            if each is not None and each.kind == "params" and isinstance(each.ref, _Model):
                return [la for la in _module_layers(each.ref) if la.kind == "dense"], "parameters"
            return [], None
        if not isinstance(node, ast.Attribute) or node.attr not in ("weight", "bias"):
            return [], None
        named = env.get(node.value.id) if isinstance(node.value, ast.Name) else None
        if named is not None and named.kind == "layer" and isinstance(named.ref, LayerInfo) and named.ref.kind == "dense":
            return [named.ref], node.attr       # a loop's pass over a list of layers (interp.unrolled)
        if named is not None and named.kind == "layers" and named.items:
            # `for layer in [self.fc1, self.fc2]: nn.init.zeros_(layer.weight)`: each listed layer
            return [i.ref for i in named.items if isinstance(i.ref, LayerInfo) and i.ref.kind == "dense"], node.attr
        base = node.value
        if isinstance(base, ast.Attribute):       # self.fc1.weight: the module attribute fc1
            for model in self.torch_modules.values():
                layer = getattr(model, "_attrs", {}).get(base.attr)
                if layer is not None:
                    return [layer], node.attr
        holder = base.value if isinstance(base, ast.Subscript) else base
        target = env.get(_dotted(holder) or "") if holder is not None else None
        if target is not None and target.kind == "modules" and isinstance(target.ref, _Model):
            return [la for la in _module_layers(target.ref) if la.kind == "dense"], node.attr
        if target is not None and target.kind == "model" and isinstance(target.ref, _Model):
            dense = [la for la in _module_layers(target.ref) if la.kind == "dense"]
            index = base.slice.value if isinstance(base, ast.Subscript) and isinstance(base.slice, ast.Constant) else 0
            if dense and index in (0, -1):     # m[0].weight: the first Linear (m[-1]: the last)
                return [dense[index]], node.attr
            if len(dense) == 1:
                return [dense[0]], node.attr
        return [], None

    def torch_init(self, node: ast.Call, name: str, env: dict) -> None:
        """nn.init.zeros_(fc.weight), nn.init.normal_(w, std=0.01), fc.weight.data.fill_(0), .uniform_(-a, a)."""
        kind = _INIT_CALLS.get(name)
        if kind is None:
            return
        method = isinstance(node.func, ast.Attribute) and name.endswith("_") and _last(_dotted(node.func.value)) in ("weight", "bias", "data")
        target = node.func.value if method else (node.args[0] if node.args else None)
        values = node.args if method else node.args[1:]
        layers, what = self.torch_param_layer(target, env) if target is not None else ([], None)
        if not layers:
            return

        def number(i: int, key: str, default: float) -> float | None:
            for k in node.keywords:
                if k.arg == key:
                    v = self.eval(k.value, env, 1)
                    return float(v.const) if isinstance(v.const, (int, float)) else None
            if len(values) > i:
                v = self.eval(values[i], env, 1)
                return float(v.const) if isinstance(v.const, (int, float)) else None
            return default

        if kind in ("zeros", "ones", "constant"):
            std, value = 0.0, {"zeros": 0.0, "ones": 1.0}.get(kind, number(0, "val", 0.0) if kind == "constant" else 0.0)
        elif kind == "normal":
            std, value = number(1, "std", 1.0), None
        else:
            lo, hi = number(0, "a", 0.0), number(1, "b", 1.0)
            std, value = ((hi - lo) / 12 ** 0.5 if lo is not None and hi is not None else None), None
        for layer in layers:
            if self.reading_uncalled and id(layer) in (self.init_std if what == "weight" else self.init_bias):
                continue        # a method nothing calls does not undo the initialisation the script ran
            if what in ("weight", "parameters") and std is not None:
                self.init_std[id(layer)] = std
            if what in ("bias", "parameters") and value is not None:
                self.init_bias[id(layer)] = value

    def torch_param_assign(self, target: ast.Attribute, val: V, env: dict) -> None:
        """m[0].weight = nn.Parameter(torch.tensor([[0., 0., 0.]])): a weight set to literal values."""
        layers, what = self.torch_param_layer(target, env)
        if not val.known:
            return
        for layer in layers:
            if what == "weight":
                self.init_std[id(layer)] = 0.0 if val.lo == val.hi else (val.hi - val.lo) / 12 ** 0.5
            elif val.lo == val.hi:
                self.init_bias[id(layer)] = float(val.lo)

    loss_broadcast: tuple | None = None    # ((n, 1), (n,), line) of a loss call on broadcast shapes

    @property
    def loss_rows(self) -> list[tuple[V, V]]:
        """(model input, target) of every loss call read, in order (see one_row_per_call)."""
        if "_loss_rows" not in self.__dict__:
            self._loss_rows: list[tuple[V, V]] = []
        return self._loss_rows

    def one_row_per_call(self, width: int | None) -> tuple[V, V] | None:
        """A network trained one literal pattern at a time (`net.train([0., 1.], [1.])` for each row of an
        XOR table): every loss call read was given one row of `width` literal numbers and one literal
        target; the rows together are the data set (stacked, each distinct pair once)."""
        if not width or not self.loss_rows:
            return None
        rows: list[tuple[tuple[float, ...], tuple[float, ...]]] = []
        for x, y in self.loss_rows:
            xs = _literal_numbers(x)
            ys = _literal_numbers(y)
            if xs is None or ys is None or len(xs) != width or not ys:
                return None
            if (xs, ys) not in rows:
                rows.append((xs, ys))
        n = len(rows)

        def column(values: list[float]) -> V:
            return V("seq", min(values), max(values), all(float(v).is_integer() for v in values), n, ndim=1)

        x_cols = [column([r[0][j] for r in rows]) for j in range(width)]
        y_width = len(rows[0][1])
        if any(len(r[1]) != y_width for r in rows):
            return None
        y_cols = [column([r[1][j] for r in rows]) for j in range(y_width)]
        lo, hi = min(c.lo for c in x_cols), max(c.hi for c in x_cols)
        X = V("seq", lo, hi, all(c.integer for c in x_cols), n, cols=x_cols, ndim=2)
        if y_width == 1:
            counts: dict[str, int] = {}
            for r in rows:
                key = f"{r[1][0]:g}"
                counts[key] = counts.get(key, 0) + 1
            y = dataclasses.replace(y_cols[0], counts=counts if y_cols[0].integer else None)
        else:
            y = V("seq", min(c.lo for c in y_cols), max(c.hi for c in y_cols), all(c.integer for c in y_cols), n,
                  cols=y_cols, ndim=2)
        return X, y

    def note_broadcast(self, a: V, b: V, node: ast.AST) -> None:
        """`y - y_pred` (or the reverse) in a hand-written loss, with (n, 1) predictions and (n,) targets."""
        for pred, target in ((a, b), (b, a)):
            if pred.dist == "prediction" and pred.ndim == 2 and pred.shape and pred.shape[-1] == 1 and target.ndim == 1 \
                    and target.dist != "prediction" and self.loss_broadcast is None and not pred.features_first:
                n = target.n or pred.n or 0
                self.loss_broadcast = ((n, 1), (n,), self.line(node))
        for pred, target in ((a, b), (b, a)):
            # prediction - target in a hand-written loss: the data the model is trained on
            if pred.dist == "prediction" and target.dist not in ("prediction", "placeholder") and target.kind == "seq" \
                    and self.torch_data is None and getattr(self, "_model_input", None) is not None:
                self.torch_data = (self._model_input, _targets_of(pred, target), self.line(node) or 0)

    def torch_loss_call(self, args: list[V], node: ast.AST | None = None) -> None:
        if len(args) >= 2 and args[1].dist == "prediction" and args[0].dist != "prediction":
            args = [args[1], args[0], *args[2:]]     # Keras order, loss_fn(y_true, y_pred): the prediction first
        if len(args) >= 2 and args[0].dist == "prediction" and self._last_input is not None:
            self.loss_rows.append((self._last_input, args[1]))
        if args and args[0].activation and self.config.loss_input_activation is None:
            self.config.loss_input_activation = args[0].activation   # criterion(torch.sigmoid(out), y)
        class_index = canonical_loss(self.config.loss or "") in ("cross_entropy_logits", "nll")
        if class_index and len(args) >= 2 and args[0].dist == "prediction" and self.class_index_targets is None:
            # what CrossEntropyLoss / NLLLoss gets as targets: (dtype, ndim, line), for lint's crash check
            self.class_index_targets = (args[1].dtype, args[1].ndim, self.line(node) if node is not None else None)
        if len(args) >= 2 and args[0].dist == "prediction" and args[0].features_first:
            # a column-major network's (units, samples) output: its targets are (units, samples) too, or (samples,)
            # for one unit; the (n, 1) - (n,) reading below is the row-major one
            args = [args[0], _targets_of(args[0], args[1]), *args[2:]]
        elif len(args) >= 2 and args[0].dist == "prediction" and args[0].ndim == 2 and args[0].shape and args[0].shape[-1] == 1 \
                and args[1].ndim == 1 and self.loss_broadcast is None and not class_index:
            # (CrossEntropyLoss / NLLLoss take (n, classes) scores and (n,) class indices: nothing broadcasts)
            n = args[1].n or args[0].n
            if n is None or n > 1:    # (n, 1) predictions against (n,) targets (n unknown: any n > 1 does it)
                self.loss_broadcast = ((n, 1), (n,), self.line(node) if node is not None else None)
        elif len(args) >= 2 and args[0].dist == "prediction" and args[0].ndim == 1 and args[1].dist != "prediction" \
                and not args[0].features_first \
                and args[1].ndim == 2 and ((args[1].shape and args[1].shape[-1] == 1) or (args[1].cols and len(args[1].cols) == 1)) \
                and self.loss_broadcast is None and not class_index:
            # the reverse: model(X).squeeze() of shape (n,) against (n, 1) targets broadcasts the same way
            n = args[0].n or args[1].n
            if n is None or n > 1:
                self.loss_broadcast = ((n,), (n, 1), self.line(node) if node is not None else None)
        if len(args) >= 2 and args[0].dist == "prediction" and self._model_input is not None:
            self.torch_data = (self._model_input, args[1], self.torch_data[2] if self.torch_data else 0) \
                if self.torch_data is None else self.torch_data

    def torch_layer(self, node: ast.Call, last: str, args: list[V], kw: dict[str, V]) -> LayerInfo:
        key = self.key(node)
        if key in self.seen_layers:
            layer = self.seen_layers[key]
            if layer.kind == "dense":
                # first read without the arguments (class body), now called with them: Linear(n_in, n_out)
                in_f = args[0].const if args and isinstance(args[0].const, int) else None
                out_f = args[1].const if len(args) > 1 and isinstance(args[1].const, int) else None
                layer.input_units = layer.input_units if layer.input_units is not None else in_f
                layer.units = layer.units if layer.units is not None else out_f
                if layer.input_units and layer.units:
                    layer.n_params = layer.input_units * layer.units + (layer.units if layer.use_bias is not False else 0)
            return layer
        if last in TORCH_ACTIVATIONS:
            layer = LayerInfo(name=self._layer_name(last.lower()), kind="activation", activation=TORCH_ACTIVATIONS[last],
                              line=self.line(node), span=self.span(node))
        else:
            kind = TORCH_LAYERS[last]
            in_f = args[0].const if args and isinstance(args[0].const, int) else (
                kw["in_features"].const if "in_features" in kw and isinstance(kw["in_features"].const, int) else None)
            out_f = args[1].const if len(args) > 1 and isinstance(args[1].const, int) else (
                kw["out_features"].const if "out_features" in kw and isinstance(kw["out_features"].const, int) else None)
            bias = True
            if "bias" in kw and isinstance(kw["bias"].const, bool):
                bias = kw["bias"].const
            layer = LayerInfo(name=self._layer_name("linear" if kind == "dense" else last.lower()), kind=kind,
                              units=out_f if kind == "dense" else None, input_units=in_f if kind == "dense" else None,
                              activation="linear" if kind == "dense" else None, use_bias=bias if kind == "dense" else None,
                              line=self.line(node), span=self.span(node))
            if kind == "dense" and in_f and out_f:
                layer.n_params = in_f * out_f + (out_f if bias else 0)
        self.seen_layers[key] = layer
        return layer

    def torch_forward_activations(self, fwd: ast.FunctionDef, model: _Model) -> None:
        """Layers assigned in __init__ (self.fc = nn.Linear) get the activation forward() applies to them;
        an output forward() flattens (`x.squeeze(-1)`, `x.view(-1)`) makes (n,) predictions."""
        model._flat_output = _returns_flattened(fwd)
        # `for blk in self.blocks: x = torch.relu(blk(x))`: the activation applies to every layer of the list
        loop_over = {n.target.id: n.iter.attr for n in ast.walk(fwd)
                     if isinstance(n, ast.For) and isinstance(n.target, ast.Name) and isinstance(n.iter, ast.Attribute)
                     and isinstance(n.iter.value, ast.Name) and n.iter.value.id == "self"}
        for call in ast.walk(fwd):
            if not isinstance(call, ast.Call):
                continue
            name = _last(_dotted(call.func)).lower()
            act = name if name in FUNC_ACTIVATIONS else None
            if act is None or not call.args:
                continue
            inner = call.args[0]
            if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id in loop_over:
                prefix = loop_over[inner.func.id] + "."
                for key, layer in getattr(model, "_attrs", {}).items():
                    if key.startswith(prefix) and layer.activation in (None, "linear"):
                        layer.activation = act
            if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
                attr = inner.func.attr
                layer = getattr(model, "_attrs", {}).get(attr)
                if layer is not None and layer.activation in (None, "linear"):
                    layer.activation = act



def _targets_of(pred: V, target: V) -> V:
    """The targets a prediction is compared with, one row per sample: those of a column-major network
    (pred.features_first, shape (units, samples)) are transposed to (samples, units) as its data are."""
    if not pred.features_first:
        return target
    units = pred.shape[0] if pred.shape and isinstance(pred.shape[0], int) else None
    return samples_first(target, units)


def _flattens(node: ast.AST | None) -> bool:
    """`x.squeeze()`, `x.squeeze(-1)`, `x.view(-1)`, `x.reshape(-1)`, `x.flatten()`, `torch.squeeze(x)`."""
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return False
    attr, args = node.func.attr, node.args
    consts = [a.value if isinstance(a, ast.Constant) else (-a.operand.value if isinstance(a, ast.UnaryOp)
              and isinstance(a.operand, ast.Constant) else None) for a in args]
    if attr == "squeeze":
        return len(consts) <= 2 and all(c in (None, 1, -1) for c in consts)
    if attr in ("view", "reshape"):
        return consts == [-1]
    return attr in ("flatten", "ravel") and not args


def _returns_flattened(fwd: ast.FunctionDef) -> bool:
    """Does forward() return its output flattened to one dimension (directly, or through the last
    assignment to the returned name)?"""
    returns = [n for n in ast.walk(fwd) if isinstance(n, ast.Return) and n.value is not None]
    if len(returns) != 1:
        return False
    value = returns[0].value
    if _flattens(value):
        return True
    if isinstance(value, ast.Name):
        assigns = [n for n in ast.walk(fwd) if isinstance(n, ast.Assign) and len(n.targets) == 1
                   and isinstance(n.targets[0], ast.Name) and n.targets[0].id == value.id]
        return bool(assigns) and _flattens(max(assigns, key=lambda n: (n.lineno, n.col_offset)).value)
    return False


def _module_layers(model: _Model) -> list[LayerInfo]:
    return model.layers or list(getattr(model, "_attrs", {}).values())


def _literal_numbers(v: V) -> tuple[float, ...] | None:
    """The numbers of a small literal list / tensor ([0., 1.], torch.tensor([1.])), a bare number as
    one; None when they are not all known."""
    if v.items is not None:
        out = []
        for item in v.items:
            if item.kind != "num" or not item.known or item.lo != item.hi:
                return None
            out.append(float(item.lo))
        return tuple(out)
    if (v.kind == "num" or (v.kind == "seq" and v.n == 1 and not v.cols)) and v.known and v.lo == v.hi:
        return (float(v.lo),)       # 1.0, torch.tensor([1.])
    return None
