"""Keras 3 monitor: a callback that fills a TrainingRun while `Model.fit` runs.

Records the model structure, the optimiser/loss/metrics from `get_compile_config()`, per-batch and
per-epoch loss, and on sampled batches the per-layer update ratio ||dW||/||W||, gradient norms and
dead/saturated fractions (measured on a probe batch of the training inputs). Needs the torch backend
(the default here); other backends still get structure, losses and data statistics.
"""
from __future__ import annotations

import functools
import math
import os
import re
import time
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from nnfit.doctor.monitors._common import (TORCH_ACTIVATIONS, Budget, ScriptContext, activation_name,  # noqa: E402
                                           as_2d, fill_data, fit_quality, initial_spread, layer_stats, input_parts, probe_rows,
                                           take_rows, thin)
from nnfit.doctor.run import LayerInfo, OptimizerInfo, TrainingConfig, TrainingRun  # noqa: E402

# Update ratios are measured on ~60 batches per fit and the probe-batch loss ~100 times, and in any
# case every PROBE_INTERVAL_S of training (long epochs cut short by the time budget still get them).
PROBE_INTERVAL_S = 0.25
MAX_PROBE_EPOCHS = 20       # epochs with a full probe (evenly spaced, always the last)


def _no_grad() -> Any:
    if keras.backend.backend() == "torch":
        import torch

        return torch.no_grad()
    import contextlib

    return contextlib.nullcontext()


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def loss_name(loss: Any) -> str | None:
    if loss is None:
        return None
    if isinstance(loss, str):
        return loss
    if isinstance(loss, dict):
        # a serialised Keras object: {"class_name": "MeanSquaredError", "config": {"name": ...}}; a
        # custom function serialises as {"class_name": "function", "config": "its_name", ...}
        config = loss.get("config")
        if isinstance(config, dict) and config.get("name"):
            return str(config["name"])
        if isinstance(config, str) and config:
            return config
        return str(loss.get("class_name") or loss)
    if isinstance(loss, (list, tuple)):
        return loss_name(loss[0]) if loss else None
    name = getattr(loss, "__name__", None)
    return name if name else _snake(type(loss).__name__)


def _from_logits(loss: Any) -> bool | None:
    """True for a Keras loss object built with from_logits=True; None when not known."""
    if loss is None or isinstance(loss, str):
        return None
    value = getattr(loss, "from_logits", None)
    if value is None and hasattr(loss, "get_config"):
        try:
            value = loss.get_config().get("from_logits")
        except Exception:  # noqa: BLE001 - a custom loss
            value = None
    return bool(value) if value is not None else None


def describe_layers(model: Any, script: ScriptContext | None = None) -> list[LayerInfo]:
    layers: list[LayerInfo] = []
    for layer in model.layers:
        cls = type(layer).__name__
        line = getattr(layer, "_nnfit_line", None)
        span = script.span(line, cls) if script and line else None
        if cls == "Dense":
            kernel = getattr(layer, "kernel", None)
            n_in = int(kernel.shape[0]) if kernel is not None else None
            init = layer.kernel_initializer
            layers.append(LayerInfo(
                name=layer.name, kind="dense", units=int(layer.units), input_units=n_in,
                activation=activation_name(layer.activation), use_bias=bool(layer.use_bias),
                initializer=type(init).__name__ if init is not None else None,
                n_params=int(layer.count_params()) if layer.built else None, line=line, span=span))
        elif cls in ("Activation", "ReLU", "LeakyReLU", "ELU", "Softmax", "PReLU"):
            act = activation_name(getattr(layer, "activation", None)) if cls == "Activation" else \
                (TORCH_ACTIVATIONS.get(cls) or _snake(cls))   # LeakyReLU layer -> leaky_relu, as torch's
            if layers and layers[-1].kind == "dense" and (layers[-1].activation or "linear") == "linear":
                layers[-1].activation = act
            layers.append(LayerInfo(name=layer.name, kind="activation", activation=act, line=line, span=span))
        elif cls == "Dropout":
            layers.append(LayerInfo(name=layer.name, kind="dropout", line=line, span=span))
        elif cls == "Embedding":
            layers.append(LayerInfo(name=layer.name, kind="embedding", units=int(layer.output_dim),
                                    input_units=int(layer.input_dim), line=line, span=span,
                                    n_params=int(layer.count_params()) if layer.built else None))
        elif "Normalization" in cls:
            layers.append(LayerInfo(name=layer.name, kind="batchnorm", line=line, span=span,
                                    n_params=int(layer.count_params()) if layer.built else None))
        elif cls != "InputLayer":
            layers.append(LayerInfo(name=layer.name, kind="other", line=line, span=span))
    return layers


def optimizer_info(opt: Any) -> OptimizerInfo | None:
    if opt is None:
        return None
    lr = getattr(opt, "learning_rate", None)
    try:
        lr_value = float(np.asarray(lr)) if lr is not None else None
    except (TypeError, ValueError):  # a schedule
        sched = getattr(opt, "_learning_rate", None)
        lr_value = float(getattr(sched, "initial_learning_rate", float("nan")))
    args = {}
    for key in ("momentum", "nesterov", "beta_1", "beta_2", "rho", "clipnorm"):
        if hasattr(opt, key) and getattr(opt, key) not in (None, False, 0.0):
            value = getattr(opt, key)
            args[key] = value if isinstance(value, (bool, int, float)) else float(np.asarray(value))
    return OptimizerInfo(name=type(opt).__name__.lower(), learning_rate=lr_value,
                         line=getattr(opt, "_nnfit_line", None), variable=getattr(opt, "_nnfit_variable", None),
                         passed_to_compile=True, arguments=args)


# Instrumentation errors kept in the record (the first few); the user's training goes on regardless.
MAX_MONITOR_ERRORS = 5


def _guarded(method: Any) -> Any:
    """A callback method whose own failure (a model, loss or metric the monitor does not know how to
    read) is recorded in `run.probe_errors` instead of stopping the user's `fit`."""
    @functools.wraps(method)
    def call(self: "KerasMonitor", *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the monitor must never break the script's training
            errors = self.run.probe_errors
            if len(errors) < MAX_MONITOR_ERRORS:
                errors.append(f"monitor {method.__name__}: {type(exc).__name__}: {exc}")
            return None
    return call


class KerasMonitor(keras.callbacks.Callback):
    """Pass to `model.fit(..., callbacks=[KerasMonitor(X, y)])`; afterwards `.run` is the TrainingRun.

    X, y are optional (without them there are no data statistics and no training R²).
    """

    def __init__(self, x: Any = None, y: Any = None, *, budget_s: float | None = None,
                 script: ScriptContext | None = None, run: TrainingRun | None = None):
        super().__init__()
        self.x, self.y = x, y
        self.budget = Budget(budget_s)
        self.script = script
        self.run = run or TrainingRun(framework="keras")
        self._snap: dict[str, list[np.ndarray]] | None = None
        self._epoch_running: list[float] = []
        self._probe_idx: np.ndarray | None = None
        self._probe_every = 1
        self._batches_seen = 0
        # `doctor run` sets these: probes by update count only (inf), so a busy machine records the same
        self.probe_interval_s = PROBE_INTERVAL_S
        self.max_updates: int | None = None
        # `doctor run` on a batch stream (generator, PyDataset, DataLoader): the rows trained on so far,
        # as (X, y), or None; read after the first batch (probes) and at the end (data statistics)
        self.rows_source: Any = None

    # -- structure ------------------------------------------------------------------------------
    @_guarded
    def on_train_begin(self, logs: Any = None) -> None:
        model, run = self.model, self.run
        self.budget = Budget(self.budget.seconds)
        self._t0 = time.perf_counter()
        run.layers = describe_layers(model, self.script)
        for layer in self._dense():
            # the weights as initialised (before this fit's first update): bad-initial-scale reads their spread
            spread = initial_spread(layer.get_weights()[0]) if layer.get_weights() else None
            if spread is not None:
                run.initial_weight_std.setdefault(layer.name, spread)
        if self.script is not None:
            run.source = run.source or self.script.path
            run.source_lines = run.source_lines or self.script.lines
        cfg = model.get_compile_config() if hasattr(model, "get_compile_config") else {}
        metrics = cfg.get("metrics") or []
        metrics = [m if isinstance(m, str) else loss_name(m) for m in (metrics if isinstance(metrics, list) else [metrics])]
        prev = run.config
        opt = optimizer_info(model.optimizer)
        built = [o for o in prev.optimizers_built if o is not None]
        run.config = TrainingConfig(
            optimizer=opt, optimizers_built=built, loss=loss_name(getattr(model, "loss", None) or cfg.get("loss")),
            metrics=metrics, epochs=((prev.epochs or 0) + int(self.params.get("epochs") or 0)) or None,
            batch_size=prev.batch_size, compile_line=getattr(model, "_nnfit_compile_line", prev.compile_line),
            fit_line=prev.fit_line, validation_split=prev.validation_split, shuffle=prev.shuffle,
            shuffle_line=prev.shuffle_line, from_logits=_from_logits(getattr(model, "loss", None)))
        steps = self.params.get("steps")
        if steps:
            run.n_updates_planned = int(run.n_updates_planned or 0) + int(steps) * int(self.params.get("epochs") or 1)
            if run.config.batch_size is None and self.x is not None:
                run.config.batch_size = math.ceil(len(as_2d(self.x)) / int(steps))
        self._steps = int(steps or 1)
        epochs = int(self.params.get("epochs") or 1)
        self._probe_every = max(1, math.ceil(epochs / MAX_PROBE_EPOCHS))
        total = self._steps * epochs
        if self.max_updates:       # `doctor run` stops at an update budget: sample the part that will run
            total = min(total, self.max_updates)
        # measurement cost stays a small part of training: about 60 update-ratio samples and 100 loss
        # probes per fit, however long, plus one every PROBE_INTERVAL_S
        self._sample_every = max(1, total // 60)
        self._loss_every = max(1, total // 100)
        self._last_sample = self._last_loss = time.perf_counter()
        if self.x is not None and self.y is not None:
            self._set_probe_rows()
            self._probe("start")

    def _set_probe_rows(self) -> None:
        X = as_2d(self.x)
        self._probe_idx = probe_rows(X, self.run.seed or 0)
        self._px, self._py = X[self._probe_idx], as_2d(self.y)[self._probe_idx]
        # in the model's own input form: one array per input of a several-input model
        self._px_in = take_rows(self.x, self._probe_idx) if input_parts(self.x) else self._px.astype("float32")

    def _adopt_stream_rows(self) -> bool:
        """The rows a batch stream delivered so far become the monitor's data (True when there are any)."""
        rows = self.rows_source() if self.rows_source is not None else None
        if rows is None:
            return False
        self.x, self.y = rows
        return True

    # -- per batch --------------------------------------------------------------------------------
    def _functional_dense_outputs(self, x: Any) -> list[Any]:
        """A functional keras.Model's Dense outputs on the probe inputs (for the dead / saturated unit
        fractions, as a Sequential's are read layer by layer): through a second Model on the same graph
        that returns each Dense layer's output. [] for a model that is not a graph (a subclass) or that
        cannot be split so."""
        import keras

        extractor = getattr(self, "_dense_extractor", None)
        if extractor is None:
            try:
                dense = [layer for layer in self.model.layers if type(layer).__name__ == "Dense"]
                if not dense or not getattr(self.model, "inputs", None):
                    self._dense_extractor = False
                    return []
                extractor = (keras.Model(self.model.inputs, [layer.output for layer in dense]),
                             [(layer.name, activation_name(layer.activation)) for layer in dense])
            except Exception:  # a subclassed model has no graph to cut
                extractor = False
            self._dense_extractor = extractor
        if extractor is False:
            return []
        model, names = extractor
        try:
            outs = model(x)
        except Exception:
            return []
        outs = outs if isinstance(outs, (list, tuple)) else [outs]
        return [(name, act, out) for (name, act), out in zip(names, outs)]

    def _dense(self) -> list[Any]:
        return [l for l in self.model.layers if type(l).__name__ == "Dense" and l.built]

    @_guarded
    def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
        now = time.perf_counter()
        if (self._batches_seen + 1) % self._sample_every == 0 or self._batches_seen == 0 \
                or now - self._last_sample > self.probe_interval_s:
            self._last_sample = now
            self._snap = {l.name: [np.array(w) for w in l.get_weights()] for l in self._dense()}

    @_guarded
    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        h = self.run.history
        if self.x is None and self.rows_source is not None and self._adopt_stream_rows():
            self._set_probe_rows()        # the first batch of a stream: probes from here on
        running = float((logs or {}).get("loss", float("nan")))
        # Keras 3 logs the running mean of the epoch; recover the batch's own loss from it.
        k = len(self._epoch_running)
        prev = self._epoch_running[-1] if k else 0.0
        self._epoch_running.append(running)
        h.batch_loss.append(running * (k + 1) - prev * k if math.isfinite(running) else running)
        self._batches_seen += 1
        if self._snap is not None:
            for layer in self._dense():
                before = self._snap.get(layer.name)
                if before is None:
                    continue
                after = layer.get_weights()
                dw = math.sqrt(sum(float(np.sum((a - b) ** 2)) for a, b in zip(after, before)))
                w = math.sqrt(sum(float(np.sum(b ** 2)) for b in before))
                h.update_ratio.setdefault(layer.name, []).append(dw / w if w > 0 else float("inf"))
            self._snap = None
        now = time.perf_counter()
        if self._probe_idx is not None and (self._batches_seen % self._loss_every == 0
                                            or now - self._last_loss > self.probe_interval_s):
            self._last_loss = now
            self._probe_loss()
        if self.budget.expired:
            self.model.stop_training = True
            self.run.stopped_by_budget_s = self.budget.seconds

    @_guarded
    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self._epoch_running = []

    @_guarded
    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        logs = logs or {}
        h = self.run.history
        if "loss" in logs:
            h.loss.append(float(logs["loss"]))
        if "val_loss" in logs:
            h.val_loss.append(float(logs["val_loss"]))
        metrics = self.run.history.metrics
        for key, value in logs.items():
            if key not in ("loss", "val_loss") and not key.startswith("val_"):
                metrics.setdefault(key, []).append(float(value))
        epochs = int(self.params.get("epochs") or 1)
        if self._probe_idx is not None and (epoch % self._probe_every == 0 or epoch == epochs - 1):
            self._probe(f"epoch {epoch}")

    # -- probes -----------------------------------------------------------------------------------
    def _probe_loss(self) -> None:
        """MSE of the current weights on the probe batch: shows oscillation that batch losses hide."""
        try:
            with _no_grad():
                out = self.model(self._px_in, training=False)
            pred = keras.ops.convert_to_numpy(out).reshape(self._py.shape)
        except Exception as exc:  # noqa: BLE001 - a model the probe cannot drive
            errors = self.run.probe_errors
            if len(errors) < 3:
                errors.append(f"probe loss: {type(exc).__name__}: {exc}")
            return
        self.run.history.probe_loss.append(float(np.mean((pred - self._py) ** 2)))

    def _probe(self, when: str) -> None:
        """Gradient norms and activation statistics on the probe batch (torch backend only)."""
        if keras.backend.backend() != "torch":
            return
        import torch

        h = self.run.history
        try:
            with torch.enable_grad():
                x = torch.as_tensor(self._px, dtype=torch.float32)
                yt = torch.as_tensor(self._py, dtype=torch.float32)
                outputs = []
                if isinstance(self.model, keras.Sequential):
                    out = x
                    for layer in self.model.layers:
                        out = layer(out)
                        if type(layer).__name__ == "Dense":
                            outputs.append((layer.name, activation_name(layer.activation), out))
                        elif outputs and type(layer).__name__ in ("Activation", "ReLU"):
                            name, _, _ = outputs[-1]
                            act = activation_name(getattr(layer, "activation", "relu"))
                            outputs[-1] = (name, act, out)
                else:
                    out = self.model(x)
                    outputs = self._functional_dense_outputs(x)
                out = out.reshape(yt.shape) if out.numel() == yt.numel() else out
                loss = torch.mean((out - yt) ** 2)
                params, owners = [], []
                for layer in self._dense():
                    for w in layer.trainable_weights:
                        params.append(w.value)
                        owners.append(layer.name)
                grads = torch.autograd.grad(loss, params, allow_unused=True) if params else []
        except Exception as exc:  # a model the probe cannot drive: keep the rest of the record
            self.run.probe_errors.append(f"{when}: {type(exc).__name__}: {exc}")
            return
        norms: dict[str, float] = {}
        for name, g in zip(owners, grads):
            if g is not None:
                norms[name] = norms.get(name, 0.0) + float(torch.sum(g.double() ** 2))
        for name, sq in norms.items():
            h.grad_norm.setdefault(name, []).append(math.sqrt(sq) if math.isfinite(sq) else float("inf"))
        dead, sat = layer_stats(outputs)
        for name, value in dead.items():
            h.dead_fraction.setdefault(name, []).append(value)
        for name, value in sat.items():
            h.saturated_fraction.setdefault(name, []).append(value)

    @_guarded
    def on_train_end(self, logs: Any = None) -> None:
        run, h = self.run, self.run.history
        h.seconds = (h.seconds or 0.0) + (time.perf_counter() - self._t0)
        h.n_updates = (h.n_updates or 0) + self._batches_seen
        self._batches_seen = 0
        for key in ("grad_norm", "update_ratio"):
            series = getattr(h, key)
            for name in series:
                series[name] = thin(series[name])
        run.history.probe_loss = thin(run.history.probe_loss, 200)
        if self.rows_source is not None:
            self._adopt_stream_rows()     # every row the stream delivered (first MAX_STREAM_ROWS)
        if self.x is not None and self.y is not None:
            fill_data(run, self.x, self.y)
            try:
                X, Y = as_2d(self.x), as_2d(self.y)
                # Keras takes validation_split rows from the end, before any shuffling
                vs = run.config.validation_split
                split_at = int(math.ceil(len(X) * (1.0 - vs))) if vs and 0 < vs < 1 else len(X)
                idx = np.arange(split_at)
                if len(idx) > 4096:
                    idx = idx[probe_rows(X[:split_at], 1)]
                pred = self.model.predict(take_rows(self.x, idx), verbose=0, batch_size=1024)
                fit_quality(run, Y[idx], pred)
                if split_at < len(X):
                    pred = self.model.predict(take_rows(self.x, np.arange(split_at, len(X))), verbose=0, batch_size=1024)
                    fit_quality(run, Y[split_at:], pred, heldout=True)
            except Exception as exc:
                run.probe_errors.append(f"predict: {type(exc).__name__}: {exc}")
