"""Step 4 of the static reader, scikit-learn's neural networks: MLPRegressor / MLPClassifier.

`MLPRegressor(hidden_layer_sizes=(2,), activation='logistic', solver='sgd', learning_rate_init=1e-5,
max_iter=10).fit(X, y)` is a network like any other: dense layers of the given widths, an output layer
(identity for a regressor; logistic / softmax for a classifier), an optimiser and a number of epochs.
The defaults are scikit-learn's documented ones (sklearn.neural_network.MLPRegressor): one hidden layer
of 100 ReLU units, Adam at 0.001, batch_size=min(200, n), max_iter=200 epochs, squared error for the
regressor and log-loss for the classifier, rows shuffled every epoch.
"""
from __future__ import annotations

import ast

from nnfit.doctor.run import LayerInfo, OptimizerInfo
from nnfit.doctor.static.values import UNKNOWN, V, _Model

MLP_CLASSES = {"MLPRegressor": "regression", "MLPClassifier": "classification"}
# scikit-learn's names for the hidden activation
_ACTIVATIONS = {"relu": "relu", "logistic": "sigmoid", "tanh": "tanh", "identity": "linear"}
_DEFAULTS = {"hidden_layer_sizes": (100,), "activation": "relu", "solver": "adam", "learning_rate_init": 0.001,
             "max_iter": 200, "batch_size": "auto", "shuffle": True}


class SklearnReader:
    """Mixin of the interpreter (static/interp.py)."""

    def sklearn_mlp(self, node: ast.Call, last: str, args: list[V], kw: dict[str, V]) -> V:
        def get(name: str, pos: int | None = None):
            v = kw.get(name) or (args[pos] if pos is not None and len(args) > pos else None)
            if v is None:
                return _DEFAULTS[name]
            if v.items is not None:
                return tuple(i.const for i in v.items)
            return v.const if v.const is not None else None

        sizes = get("hidden_layer_sizes", 0)
        if isinstance(sizes, int) and not isinstance(sizes, bool):
            sizes = (sizes,)
        act = _ACTIVATIONS.get(str(get("activation")), None)
        model = self.models_at(self.key(node), "sklearn", node)
        model._sklearn = {"task": MLP_CLASSES[last], "max_iter": get("max_iter"), "batch_size": get("batch_size"),  # type: ignore[attr-defined]
                          "shuffle": get("shuffle")}
        line, span = self.line(node), self.span(node)
        widths = list(sizes) if isinstance(sizes, tuple) and all(isinstance(s, int) for s in sizes) else []
        for i, units in enumerate(widths):
            model.layers.append(LayerInfo(name=self._layer_name("dense"), kind="dense", units=units,
                                          activation=act, use_bias=True, line=line, span=span))
            if i:
                model.layers[-1].input_units = widths[i - 1]
        if widths or sizes == ():
            out_act = "linear" if MLP_CLASSES[last] == "regression" else None   # the classifier's: set at fit
            model.layers.append(LayerInfo(name=self._layer_name("dense"), kind="dense", units=None,
                                          input_units=widths[-1] if widths else None, activation=out_act,
                                          use_bias=True, line=line, span=span))
        solver = str(get("solver"))
        lr = get("learning_rate_init")
        name = {"adam": "adam", "sgd": "sgd", "lbfgs": "lbfgs"}.get(solver, solver)
        info = OptimizerInfo(name=name, learning_rate=float(lr) if isinstance(lr, (int, float)) else None,
                             line=line, passed_to_compile=True,
                             arguments={"default_learning_rate": "learning_rate_init" not in kw, "sklearn": True})
        self.optimizers[self.key(node)] = info
        self.compiled = info
        self.framework_hint.add("sklearn")
        return V("model", ref=model)

    def sklearn_fit(self, node: ast.Call, model: _Model, args: list[V], kw: dict[str, V]) -> V:
        """MLP.fit(X, y): max_iter epochs of batch_size rows (min(200, n) for 'auto'), the task's loss."""
        settings = model._sklearn  # type: ignore[attr-defined]
        X = kw.get("X") or (args[0] if args else UNKNOWN)
        y = kw.get("y") or (args[1] if len(args) > 1 else UNKNOWN)
        line = self.line(node)
        self.config.fit_line = line
        epochs = settings["max_iter"]
        self.config.epochs = epochs if isinstance(epochs, int) else None
        batch = settings["batch_size"]
        n = X.n if X.n is not None else y.n
        if batch == "auto":
            self.config.batch_size = min(200, n) if n else None
        elif isinstance(batch, int):
            self.config.batch_size = min(batch, n) if n else batch
        if settings["shuffle"] is False:
            self.config.shuffle, self.config.shuffle_line = False, line
        out = model.layers[-1] if model.layers else None
        if settings["task"] == "regression":
            self.config.loss = self.config.loss or "mse"
            width = len(y.cols) if y.cols else 1
        else:
            classes = len(y.counts) if y.counts else (len(y.cols) if y.cols else None)
            multi = classes is not None and classes > 2 and not y.cols
            self.config.loss = self.config.loss or ("categorical_crossentropy" if multi else "binary_crossentropy")
            width = classes if multi else (len(y.cols) if y.cols else 1)
            if out is not None and out.activation is None:
                out.activation = "softmax" if multi else "sigmoid"
        if out is not None and out.units is None:
            out.units = width
        self.fit_calls.append((line or 0, X, y))
        return V("obj")
