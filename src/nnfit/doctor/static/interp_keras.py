"""Keras calls for the abstract interpreter: Sequential.add/compile/fit, layers, activations, Keras 2 names."""
from __future__ import annotations

import ast
import dataclasses

from nnfit.doctor.run import LayerInfo, OptimizerInfo
from nnfit.doctor.static.nodes import _dotted, _kw_node, _last
from nnfit.doctor.static.values import UNKNOWN, V, _Model
from nnfit.doctor.vocab import KERAS_DEFAULT_LR, KERAS_INITIALIZER_CLASSES, KERAS_INITIALIZER_STD, KERAS_LAYERS, LEGACY_KWARGS, OPTIMIZERS, canonical_loss
from nnfit.doctor.vocab import FUNC_ACTIVATIONS


class KerasReader:
    """Mixin of Interpreter (static/interp.py): reads self.config, self.models, ... set up there."""

    def model_method(self, node: ast.Call, attr: str, model: _Model, args: list[V], kw: dict[str, V],
                     kwnodes: dict[str, ast.AST], env: dict[str, V]) -> V | None:
        if attr == "add" and args:
            layer = args[0]
            if layer.kind == "layer" and isinstance(layer.ref, LayerInfo):
                if layer.ref.kind == "dense" and any(la.kind == "dense" for la in model.layers) \
                        and not (node.args and isinstance(node.args[0], ast.Call) and len(node.args[0].args) >= 2):
                    layer.ref.input_units = None   # Keras ignores input_shape= after the first layer
                self.attach(model, layer.ref, node)
            return V("none")
        if attr == "add_module" and len(args) >= 2 and model.framework == "torch":
            # nn.Sequential().add_module("fc1", nn.Linear(3, 32)) (in a loop or not): appended in order, an
            # activation module joined to the Linear before it as Sequential([...]) does
            layer = args[1]
            if layer.kind == "layer" and isinstance(layer.ref, LayerInfo) and layer.ref not in model.layers:
                self.attach(model, layer.ref, node)
            return V("none")
        if attr == "compile":
            self.config.compile_line = self.line(node)
            opt = kw.get("optimizer") or (args[0] if args else None)
            opt_node = kwnodes.get("optimizer") or (node.args[0] if node.args else None)
            if opt is not None:
                if opt.kind == "str" and isinstance(opt.const, str):
                    name = OPTIMIZERS.get(opt.const.lower(), opt.const.lower())
                    self.compiled = OptimizerInfo(name=name, learning_rate=KERAS_DEFAULT_LR.get(name),
                                                  line=self.line(opt_node or node), passed_to_compile=True,
                                                  arguments={"default_learning_rate": True, "string": opt.const})
                elif opt.kind == "opt" and isinstance(opt.ref, OptimizerInfo):
                    opt.ref.passed_to_compile = True
                    self.compiled = opt.ref
            loss = kw.get("loss") or (args[1] if len(args) > 1 else None)
            if loss is not None:
                if loss.kind == "str":
                    self.config.loss = loss.const
                elif loss.kind == "loss":
                    self.config.loss = loss.const
                elif loss.kind == "func":
                    self.config.loss = "custom"
                else:
                    # loss=keras.losses.categorical_crossentropy / tf.keras.losses.mse / a name imported from
                    # keras.losses: the library's function, passed uncalled; its name is the loss
                    named = _named_function(kwnodes.get("loss") or (node.args[1] if len(node.args) > 1 else None))
                    if named is not None and canonical_loss(named) is not None:
                        self.config.loss = named
            metrics = kw.get("metrics") or (args[2] if len(args) > 2 else None)   # compile(opt, loss, metrics)
            if metrics is not None and metrics.items is not None:
                mnode = kwnodes.get("metrics") or (node.args[2] if len(node.args) > 2 else None)
                elts = mnode.elts if isinstance(mnode, (ast.List, ast.Tuple)) and len(mnode.elts) == len(metrics.items) \
                    else [None] * len(metrics.items)
                named_metrics = [_named_function(e) if m.kind == "unknown" else None for m, e in zip(metrics.items, elts)]
                self.config.metrics = [m.const if m.kind == "str" else (m.const or "custom") for m in metrics.items
                                       if m.kind in ("str", "loss", "func")] or [str(m.const) for m in metrics.items if m.const]
                # metrics=[keras.metrics.mae] / [tf.keras.metrics.Accuracy()]: the library's metric by its name
                self.config.metrics += [n for n in named_metrics if n]
            return V("none")
        if attr in ("fit", "fit_generator", "train_on_batch"):
            line = self.line(node)
            self.config.fit_line = line
            for k, knode in kwnodes.items():
                if k in LEGACY_KWARGS["fit"]:
                    self.add_legacy(f"{k}=", LEGACY_KWARGS["fit"][k][0] + "=", node, _kw_node(node, k))
            shown = kw.get("show_accuracy")
            if shown is not None and shown.const is True and "accuracy" not in (self.config.metrics or []):
                # Keras 0.x fit(..., show_accuracy=True): accuracy reported each epoch, as metrics=['accuracy']
                self.config.metrics = list(self.config.metrics or []) + ["accuracy"]
            epochs = kw.get("epochs") or kw.get("nb_epoch") or (args[3] if len(args) > 3 else None)
            batch = kw.get("batch_size") or (args[2] if len(args) > 2 else None)
            repeats = 1
            for count in self.loop_counts:      # for i in range(100): model.fit(X, y, epochs=1): 100 epochs in all
                repeats *= count if count else 1
            if epochs is not None and isinstance(epochs.const, int):
                self.config.epochs = epochs.const * repeats
            elif epochs is None and attr == "fit":
                self.config.epochs = repeats  # Keras default: 1 epoch per call
            elif attr == "train_on_batch" and all(self.loop_counts):
                self.planned_updates = repeats      # one update per call
                self.config.epochs = repeats
            if batch is not None and isinstance(batch.const, int):
                self.config.batch_size = batch.const
            elif batch is not None and batch.kind == "none":
                self.config.batch_size = None
            split = kw.get("validation_split")
            if split is not None and isinstance(split.const, (int, float)) and 0 < split.const < 1:
                self.config.validation_split = float(split.const)
            shuffle = kw.get("shuffle")
            if shuffle is not None and isinstance(shuffle.const, bool):
                self.config.shuffle, self.config.shuffle_line = shuffle.const, line
            X = kw.get("x") or kw.get("generator") or (args[0] if args else UNKNOWN)
            y = kw.get("y") or (args[1] if len(args) > 1 and X.kind != "generator" else UNKNOWN)
            x_node = kwnodes.get("x") if "x" in kwnodes else (node.args[0] if node.args else None)
            X = _multi_input(X, x_node)
            if X.kind in ("loader", "dataset") and X.items and len(X.items) >= 2:
                # fit(tf.data.Dataset.from_tensor_slices((X, y)).batch(b)): the tensors and the batch size
                if X.kind == "loader" and isinstance(X.const, int):
                    self.config.batch_size = X.const
                if X.dist != "shuffled" and shuffle is None:
                    # Keras takes a dataset's batches in its own order (fit's shuffle= does not apply to it)
                    self.config.shuffle, self.config.shuffle_line = False, line
                X, y = X.items[0], X.items[1]
            if X.kind == "generator":      # fit_generator(gen()): the (X, y) batches it yields
                batch = X.items[0] if X.items else UNKNOWN
                X, y = (batch.items[0], batch.items[1]) if batch.kind == "tuple" and batch.items and len(batch.items) >= 2 \
                    else (UNKNOWN, UNKNOWN)
                steps = kw.get("steps_per_epoch")
                samples = kw.get("samples_per_epoch")     # Keras 1: samples, in batches of what the generator yields
                per_epoch = steps.const if steps is not None and isinstance(steps.const, int) else (
                    -(-samples.const // X.n) if samples is not None and isinstance(samples.const, int) and X.n else None)
                if X.n:
                    self.config.batch_size = X.n
                epochs_v = kw.get("epochs") or kw.get("nb_epoch")
                if per_epoch and epochs_v is not None and isinstance(epochs_v.const, int):
                    self.planned_updates = epochs_v.const * per_epoch
                # a generator's batches are new rows each time: how many distinct rows it holds is unknown
                X, y = dataclasses.replace(X, n=None), dataclasses.replace(y, n=None)
            self.fit_calls.append((line or 0, X, y))
            return V("obj")
        if attr in ("forward", "predict_on_batch") and args:     # model.forward(x): the same as model(x)
            if not getattr(self, "_model_input", None):
                self._model_input = args[0]
            self._last_input = args[0]
            return self.prediction(V("model", ref=model), args)
        if attr in ("modules", "children"):      # for m in model.modules(): ... every submodule, Linear ones included
            return V("modules", ref=model)
        if attr == "apply" and args and args[0].kind == "func" and args[0].node is not None:
            self.call_user(args[0].node, [V("modules", ref=model)], {}, env, 1)     # model.apply(init_weights)
            return V("model", ref=model)
        if attr in ("predict", "evaluate", "summary", "save", "load_weights", "parameters", "eval", "train",
                    "to", "double", "float", "named_parameters", "state_dict", "zero_grad"):
            if attr == "parameters" or attr == "named_parameters":
                return V("params", ref=model)
            return V("obj") if attr != "to" else V("model", ref=model)
        if attr == "__call__":
            return V("seq")
        return None

    # ---- scikit-learn wrappers (keras.wrappers.scikit_learn, scikeras): the estimator builds the model
    # with its build function and trains it with the fit settings it was given, once per fold
    _WRAPPERS = ("KerasClassifier", "KerasRegressor")
    _CV_CALLS = ("cross_val_score", "cross_val_predict", "cross_validate")

    def sklearn_wrapper_call(self, node: ast.Call, last: str, args: list[V], kw: dict[str, V],
                             kwnodes: dict[str, ast.AST], env: dict[str, V], mult: int) -> V | None:
        if last in self._WRAPPERS:
            build = kw.get("build_fn") or kw.get("model") or (args[0] if args else None)
            model = None
            if build is not None and build.kind == "func" and build.node is not None:
                model = self.call_user(build.node, [], {}, env, mult)
            elif build is not None and build.kind == "model":
                model = build
            if "nb_epoch" in kwnodes:
                self.add_legacy("nb_epoch=", "epochs=", node, _kw_node(node, "nb_epoch"))
            # epochs= is passed on to fit(); nb_epoch= is not a fit() argument of Keras 2 / 3 and is dropped
            epochs = kw.get("epochs")
            settings = {"epochs": epochs.const if epochs is not None and isinstance(epochs.const, int) else (
                            None if epochs is not None else 1),
                        "batch_size": kw.get("batch_size").const if isinstance(getattr(kw.get("batch_size"), "const", None), int) else None,
                        "model": model}
            return V("obj", const=("keras_wrapper", last), ref=settings)
        if last == "Trainer" and ("max_epochs" in kw or "max_steps" in kw or not args):
            # PyTorch Lightning: Trainer(max_epochs=20).fit(module, loader) runs the module's training_step with
            # the optimiser its configure_optimizers() returns (Lightning's default: 1000 epochs)
            epochs = kw.get("max_epochs")
            return V("obj", const=("pl_trainer", epochs.const if epochs is not None and isinstance(epochs.const, int)
                                   else (None if epochs is not None else 1000)))
        if last in ("KFold", "StratifiedKFold", "RepeatedKFold", "ShuffleSplit"):
            k = kw.get("n_splits") or (args[0] if args else None)
            return V("obj", const=("folds", k.const if k is not None and isinstance(k.const, int) else 5))
        if last in self._CV_CALLS and len(args) >= 2 and self._wrapper(args[0]):
            cv = kw.get("cv") or (args[3] if len(args) > 3 else None)
            folds = cv.const if cv is not None and isinstance(cv.const, int) else (
                cv.const[1] if cv is not None and isinstance(cv.const, tuple) and cv.const[:1] == ("folds",) else 5)
            y = kw.get("y") or (args[2] if len(args) > 2 else UNKNOWN)
            self.wrapper_fit(node, args[0], args[1], y, folds)
            return V("seq")
        return None

    @staticmethod
    def _wrapper(v: V) -> bool:
        return v.kind == "obj" and isinstance(v.const, tuple) and v.const[:1] == ("keras_wrapper",) and isinstance(v.ref, dict)

    def wrapper_fit(self, node: ast.Call, est: V, X: V, y: V, folds: int | None) -> None:
        """A wrapped Keras model trained on X, y (each of `folds` folds trains on the other folds' rows)."""
        settings = est.ref
        line = self.line(node)
        self.config.fit_line = line
        if settings.get("epochs") is not None:
            self.config.epochs = settings["epochs"]
        if settings.get("batch_size") is not None:
            self.config.batch_size = settings["batch_size"]
        if folds and folds > 1:
            keep = lambda v: dataclasses.replace(v, n=v.n - -(-v.n // folds)) if v.n else v   # noqa: E731
            X, y = keep(X), keep(y)
        self.fit_calls.append((line or 0, X, y))

    def keras_layer(self, node: ast.Call, last: str, args: list[V], kw: dict[str, V],
                    kwnodes: dict[str, ast.AST]) -> LayerInfo:
        key = self.key(node)
        if key in self.seen_layers:
            layer = self.seen_layers[key]
            units_now = kw.get("units") or (args[0] if args else None)
            if layer.kind == "dense" and layer.units is None and units_now is not None and isinstance(units_now.const, int):
                layer.units = units_now.const      # read first without the arguments, now called with them
            return layer
        kind = KERAS_LAYERS.get(last, "other")
        for k in kwnodes:
            if k in LEGACY_KWARGS["layer"] and not (k == "p" and last != "Dropout") and not (k == "bias" and kw[k].kind != "num"):
                self.add_legacy(f"{k}=", LEGACY_KWARGS["layer"][k][0] + "=", node, _kw_node(node, k))
        units_v = kw.get("units") or kw.get("output_dim") or (args[0] if args and kind == "dense" else None)
        keras0 = kind == "dense" and len(args) >= 2 and all(isinstance(a.const, int) and not isinstance(a.const, bool)
                                                            for a in args[:2])
        if keras0:   # Keras 0.x: Dense(input_dim, output_dim, ...)
            units_v = args[1]
            self.add_legacy("Dense(input_dim, output_dim)", "Dense(units, input_dim=...)", node, node.func)
        units = units_v.const if units_v is not None and isinstance(units_v.const, int) else None
        act = None
        if kind == "dense":
            act = self.activation_name(kw.get("activation"), kwnodes.get("activation"))
        elif kind == "activation":
            if last == "Activation":
                act = self.activation_name(args[0] if args else kw.get("activation"),
                                           node.args[0] if node.args else kwnodes.get("activation"))
            else:
                act = {"LeakyReLU": "leaky_relu", "ReLU": "relu", "PReLU": "prelu", "ELU": "elu"}.get(last, last.lower())
        input_units = None
        if keras0:
            input_units = args[0].const
        elif "input_dim" in kw and isinstance(kw["input_dim"].const, int):
            input_units = kw["input_dim"].const
        elif "input_shape" in kw:
            shp = kw["input_shape"]
            items = shp.items or []
            if items and isinstance(items[-1].const, int):
                input_units = items[-1].const
        elif self._pending_input is not None:
            input_units, self._pending_input = self._pending_input, None
        use_bias = True
        if "use_bias" in kw and isinstance(kw["use_bias"].const, bool):
            use_bias = kw["use_bias"].const
        elif "bias" in kw and isinstance(kw["bias"].const, bool):
            use_bias = kw["bias"].const
        init = kw.get("kernel_initializer") or kw.get("init")
        init_node = kwnodes.get("kernel_initializer") or kwnodes.get("init")
        layer = LayerInfo(
            name=self._layer_name({"dense": "dense", "activation": "activation", "dropout": "dropout",
                                   "batchnorm": "batch_normalization"}.get(kind, last.lower())),
            kind=kind, units=units, input_units=input_units, activation=act if kind in ("dense", "activation") else None,
            use_bias=use_bias if kind == "dense" else None,
            initializer=(init.const if init is not None and init.kind == "str" else ("custom" if init is not None else None)),
            line=self.line(node), span=self.span(node),
        )
        self.seen_layers[key] = layer
        if init_node is not None:
            std, _ = self.initializer_scale(init_node)
            if std is not None:
                self.init_std[id(layer)] = std
        if "bias_initializer" in kwnodes:
            _, value = self.initializer_scale(kwnodes["bias_initializer"])
            if value is not None:
                self.init_bias[id(layer)] = value
        return layer

    def initializer_scale(self, node: ast.AST) -> tuple[float | None, float | None]:
        """(std of the weights drawn, the constant value) of a Keras initializer written in the script:
        'zeros', 'uniform' (Keras 1), initializers.constant(0.0), RandomNormal(stddev=0.1), ..."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            name = KERAS_INITIALIZER_CLASSES.get(node.value.lower().replace("_", "").replace(" ", "")) or \
                KERAS_INITIALIZER_CLASSES.get(node.value.lower())
            if name is None:
                return None, None
            return KERAS_INITIALIZER_STD[name], {"zeros": 0.0, "ones": 1.0}.get(name)
        if not isinstance(node, ast.Call):
            return None, None
        name = KERAS_INITIALIZER_CLASSES.get(_last(_dotted(node.func)).lower())
        if name is None:
            return None, None

        def arg(key: str, pos: int, default: float) -> float | None:
            for k in node.keywords:
                if k.arg == key:
                    v = self.eval(k.value, {}, 1)
                    return float(v.const) if isinstance(v.const, (int, float)) else None
            if len(node.args) > pos:
                v = self.eval(node.args[pos], {}, 1)
                return float(v.const) if isinstance(v.const, (int, float)) else None
            return default

        if name in ("zeros", "ones"):
            return 0.0, 0.0 if name == "zeros" else 1.0
        if name == "constant":
            return 0.0, arg("value", 0, 0.0)
        if name == "random_uniform":
            lo, hi = arg("minval", 0, -0.05), arg("maxval", 1, 0.05)
            return ((hi - lo) / 12 ** 0.5 if lo is not None and hi is not None else None), None
        std = arg("stddev", 1, 0.05)
        return (std * (0.88 if name == "truncated_normal" else 1.0) if std is not None else None), None

    def activation_name(self, v: V | None, node: ast.AST | None) -> str:
        if v is None:
            return "linear"
        if v.kind == "none":
            return "linear"
        if v.kind == "str" and isinstance(v.const, str):
            return v.const.lower()
        if node is not None:
            dotted = _dotted(node)
            if dotted and _last(dotted).lower() in FUNC_ACTIVATIONS:
                return _last(dotted).lower()
            if isinstance(node, ast.Lambda):
                return "custom:" + ast.unparse(node)
            if isinstance(node, ast.Name) and node.id in self.funcs:
                return "custom:" + node.id
            try:
                return "custom:" + ast.unparse(node)
            except Exception:  # pragma: no cover - unparse handles every expression node
                return "custom"
        return "custom"


def _multi_input(X: V, x_node: ast.AST | None) -> V:
    """fit([x_a, x_b], y): a model with several inputs takes a list of arrays, one per input, all with the
    same rows. The samples are the rows of each array (not the list's length); the values are the union of
    their ranges, the width per input stays unknown (each input has its own first layer)."""
    if not isinstance(x_node, (ast.List, ast.Tuple)) or len(x_node.elts) < 2 or not X.items \
            or len(X.items) != len(x_node.elts):
        return X
    if any(isinstance(e, (ast.Constant, ast.List, ast.Tuple, ast.UnaryOp, ast.BinOp)) for e in x_node.elts):
        return X        # [[0, 1], [1, 0]]: a literal list of rows, not one array per input
    rows = {i.n for i in X.items}
    if len(rows) != 1 or None in rows or any(i.kind != "seq" for i in X.items):
        return X
    parts = [c for i in X.items for c in (i.cols or [i])]
    known = all(c.known for c in parts)
    return V("seq", min(c.lo for c in parts) if known else None, max(c.hi for c in parts) if known else None,
             all(c.integer for c in parts), n=X.items[0].n,
             dist="normal" if all(c.dist == "normal" for c in parts) else None,
             dtype=X.items[0].dtype if all(i.dtype == X.items[0].dtype for i in X.items) else None)


def _camel_to_snake(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (not name[i - 1].isupper() or (i + 1 < len(name) and name[i + 1].islower())):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def _named_function(node: ast.AST | None) -> str | None:
    """The library name of a loss / metric passed by reference (`keras.losses.mean_squared_error`,
    `mse` imported from keras.losses) or built from its class (`tf.keras.metrics.BinaryAccuracy()`:
    'binary_accuracy'); None for anything else."""
    call = isinstance(node, ast.Call) and not node.args
    target = node.func if call else node
    if not isinstance(target, (ast.Name, ast.Attribute)):
        return None
    dotted = _dotted(target) or ""
    last = dotted.rsplit(".", 1)[-1]
    if not last:
        return None
    if isinstance(target, ast.Attribute) and not any(p in dotted.split(".") for p in ("losses", "metrics", "keras", "K", "backend")):
        return None
    return _camel_to_snake(last) if call or last[:1].isupper() else last

