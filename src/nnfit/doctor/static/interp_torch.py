"""PyTorch calls for the abstract interpreter: nn layers, forward() activations, loss calls."""
from __future__ import annotations

import ast

from nnfit.doctor.run import LayerInfo
from nnfit.doctor.static.nodes import _dotted, _last
from nnfit.doctor.static.values import V, _Model
from nnfit.doctor.vocab import FUNC_ACTIVATIONS, TORCH_ACTIVATIONS, TORCH_LAYERS


class TorchReader:
    """Mixin of Interpreter (static/interp.py): reads self.config, self.models, ... set up there."""

    loss_broadcast: tuple | None = None    # ((n, 1), (n,), line) of a loss call on broadcast shapes

    def note_broadcast(self, a: V, b: V, node: ast.AST) -> None:
        """`y - y_pred` (or the reverse) in a hand-written loss, with (n, 1) predictions and (n,) targets."""
        for pred, target in ((a, b), (b, a)):
            if pred.dist == "prediction" and pred.shape and pred.shape[-1] == 1 and target.ndim == 1 \
                    and target.dist != "prediction" and self.loss_broadcast is None:
                n = target.n or pred.n or 0
                self.loss_broadcast = ((n, 1), (n,), self.line(node))
        for pred, target in ((a, b), (b, a)):
            # prediction - target in a hand-written loss: the data the model is trained on
            if pred.dist == "prediction" and target.dist not in ("prediction", "placeholder") and target.kind == "seq" \
                    and self.torch_data is None and getattr(self, "_model_input", None) is not None:
                self.torch_data = (self._model_input, target, self.line(node) or 0)

    def torch_loss_call(self, args: list[V], node: ast.AST | None = None) -> None:
        if len(args) >= 2 and args[0].dist == "prediction" and args[0].shape and args[0].shape[-1] == 1 \
                and args[1].ndim == 1 and self.loss_broadcast is None:
            n = args[1].n or args[0].n
            if n and n > 1:    # (n, 1) predictions against (n,) targets
                self.loss_broadcast = ((n, 1), (n,), self.line(node) if node is not None else None)
        if len(args) >= 2 and args[0].dist == "prediction" and self._model_input is not None:
            self.torch_data = (self._model_input, args[1], self.torch_data[2] if self.torch_data else 0) \
                if self.torch_data is None else self.torch_data

    def torch_layer(self, node: ast.Call, last: str, args: list[V], kw: dict[str, V]) -> LayerInfo:
        key = self.key(node)
        if key in self.seen_layers:
            return self.seen_layers[key]
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
        """Layers assigned in __init__ (self.fc = nn.Linear) get the activation forward() applies to them."""
        for call in ast.walk(fwd):
            if not isinstance(call, ast.Call):
                continue
            name = _last(_dotted(call.func)).lower()
            act = name if name in FUNC_ACTIVATIONS else None
            if act is None or not call.args:
                continue
            inner = call.args[0]
            if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
                attr = inner.func.attr
                layer = getattr(model, "_attrs", {}).get(attr)
                if layer is not None and layer.activation in (None, "linear"):
                    layer.activation = act

