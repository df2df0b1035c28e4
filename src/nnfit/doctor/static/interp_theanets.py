"""Step 4 of the static reader, theanets (a Theano network library of older posts).

    net = theanets.Regressor(layers=(2, 8, 1))          # or theanets.Classifier([784, 100, 10])
    net.train([X, Y], algo='nag', learning_rate=0.1, momentum=0.9, batch_size=32)

The layer spec is a list of sizes: the first is the input width, the last the output; an item may also be
a (size, activation) tuple or a dict(size=..., activation=...). The defaults are theanets' documented
ones (0.7): hidden layers 'relu', a linear output for a Regressor and a softmax for a Classifier, squared
error / cross-entropy, and `train` with downhill's defaults (algo 'rmsprop', learning_rate 1e-4, batch_size
32). Training stops on a validation plateau (patience), so the number of epochs stays unknown.
"""
from __future__ import annotations

import ast

from nnfit.doctor.run import LayerInfo, OptimizerInfo
from nnfit.doctor.static.values import UNKNOWN, V, _Model

THEANETS_MODELS = {"Regressor": "regression", "Classifier": "classification"}
_ACTIVATIONS = {"relu": "relu", "sigmoid": "sigmoid", "logistic": "sigmoid", "tanh": "tanh", "linear": "linear",
                "softmax": "softmax", "softplus": "softplus", "elu": "elu"}
_ALGOS = {"sgd": "sgd", "nag": "sgd", "rmsprop": "rmsprop", "adam": "adam", "adagrad": "adagrad",
          "adadelta": "adadelta", "esgd": "sgd", "rprop": "rprop"}
DEFAULT_LR = 1e-4
DEFAULT_BATCH = 32


def _spec(item: V) -> tuple[int | None, str | None]:
    """(size, activation) of one item of a layers= list: 10, (10, 'tanh'), dict(size=10, activation='tanh')."""
    if isinstance(item.const, int) and not isinstance(item.const, bool):
        return item.const, None
    if item.kind == "tuple" and item.items:
        size = item.items[0].const if isinstance(item.items[0].const, int) else None
        act = item.items[1].const if len(item.items) > 1 and isinstance(item.items[1].const, str) else None
        return size, act
    if item.kind == "dict" and isinstance(item.const, dict):
        size, act = item.const.get("size"), item.const.get("activation")
        size = size.const if isinstance(size, V) else size
        act = act.const if isinstance(act, V) else act
        return (size if isinstance(size, int) else None), (act if isinstance(act, str) else None)
    return None, None


class TheanetsReader:
    """Mixin of the interpreter (static/interp.py)."""

    def theanets_model(self, node: ast.Call, last: str, args: list[V], kw: dict[str, V]) -> V | None:
        spec = kw.get("layers") or (args[0] if args else None)
        if spec is None or spec.items is None or len(spec.items) < 2:
            return None
        task = THEANETS_MODELS[last]
        sizes = [_spec(i) for i in spec.items]
        model = self.models_at(self.key(node), "theanets", node)
        model._theanets = {"task": task}  # type: ignore[attr-defined]
        line, span = self.line(node), self.span(node)
        hidden_v = kw.get("hidden_activation")
        hidden = hidden_v.const if hidden_v is not None and isinstance(hidden_v.const, str) else "relu"
        for i, (size, act) in enumerate(sizes[1:], start=1):
            out = i == len(sizes) - 1
            default = ("linear" if task == "regression" else "softmax") if out else hidden
            name = (act or default).lower()
            model.layers.append(LayerInfo(name=self._layer_name("dense"), kind="dense", units=size,
                                          input_units=sizes[i - 1][0], activation=_ACTIVATIONS.get(name, f"custom:{name}"),
                                          use_bias=True, line=line, span=span))
        self.framework_hint.add("theanets")
        self.config.loss = self.config.loss or ("mse" if task == "regression" else "sparse_categorical_crossentropy")
        return V("model", ref=model)

    def theanets_train(self, node: ast.Call, model: _Model, args: list[V], kw: dict[str, V]) -> V:
        """net.train([X, Y], algo=..., learning_rate=..., batch_size=...) (also itertrain)."""
        data = args[0] if args else kw.get("train", UNKNOWN)
        X = data.items[0] if data.items else UNKNOWN
        Y = data.items[1] if data.items and len(data.items) > 1 else UNKNOWN
        line = self.line(node)
        algo_v = kw.get("algo") or (args[2] if len(args) > 2 else None)
        algo = algo_v.const.lower() if algo_v is not None and isinstance(algo_v.const, str) else "rmsprop"
        lr_v = kw.get("learning_rate")
        lr = float(lr_v.const) if lr_v is not None and isinstance(lr_v.const, (int, float)) else (
            DEFAULT_LR if lr_v is None else None)
        momentum_v = kw.get("momentum")
        arguments = {"default_learning_rate": lr_v is None, "theanets": True, "algo": algo}
        if momentum_v is not None and isinstance(momentum_v.const, (int, float)):
            arguments["momentum"] = float(momentum_v.const)
        info = OptimizerInfo(name=_ALGOS.get(algo, algo), learning_rate=lr, line=line, passed_to_compile=True,
                             arguments=arguments)
        self.optimizers[self.key(node)] = info
        self.compiled = info
        batch_v = kw.get("batch_size")
        batch = batch_v.const if batch_v is not None and isinstance(batch_v.const, int) else (
            DEFAULT_BATCH if batch_v is None else None)
        n = X.n if X.n is not None else Y.n
        self.config.batch_size = min(batch, n) if batch and n else batch
        self.config.fit_line = self.config.compile_line = line
        self.fit_calls.append((line or 0, X, Y))
        return V("obj")
