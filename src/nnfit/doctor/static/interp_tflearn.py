"""Step 4 of the static reader, TFLearn (the Keras-like layer API of TensorFlow 1 posts).

    net = tflearn.input_data(shape=[None, 2])
    net = tflearn.fully_connected(net, 32, activation='relu')
    net = tflearn.fully_connected(net, 1)
    net = tflearn.regression(net, optimizer='sgd', learning_rate=0.01, loss='mean_square')
    model = tflearn.DNN(net); model.fit(X, Y, n_epoch=10, batch_size=16)

The defaults are TFLearn's documented ones: fully_connected(activation='linear'), regression(
optimizer='adam', loss='categorical_crossentropy', learning_rate=0.001, batch_size=64),
DNN.fit(n_epoch=10, batch_size = the regression layer's). Note the default loss: a regression written
without loss= trains on categorical cross-entropy.
"""
from __future__ import annotations

import ast

from nnfit.doctor.run import LayerInfo, OptimizerInfo
from nnfit.doctor.static.values import UNKNOWN, V, _Model

# TFLearn's loss names -> the canonical spelling used by the rules (nnfit.doctor.vocab)
TFLEARN_LOSSES = {"mean_square": "mse", "categorical_crossentropy": "categorical_crossentropy",
                  "binary_crossentropy": "binary_crossentropy", "softmax_categorical_crossentropy": "categorical_crossentropy",
                  "hinge_loss": "hinge", "weak_cross_entropy_2d": "categorical_crossentropy",
                  "roc_auc_score": "custom", "L2": "mse"}
TFLEARN_CALLS = {"input_data", "fully_connected", "dropout", "regression", "DNN", "batch_normalization", "activation"}


class TFLearnReader:
    """Mixin of the interpreter (static/interp.py)."""

    def tflearn_call(self, node: ast.Call, last: str, args: list[V], kw: dict[str, V]) -> V | None:
        net = args[0] if args else kw.get("incoming", UNKNOWN)
        model = net.ref if net.kind == "tflearn" and isinstance(net.ref, _Model) else None
        line, span = self.line(node), self.span(node)
        if last == "input_data":
            model = self.models_at(self.key(node), "tflearn", node)
            shape = kw.get("shape") or (args[0] if args else None)
            width = shape.items[-1].const if shape is not None and shape.items and isinstance(shape.items[-1].const, int) else None
            model._tflearn = {"width": width, "batch_size": 64}    # type: ignore[attr-defined]
            self.framework_hint.add("tflearn")
            return V("tflearn", ref=model)
        if model is None:
            return None
        if last == "fully_connected":
            units_v = kw.get("n_units") or (args[1] if len(args) > 1 else None)
            act_v = kw.get("activation") or (args[2] if len(args) > 2 else None)
            act = act_v.const.lower() if act_v is not None and isinstance(act_v.const, str) else (
                "linear" if act_v is None else "custom")
            act = {"softmax": "softmax", "sigmoid": "sigmoid", "relu": "relu", "tanh": "tanh", "linear": "linear"}.get(act, act)
            dense = [la for la in model.layers if la.kind == "dense"]
            bias_v = kw.get("bias")
            model.layers.append(LayerInfo(
                name=self._layer_name("dense"), kind="dense",
                units=units_v.const if units_v is not None and isinstance(units_v.const, int) else None,
                input_units=dense[-1].units if dense else model._tflearn["width"],  # type: ignore[attr-defined]
                activation=act, use_bias=bias_v.const if bias_v is not None and isinstance(bias_v.const, bool) else True,
                line=line, span=span))
            return net
        if last == "regression":
            opt = kw.get("optimizer") or (args[1] if len(args) > 1 else None)
            lr_v = kw.get("learning_rate")
            loss_v = kw.get("loss")
            batch_v = kw.get("batch_size")
            name = "adam"
            if opt is not None and opt.kind == "str" and isinstance(opt.const, str):
                name = opt.const.lower()
            elif opt is not None and opt.kind == "opt" and isinstance(opt.ref, OptimizerInfo):
                opt.ref.passed_to_compile = True
                self.compiled = opt.ref
                name = None
            if name is not None:
                rate = float(lr_v.const) if lr_v is not None and isinstance(lr_v.const, (int, float)) else (
                    0.001 if lr_v is None else None)
                self.compiled = OptimizerInfo(name=name, learning_rate=rate, line=line, passed_to_compile=True,
                                              arguments={"default_learning_rate": lr_v is None, "tflearn": True})
            loss = loss_v.const if loss_v is not None and isinstance(loss_v.const, str) else (
                "categorical_crossentropy" if loss_v is None else "custom")
            self.config.loss = TFLEARN_LOSSES.get(loss, loss)
            self.config.compile_line = line
            if batch_v is not None and isinstance(batch_v.const, int):
                model._tflearn["batch_size"] = batch_v.const   # type: ignore[attr-defined]
            return net
        if last == "DNN":
            return V("model", ref=model)
        return net          # dropout, batch_normalization, activation: the same network

    def tflearn_fit(self, node: ast.Call, model: _Model, args: list[V], kw: dict[str, V]) -> V:
        X = kw.get("X_inputs") or (args[0] if args else UNKNOWN)
        Y = kw.get("Y_targets") or (args[1] if len(args) > 1 else UNKNOWN)
        epochs = kw.get("n_epoch") or (args[2] if len(args) > 2 else None)
        batch = kw.get("batch_size")
        line = self.line(node)
        self.config.fit_line = line
        self.config.epochs = epochs.const if epochs is not None and isinstance(epochs.const, int) else (
            10 if epochs is None else None)
        settings = model._tflearn  # type: ignore[attr-defined]
        self.config.batch_size = batch.const if batch is not None and isinstance(batch.const, int) else settings["batch_size"]
        self.fit_calls.append((line or 0, X, Y))
        return V("obj")
