"""`nnfit doctor run SCRIPT`: execute the user's script with training instrumented.

The script is the user's own code and runs in this process, top level and all, as `python SCRIPT`
would run it, with Keras `Model.compile`/`Model.fit`, Keras layer/optimiser constructors and PyTorch
optimisers, modules and loss modules instrumented for the duration (the autolog convention of MLflow
and W&B). Keras 2 arguments are mapped to Keras 3 (compat.py) and reported.

What the doctor scores on: a fixed share of the training rows (HOLDOUT, chosen by a seeded hash of
each input row, so the same rows whatever order or batches the script uses) is kept out of training
and the trained network is scored on them at the end (held-out R², RMSE, median relative error).
The rows are held out inside Keras `fit` (arrays taken apart before training; a generator, PyDataset
or DataLoader batch by batch in `train_step`) and inside torch loss modules (`nn.MSELoss()(...)`,
`F.mse_loss`); a loss written by hand (`((model(x) - y) ** 2).mean()`) is masked at its subtraction of
the network's output and the targets: the held-out rows keep their values there (the script's loss
reads the same) but give no gradient.

Budgets are counted in parameter updates, not seconds, so that the same script gives the same
findings on an idle and on a busy machine: training stops after `max_updates` updates. A wall-clock
cap (`train_budget_s`) only ever shortens that: after the first updates the rate is measured once
and, when the update budget would not fit the cap, the budget is reduced up front (and reported).
Files are only read.
"""
from __future__ import annotations

import builtins
import contextlib
import dataclasses
import functools
import hashlib
import inspect
import math
import os
import re
import signal
import sys
import time
import traceback
import types
import zlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from nnfit.doctor.compat import Compat
from nnfit.doctor.monitors._common import ScriptContext
from nnfit.doctor.monitors.grad_accumulation import GradientResetTracker
from nnfit.doctor.crashes import diagnose as diagnose_crash
from nnfit.doctor.run import LegacyUse, OptimizerInfo, ScriptError, TrainingRun
from nnfit.errors import NNFitError


# Share of the rows kept out of training and scored at the end (the usual 80/20 split).
HOLDOUT = 0.2
# Fewer rows than this: nothing is held out (a fifth of a handful of points says nothing). The same
# bound on *distinct* input rows: XOR-like tables repeat a few patterns many times, and holding a
# whole pattern out leaves a task the network cannot learn from the rest, so they are scored on
# the training rows instead.
MIN_ROWS_FOR_HOLDOUT = 10
# Parameter updates recorded by `doctor run` (the diagnosis): enough for the rules' trend windows on
# every seed (seed 3 asks for ~1e6 single-sample updates; its loss jumps show within the first 1000).
MAX_UPDATES = 5000
# When the update budget is checked against the wall-clock cap: after this many updates, or once this
# share of the cap has passed (slow updates), whichever comes first.
RATE_PROBE_UPDATES = 100
WARMUP_UPDATES = 10
RATE_PROBE_SHARE = 0.1
# Distinct batches whose held-out mask is remembered (a full batch is one; 1000 rows per epoch in
# batches of 1 are 1000): past this, masks are computed as before, nothing else changes.
MASK_CACHE_BATCHES = 20_000
# The monitors' own wall-clock stop sits this far behind the cap (the up-front reduction comes first).
SAFETY_FACTOR = 1.25


class ScriptTimeout(BaseException):
    pass


def _row_keys(rows: np.ndarray) -> np.ndarray:
    """Input rows rounded to 4 significant digits: float32 data, scaled and mapped back (errors ~1e-7),
    land on the same key, so a scaled copy of the data holds out the same rows (a value within ~1e-7
    of a rounding boundary can still flip: about 1 row in 10,000 per column)."""
    a = np.asarray(rows, dtype=np.float64).reshape(len(rows), -1).astype(np.float32).astype(np.float64)
    with np.errstate(all="ignore"):
        mag = np.where(a == 0, 0.0, np.floor(np.log10(np.abs(np.where(a == 0, 1.0, a)))))
        scale = 10.0 ** (3 - mag)
        return np.round(a * scale) / scale


def _distinct_rows(rows: Any) -> int:
    """How many different input rows a batch holds (rounded as the held-out keys are)."""
    try:
        return len(np.unique(_row_keys(rows), axis=0))
    except (TypeError, ValueError):
        return len(rows)


def _numpy(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def _digest(a: np.ndarray) -> bytes:
    """A 16-byte digest of an array's shape, dtype and contents (a cache key for a batch)."""
    a = np.ascontiguousarray(a)
    h = hashlib.blake2b(digest_size=16)
    h.update(repr((a.shape, a.dtype.str)).encode())
    h.update(a.tobytes() if a.dtype != object else repr(a.tolist()).encode())
    return h.digest()


def held_out_mask(rows: Any, seed: int = 0, fraction: float = HOLDOUT) -> np.ndarray:
    """True for the rows `doctor run` keeps out of training: a seeded hash of each rounded input row."""
    keys = _row_keys(rows)
    salt = str(int(seed)).encode()
    cut = int(round(fraction * 10_000))
    return np.array([zlib.crc32(salt + k.tobytes()) % 10_000 < cut for k in keys], dtype=bool)


@dataclasses.dataclass
class Capture:
    """Everything `doctor run` learned: the run record plus what repair needs to re-train."""
    run: TrainingRun
    framework: str
    X: Any = None
    y: Any = None
    activations: dict[str, Any] = dataclasses.field(default_factory=dict)   # layer name -> callable (custom)
    initializers: dict[str, str] = dataclasses.field(default_factory=dict)
    script_seconds: float = 0.0
    notes: list[str] = dataclasses.field(default_factory=list)
    heldout: dict[str, Any] | None = None      # metrics on the held-out rows (nnfit.metrics), n_test, how
    heldout_targets: Any = None                # those rows' targets in the data's units (repair compares them)
    updates_run: int = 0
    max_updates: int | None = None             # the update budget in force (after any up-front reduction)
    budget_reduced_from: int | None = None     # the budget asked for, when the wall-clock cap reduced it
    model_name: str | None = None              # the script's variable holding the trained network


class _Session:
    def __init__(self, script: ScriptContext, train_budget_s: float, max_updates: int | None = None,
                 holdout: float = HOLDOUT, seed: int = 0):
        self.script = script
        self.compat = Compat(script)
        self.train_budget_s = train_budget_s
        self.max_updates = max_updates
        self.budget_asked = max_updates
        self.holdout = holdout
        self.seed = seed
        self.globals: dict[str, Any] = {}          # the script's module namespace while it runs
        self.updates = 0
        self.t_first_update: float | None = None
        self.t_train_start: float | None = None
        self.rate_checked = False
        self.stopped_by_updates = False
        self.hold_x: list[np.ndarray] = []         # held-out rows, in the units the network sees
        self.hold_y: list[np.ndarray] = []
        self.hold_model: Any = None
        self.hold_keys: set[bytes] = set()
        self.few_distinct_rows: int | None = None   # distinct input rows, when too few to hold any out
        self.mask_cache: dict[bytes, np.ndarray] = {}   # digest of a batch's rows -> its held-out mask
        self.kept_batches: set[bytes] = set()           # digests of (rows, targets) already kept
        self.masked_losses = 0
        self.unmasked_losses = 0
        self.skip_step = False
        self.skipped_steps = 0                     # torch: optimiser steps skipped (their batch was all held-out rows)
        self.batch_rows: int | None = None         # torch: rows per batch before the held-out rows are taken out
        self.grad_resets = GradientResetTracker()   # torch: was .grad reset between optimiser steps?
        self.keras_runs: dict[int, Any] = {}       # id(model) -> (run, monitor, X, y, model)
        self.keras_built: list[Any] = []
        self.torch_watcher: Any = None
        self.torch_built: list[Any] = []
        self.in_compile = 0
        self.in_keras_fit = 0                      # Keras fit / train_on_batch calls under way
        self.last: Any = None
        self.t0 = time.perf_counter()

    # -- held-out rows and the update budget (both frameworks) ------------------------------------
    def _scaler(self, name: str) -> Any:
        """The script's `x_scaler` / `y_scaler` (what nnfit's scaling patch defines), if it has one."""
        obj = self.globals.get(name)
        return obj if obj is not None and callable(getattr(obj, "unscale", None)) else None

    def data_units(self, values: Any, name: str) -> np.ndarray:
        """Rows as the data has them: through the script's scaler's `unscale` when it scales them."""
        scaler = self._scaler(name)
        if scaler is not None:
            try:
                values = scaler.unscale(values)
            except Exception:  # noqa: BLE001 - a scaler that cannot take this value: the rows as given
                pass
        return _numpy(values)

    def mask(self, x: Any) -> np.ndarray:
        """The held-out rows of this batch. A loop feeds the same batches again every epoch (a full
        batch: every step), so the mask of a batch already seen is looked up by a digest of its rows
        instead of hashing each row again (the same rows give the same mask: nothing else changes)."""
        rows = self.data_units(x, "x_scaler")
        key = _digest(rows)
        held = self.mask_cache.get(key)
        if held is None:
            held = held_out_mask(rows, self.seed, self.holdout)
            distinct = _distinct_rows(rows) if len(rows) >= MIN_ROWS_FOR_HOLDOUT else len(rows)
            if len(rows) >= MIN_ROWS_FOR_HOLDOUT and distinct < MIN_ROWS_FOR_HOLDOUT:
                held = np.zeros(len(rows), dtype=bool)
                self.few_distinct_rows = distinct
            held.flags.writeable = False        # shared by every later lookup of the same batch
            if len(self.mask_cache) < MASK_CACHE_BATCHES:
                self.mask_cache[key] = held
        return held

    def keep_held_out_once(self, x: np.ndarray, y: np.ndarray) -> None:
        """keep_held_out, skipped for a (rows, targets) pair already kept (it would add nothing)."""
        key = _digest(x) + _digest(y)
        if key in self.kept_batches:
            return
        self.keep_held_out(x, y)
        if len(self.kept_batches) < MASK_CACHE_BATCHES:
            self.kept_batches.add(key)

    def keep_held_out(self, x: np.ndarray, y: np.ndarray) -> None:
        for xi, yi in zip(x, y):
            key = np.asarray(xi).tobytes() + np.asarray(yi).tobytes()     # the exact row: seen once, kept once
            if key not in self.hold_keys:
                self.hold_keys.add(key)
                self.hold_x.append(xi)
                self.hold_y.append(yi)

    def count_update(self) -> bool:
        """One parameter update done; True when the update budget is spent. Once, after the first
        updates, the budget is reduced up front when it would not fit the wall-clock cap."""
        now = time.perf_counter()
        self.updates += 1
        if self.t_train_start is None:
            self.t_train_start = now
        if self.updates == WARMUP_UPDATES:
            self.t_first_update = now     # the first updates build the optimiser state and trace: not the rate
        if self.max_updates is None:
            return False
        timed = self.updates - WARMUP_UPDATES
        if not self.rate_checked and self.train_budget_s and self.t_first_update is not None and timed >= 5 and (
                timed >= RATE_PROBE_UPDATES or now - self.t_first_update >= RATE_PROBE_SHARE * self.train_budget_s):
            self.rate_checked = True
            per_update = (now - self.t_first_update) / timed
            elapsed = now - (self.t_train_start or now)
            if elapsed + per_update * (self.max_updates - self.updates) > self.train_budget_s:
                self.max_updates = max(self.updates, self.updates + int((self.train_budget_s - elapsed) / per_update))
        if self.updates >= self.max_updates:
            self.stopped_by_updates = True
            return True
        return False

    def hold_out_keras(self, model: Any, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        """fit(x, y, ...) with the held-out rows taken out of x and y (kept for scoring). A single input
        or target wrapped in a list (`fit([X], y)`) is held out inside its list."""
        x = args[0] if args else kwargs.get("x")
        y = args[1] if len(args) > 1 else kwargs.get("y")
        if not self.holdout or x is None or y is None:
            return args, kwargs
        x_wrap, y_wrap = _wrapper(x), _wrapper(y)
        if x_wrap or y_wrap:
            inner_args, inner_kwargs = self.hold_out_keras(model, (single_input(x), single_input(y)), {})
            if inner_args[0] is single_input(x):
                return args, kwargs          # nothing held out
            x_new = x_wrap(inner_args[0]) if x_wrap else inner_args[0]
            y_new = y_wrap(inner_args[1]) if y_wrap else inner_args[1]
            args = list(args)
            if args:
                args[0] = x_new
            else:
                kwargs["x"] = x_new
            if len(args) > 1:
                args[1] = y_new
            else:
                kwargs["y"] = y_new
            return tuple(args), kwargs
        try:
            xa, ya = np.asarray(x), np.asarray(y)
        except Exception:  # noqa: BLE001 - datasets, generators, dicts: trained on as given
            return args, kwargs
        if xa.dtype == object or ya.dtype == object or xa.ndim == 0 or ya.ndim == 0 or len(xa) != len(ya) \
                or len(xa) < MIN_ROWS_FOR_HOLDOUT:
            return args, kwargs
        held = self.mask(xa)
        if held.all() or not held.any():
            return args, kwargs
        self.keep_held_out(xa[held], ya[held])
        self.hold_model = model
        args = list(args)
        if args:
            args[0] = xa[~held]
        else:
            kwargs["x"] = xa[~held]
        if len(args) > 1:
            args[1] = ya[~held]
        else:
            kwargs["y"] = ya[~held]
        self.masked_losses += 1
        return tuple(args), kwargs

    # -- Keras ------------------------------------------------------------------------------------
    def keras_optimizers_built(self) -> list[Any]:
        """Every Keras optimiser the script built so far, and whether it was passed to compile."""
        from nnfit.doctor.monitors.keras import optimizer_info   # keras is imported only for Keras scripts

        built = []
        for obj in self.keras_built:
            info = optimizer_info(obj)
            info.passed_to_compile = obj._nnfit_passed
            built.append(info)
        return built

    def keras_batch_step(self, model: Any, original: Any, args: tuple, kwargs: dict, monitor_cls: Any) -> Any:
        """`model.train_on_batch(x, y)` in the script's own loop: each call is one update (and one
        'epoch' of the record: the loop, not Keras, decides what a pass is), watched by the same
        monitor as `fit`, under the same update budget and with the same held-out rows."""
        from nnfit.doctor.monitors.torch import StopTraining

        args, kwargs = self.hold_out_keras(model, args, kwargs)
        x = single_input(args[0] if args else kwargs.get("x"))
        y = single_input(args[1] if len(args) > 1 else kwargs.get("y"))
        entry = self.keras_runs.get(id(model))
        if entry is None or not getattr(entry[1], "_nnfit_batch_loop", False):
            run = entry[0] if entry else TrainingRun(framework="keras")
            try:
                xa, ya = np.asarray(x), np.asarray(y)
            except Exception:  # noqa: BLE001 - dicts / tensors Keras takes: no data statistics
                xa = ya = None
            if xa is not None and not model.built:
                try:
                    model(xa[:1].astype("float32"))     # built as train_on_batch would build it
                except Exception:  # noqa: BLE001 - Keras builds it in the call below
                    pass
            run.config.batch_size = len(xa) if xa is not None and xa.ndim else None
            run.config.fit_line = self.script.caller_line()
            run.config.shuffle = None          # the script's loop chooses the batches
            run.config.optimizers_built = self.keras_optimizers_built()
            remaining = max(1.0, self.train_budget_s * SAFETY_FACTOR)
            monitor = monitor_cls(xa, ya, budget_s=remaining, script=self.script, run=run)
            monitor._nnfit_batch_loop = True
            monitor._nnfit_rows = [(xa, ya)] if xa is not None else []
            monitor._nnfit_calls = 0
            planned = _static_epochs(self.script)
            if self.max_updates:
                monitor.probe_interval_s = math.inf
                monitor.max_updates = max(1, self.max_updates - self.updates)
            monitor.set_model(model)
            monitor.set_params({"epochs": planned or self.max_updates or 1000, "steps": 1, "verbose": 0})
            monitor.on_train_begin()
            run.n_updates_planned = planned
            self.keras_runs[id(model)] = entry = (run, monitor, xa, ya, model)
        monitor = entry[1]
        self.last = ("keras", id(model))
        if monitor._nnfit_rows and len(monitor._nnfit_rows) < 200:
            try:
                xa, ya = np.asarray(x), np.asarray(y)
                last_x = monitor._nnfit_rows[-1][0]
                if xa.shape != last_x.shape or not np.array_equal(xa, last_x):
                    monitor._nnfit_rows.append((xa, ya))
            except Exception:  # noqa: BLE001 - rows the record cannot hold: statistics from the first batch
                pass
        k = monitor._nnfit_calls
        monitor._nnfit_calls += 1
        monitor.on_epoch_begin(k)
        monitor.on_train_batch_begin(0)
        result = original(model, *args, **kwargs)
        first = result
        if isinstance(result, dict):
            first = result.get("loss", next(iter(result.values()), float("nan")))
        elif isinstance(result, (list, tuple)):
            first = result[0] if result else float("nan")
        try:
            loss = float(np.asarray(first))
        except (TypeError, ValueError):
            loss = float("nan")
        logs = {"loss": loss}
        monitor.on_train_batch_end(0, logs)
        monitor.on_epoch_end(k, logs)
        if self.count_update() or monitor.budget.expired:
            if monitor.budget.expired:
                run = entry[0]
                run.stopped_by_budget_s = monitor.budget.seconds
            raise StopTraining()
        return result

    @staticmethod
    def close_batch_loop(monitor: Any) -> None:
        """The rows a train_on_batch loop trained on, each once, for the end-of-training statistics."""
        if not getattr(monitor, "_nnfit_batch_loop", False):
            return
        if monitor.run.n_updates_planned is None:
            # the loop's length is not known from the source: the record says how many calls it made
            monitor.run.config.epochs = monitor._nnfit_calls
        rows = getattr(monitor, "_nnfit_rows", None)
        if not rows or len(rows) < 2:
            return
        try:
            X = np.concatenate([np.asarray(a).reshape(len(a), -1) for a, _ in rows])
            Y = np.concatenate([np.asarray(b).reshape(len(b), -1) for _, b in rows])
            _, first = np.unique(np.concatenate([X, Y], axis=1), axis=0, return_index=True)
            first.sort()
            shape_x = np.asarray(rows[0][0]).shape[1:]
            shape_y = np.asarray(rows[0][1]).shape[1:]
            monitor.x = X[first].reshape((len(first),) + shape_x)
            monitor.y = Y[first].reshape((len(first),) + shape_y)
        except Exception:  # noqa: BLE001 - ragged batches: the first batch stands for the data
            pass

    @contextlib.contextmanager
    def keras_patches(self) -> Iterator[None]:
        os.environ.setdefault("KERAS_BACKEND", "torch")
        keras = _import_keras("\n".join(self.script.lines))
        from keras.src.optimizers import base_optimizer

        from nnfit.doctor.monitors.keras import KerasMonitor

        session = self
        saved = []

        def patch(owner: Any, name: str, make: Any) -> None:
            original = getattr(owner, name)
            saved.append((owner, name, original))
            setattr(owner, name, make(original))

        def dense_init(original: Any) -> Any:
            @functools.wraps(original)
            def init(self: Any, *args: Any, **kwargs: Any) -> None:
                args, kwargs = session.compat.dense_kwargs(args, kwargs)
                original(self, *args, **kwargs)
                self._nnfit_line = session.script.caller_line()
            # Keras reads the constructor's signature (Operation.__new__): keep the original one.
            init.__signature__ = inspect.signature(original)
            return init

        def opt_init(original: Any) -> Any:
            @functools.wraps(original)
            def init(self: Any, *args: Any, **kwargs: Any) -> None:
                kwargs = session.compat.optimizer_kwargs(kwargs)
                original(self, *args, **kwargs)
                if getattr(self, "_nnfit_seen", False):
                    return
                self._nnfit_seen = True
                if session.in_compile:
                    return
                line = session.script.caller_line()
                self._nnfit_line = line
                self._nnfit_variable = session.script.assigned_name(line)
                self._nnfit_passed = False
                session.keras_built.append(self)
            return init

        def compile_(original: Any) -> Any:
            @functools.wraps(original)
            def compile(self: Any, *args: Any, **kwargs: Any) -> Any:
                self._nnfit_compile_line = session.script.caller_line()
                opt = kwargs.get("optimizer", args[0] if args else None)
                for obj in session.keras_built:
                    if obj is opt:
                        obj._nnfit_passed = True
                session.in_compile += 1
                try:
                    return original(self, *args, **kwargs)
                finally:
                    session.in_compile -= 1
            return compile

        def fit_(original: Any) -> Any:
            @functools.wraps(original)
            def fit(self: Any, *args: Any, **kwargs: Any) -> Any:
                args, kwargs = session.compat.fit_kwargs(args, kwargs)
                args, kwargs = session.hold_out_keras(self, args, kwargs)
                x = single_input(args[0] if args else kwargs.get("x"))      # the record reads `fit([X], y)`'s X
                y = single_input(args[1] if len(args) > 1 else kwargs.get("y"))
                entry = session.keras_runs.get(id(self))
                run = entry[0] if entry else TrainingRun(framework="keras")
                run.config.batch_size = kwargs.get("batch_size", args[2] if len(args) > 2 else None) or 32
                run.config.fit_line = session.script.caller_line()
                run.config.validation_split = kwargs.get("validation_split") or None
                run.config.shuffle = bool(kwargs.get("shuffle", True))
                run.config.optimizers_built = session.keras_optimizers_built()
                # the monitor's own wall-clock stop is only a safety net behind the update budget
                remaining = max(1.0, session.train_budget_s * SAFETY_FACTOR - sum(
                    (e[0].history.seconds or 0.0) for e in session.keras_runs.values()))
                stream = x is not None and y is None and _is_batch_stream(x)
                monitor = KerasMonitor(None if stream else x, y, budget_s=remaining, script=session.script, run=run)
                if session.max_updates:
                    # probes by update count alone: the same record on an idle and on a busy machine
                    monitor.probe_interval_s = math.inf
                    monitor.max_updates = max(1, session.max_updates - session.updates)
                callbacks = list(kwargs.pop("callbacks", None) or []) + [monitor, UpdateBudget()]
                kwargs["callbacks"] = callbacks
                session.keras_runs[id(self)] = (run, monitor, x, y, self)
                session.last = ("keras", id(self))
                if stream:
                    # a generator, a keras.utils.PyDataset, a torch DataLoader ...: the rows are seen
                    # batch by batch in train_step (held out there, recorded for the statistics)
                    run.config.batch_size = kwargs.get("batch_size")
                    self._nnfit_stream = StreamRows(session, monitor, run)
                    monitor.rows_source = self._nnfit_stream.rows
                session.in_keras_fit += 1
                try:
                    return original(self, *args, **kwargs)
                finally:
                    session.in_keras_fit -= 1
                    if stream:
                        self._nnfit_stream = None
            return fit

        def train_step_(original: Any) -> Any:
            @functools.wraps(original)
            def train_step(self: Any, data: Any) -> Any:
                stream = getattr(self, "_nnfit_stream", None)
                if stream is not None:
                    data = stream.batch(self, data)
                return original(self, data)
            return train_step

        class UpdateBudget(keras.callbacks.Callback):
            def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
                if session.count_update():
                    self.model.stop_training = True

        def train_on_batch_(original: Any) -> Any:
            @functools.wraps(original)
            def train_on_batch(self: Any, *args: Any, **kwargs: Any) -> Any:
                session.in_keras_fit += 1
                try:
                    return session.keras_batch_step(self, original, args, kwargs, KerasMonitor)
                finally:
                    session.in_keras_fit -= 1
            return train_on_batch

        patch(keras.layers.Dense, "__init__", dense_init)
        patch(keras.Model, "train_on_batch", train_on_batch_)
        patch(base_optimizer.BaseOptimizer, "__init__", opt_init)
        patch(keras.Model, "compile", compile_)
        patch(keras.Model, "fit", fit_)
        # the backend trainer's own train_step (a model that overrides it trains on its data unwatched)
        owner = next((c for c in keras.Model.__mro__ if "train_step" in c.__dict__), None)
        if owner is not None:
            patch(owner, "train_step", train_step_)
        if keras.backend.backend() == "torch":
            import torch

            patch(torch.Tensor, "backward", self._keras_backward)
        added = _keras2_methods(keras, session)
        try:
            yield
        finally:
            for owner, name, original in reversed(saved):
                setattr(owner, name, original)
            for name in added:
                delattr(keras.Model, name)

    def _keras_backward(self, original: Any) -> Any:
        """Keras on the torch backend: a custom `train_step` calls `loss.backward()` itself and must
        reset the gradients first (`self.zero_grad()`, as Keras's own torch train_step does). Each
        scalar backward pass inside `fit` is one step for the gradient-reset tracker (the same
        measurement as a hand-written torch loop's: monitors/grad_accumulation.py)."""
        session = self

        @functools.wraps(original)
        def backward(tensor: Any, *args: Any, **kwargs: Any) -> Any:
            if not session.in_keras_fit or getattr(tensor, "numel", lambda: 0)() != 1:
                return original(tensor, *args, **kwargs)
            session.grad_resets.before_backward(tensor)
            out = original(tensor, *args, **kwargs)
            session.grad_resets.after_backward()
            return out
        return backward

    # -- PyTorch ----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def torch_patches(self) -> Iterator[None]:
        import torch
        from torch import nn

        from nnfit.doctor.monitors.torch import TorchWatcher

        from torch.nn import functional as F
        from torch.optim import optimizer as optim_mod

        from nnfit.doctor.monitors.torch import StopTraining
        from nnfit.doctor.vocab import F_LOSSES

        session = self
        watcher = TorchWatcher(budget_s=self.train_budget_s * SAFETY_FACTOR, script=self.script)
        watcher.on_manual_step = self.count_update     # hand-written updates spend the same update budget
        watcher.grad_resets = self.grad_resets
        watcher.suspended = lambda: session.in_keras_fit > 0
        self.torch_watcher = watcher
        saved = []

        def opt_init(original: Any) -> Any:
            @functools.wraps(original)
            def init(self: Any, *args: Any, **kwargs: Any) -> None:
                original(self, *args, **kwargs)
                step = self.step

                def held_out_aware_step(_opt: Any, *a: Any, **k: Any) -> Any:
                    # the batch was all held-out rows: its loss was a zero, and no update is made
                    if session.skip_step:
                        session.skip_step = False
                        session.skipped_steps += 1
                        return None
                    session.grad_resets.on_step(_opt)
                    return step(*a, **k)

                # a bound method, as torch's own: an lr_scheduler re-wraps `optimizer.step.__func__`
                self.step = types.MethodType(held_out_aware_step, self)
                line = session.script.caller_line()
                if line is not None and not getattr(self, "_nnfit_line", None):
                    self._nnfit_line = line
                    self._nnfit_variable = session.script.assigned_name(line)
                    watcher.built.append(self)
            return init

        def module_init(original: Any) -> Any:
            @functools.wraps(original)
            def init(self: Any, *args: Any, **kwargs: Any) -> None:
                original(self, *args, **kwargs)
                if not hasattr(self, "_nnfit_line"):
                    object.__setattr__(self, "_nnfit_line", session.script.caller_line())
            return init

        def held_rows(input: Any, target: Any) -> Any:
            """The batch's held-out mask (recording those rows once), or None when nothing is masked."""
            x = watcher._last_x
            if not session.holdout or x is None or not torch.is_grad_enabled() or not torch.is_tensor(input) \
                    or not torch.is_tensor(target) or input.shape[:1] != x.shape[:1] or target.shape[:1] != x.shape[:1]:
                if torch.is_grad_enabled():
                    session.unmasked_losses += 1
                return None
            held = session.mask(x)
            session.masked_losses += 1
            if session.batch_rows is None:
                session.batch_rows = int(target.shape[0])
            if not held.any():
                return None
            if target.requires_grad and not input.requires_grad:
                target = input       # `criterion(y, model(x))`: the targets are the argument without grad
            session.keep_held_out_once(_numpy(x)[held], _numpy(target)[held])
            return held

        def masked(input: Any, target: Any) -> tuple[Any, Any] | None:
            """(input, target) without the held-out rows; None when every row is held out."""
            held = held_rows(input, target)
            if held is None:
                return input, target
            if held.all():
                return None
            keep = torch.as_tensor(~held)
            watcher._last_x = watcher._last_x[keep]
            return input[keep], target[keep]

        def hold_out_by_hand(pred: Any, target: Any) -> Any:
            """A loss written by hand: the rows to train on (a bool tensor), None when none is held out."""
            held = held_rows(pred, target)
            if held is None:
                return None
            if held.all():
                session.skip_step = True
            return torch.as_tensor(~held)

        watcher.hold_out_rows = hold_out_by_hand

        def zero_loss(input: Any) -> Any:
            session.skip_step = True
            return input.sum() * 0.0

        def per_row(compute: Any, input: Any, target: Any) -> Any:
            """A loss with reduction='none': the script goes on to use one loss per row of its batch
            (weights of the batch's length, its own mean), so the loss is computed on the kept rows and
            put back at full length with zeros at the held-out rows: same shape, no gradient from them."""
            held = held_rows(input, target)
            if held is None:
                return compute(input, target)
            if held.all():
                session.skip_step = True
                return input * 0.0
            keep = torch.as_tensor(~held)
            watcher._last_x = watcher._last_x[keep]
            out = compute(input[keep], target[keep])
            if not torch.is_tensor(out) or out.dim() == 0 or out.shape[0] != int(keep.sum()):
                return out
            full = out.new_zeros((len(keep), *out.shape[1:]))
            full[keep] = out
            return full

        def loss_call(self: Any, *args: Any, **kwargs: Any) -> Any:
            if len(args) >= 2:
                if getattr(self, "reduction", None) == "none":
                    return per_row(lambda i, t: nn.Module.__call__(self, i, t, *args[2:], **kwargs), args[0], args[1])
                pair = masked(args[0], args[1])
                if pair is None:
                    return zero_loss(args[0])
                args = (*pair, *args[2:])
            return nn.Module.__call__(self, *args, **kwargs)

        def functional(original: Any) -> Any:
            @functools.wraps(original)
            def loss(input: Any, target: Any, *args: Any, **kwargs: Any) -> Any:
                if kwargs.get("reduction") == "none":
                    return per_row(lambda i, t: original(i, t, *args, **kwargs), input, target)
                pair = masked(input, target)
                if pair is None:
                    return zero_loss(input)
                return original(*pair, *args, **kwargs)
            return loss

        def scalar_index(original: Any) -> Any:
            """`loss.data[0]` (PyTorch < 0.4, where a loss was a 1-element vector) reads the 0-dim loss, as
            `loss.item()` does today, and is reported; every other index is torch's own."""
            def getitem(self: Any, index: Any) -> Any:
                if type(index) is int and index in (0, -1) and self.dim() == 0:
                    session.compat.note(".data[0]", ".item()", "[0]")
                    return self
                return original(self, index)
            return getitem

        def count_step(opt: Any, args: Any, kwargs: Any) -> None:
            if session.count_update():
                raise StopTraining()

        patches = [(torch.optim.Optimizer, "__init__", opt_init), (nn.Module, "__init__", module_init)]
        if re.search(r"\.data\[0\]|\bloss\w*\[0\]", "\n".join(self.script.lines)):
            patches.append((torch.Tensor, "__getitem__", scalar_index))
        for owner, name, make in patches:
            original = getattr(owner, name)
            saved.append((owner, name, original))
            setattr(owner, name, make(original))
        watcher.start()
        # wrapped after the watcher's own wrappers (outermost): the watcher records training rows only
        functional_saved = {name: getattr(F, name) for name in F_LOSSES if hasattr(F, name)}
        for name, fn in functional_saved.items():
            setattr(F, name, functional(fn))
        nn.modules.loss._Loss.__call__ = loss_call
        handle = optim_mod.register_optimizer_step_post_hook(count_step)
        try:
            yield
        finally:
            handle.remove()
            del nn.modules.loss._Loss.__call__
            for name, fn in functional_saved.items():
                setattr(F, name, fn)
            watcher.stop()
            for owner, name, original in reversed(saved):
                setattr(owner, name, original)

    def _epochs_with_held_out(self, run: TrainingRun) -> None:
        """A torch loop's passes over its data, counted with the held-out rows: the script's batches
        still hold them (its epoch is all its rows in batches of `batch_rows`), though the record's
        rows (n_samples) and the trained batches do not. Without this a fifth of the rows missing from
        the count makes a 30-epoch loop read as 37, and the epoch losses are cut at the wrong places."""
        h = run.history
        n = run.data.n_samples
        if not (self.hold_x and n and self.batch_rows and h.batch_loss) or run.history.loss is None:
            return
        per_epoch = max(1, math.ceil((n + len(self.hold_x)) / self.batch_rows))
        # a batch of held-out rows only makes no update and records no loss (held_out_aware_step): the
        # epoch is per_epoch batches, of which only the others are in batch_loss (batch size 1 with a
        # fifth of the rows held out: four recorded steps per epoch of five; cut at five, the epoch
        # losses would mix rows of neighbouring epochs and swing with the rows' own losses)
        batches = len(h.batch_loss) + self.skipped_steps
        run.config.epochs = max(1, round(batches / per_epoch))
        recorded = max(1, round(len(h.batch_loss) / run.config.epochs)) if self.skipped_steps else per_epoch
        h.loss = [float(np.mean(h.batch_loss[i:i + recorded])) for i in range(0, len(h.batch_loss), recorded)]

    def _planned_from_source(self, run: TrainingRun) -> None:
        """A torch loop's epoch count is only in the source: when the budget cut training short (or
        the count could not be inferred), take it from the script so repair trains as long as asked."""
        import math

        if not (run.stopped_by_budget_s or run.config.epochs is None):
            return
        epochs = _static_epochs(self.script)
        if not epochs:
            return
        run.config.epochs = epochs
        if run.data.n_samples and run.config.batch_size:
            run.n_updates_planned = epochs * math.ceil(run.data.n_samples / run.config.batch_size)

    # -- result -----------------------------------------------------------------------------------
    def capture(self) -> Capture | None:
        keras_run = None
        if self.keras_runs:
            key = self.last[1] if self.last and self.last[0] == "keras" else next(iter(self.keras_runs))
            keras_run = self.keras_runs[key]
        watcher = self.torch_watcher
        if keras_run is None and (watcher is None or watcher.n_steps == 0):
            return None
        if keras_run is not None:
            run, monitor, x, y, model = keras_run
            from nnfit.doctor.monitors._common import activation_name

            if run.history.seconds is None:  # stopped inside fit (script timeout) or a train_on_batch loop: close the record
                if not hasattr(monitor, "_t0"):
                    # fit raised before training began (Keras 3 builds the model and checks the loss on the
                    # first batch before any callback runs): record the model, the loss and the data anyway,
                    # so the rules can name what made it raise (one-hot loss on integer labels, ...)
                    try:
                        monitor.set_model(model)
                        if not isinstance(getattr(monitor, "params", None), dict):
                            monitor.set_params({})
                        monitor.on_train_begin()
                    except Exception:  # noqa: BLE001 - an unbuilt model: keep what can be read
                        pass
                self.close_batch_loop(monitor)
                try:
                    monitor.on_train_end()
                except Exception:  # noqa: BLE001 - keep what was recorded
                    pass
            acts = {l.name: l.activation for l in model.layers
                    if type(l).__name__ == "Dense" and activation_name(l.activation).startswith("custom:")}
            inits = {l.name: type(l.kernel_initializer).__name__ for l in model.layers if type(l).__name__ == "Dense"}
            resets = self.grad_resets
            if resets.reset_steps or resets.accumulated_steps:     # a custom train_step on the torch backend
                run.gradients.reset_steps, run.gradients.accumulated_steps = resets.reset_steps, resets.accumulated_steps
            cap = Capture(run=run, framework="keras", X=monitor.x, y=monitor.y, activations=acts, initializers=inits)
        else:
            run = watcher.finish()
            resets = self.grad_resets
            if resets.reset_steps or resets.accumulated_steps:
                run.gradients.reset_steps, run.gradients.accumulated_steps = resets.reset_steps, resets.accumulated_steps
            if self.stopped_by_updates and not run.stopped_by_budget_s:
                run.stopped_by_budget_s = run.history.seconds or 0.0
            if self.batch_rows:
                run.config.batch_size = self.batch_rows
                self._epochs_with_held_out(run)
            root = watcher.root_module()
            from nnfit.doctor.monitors._common import TORCH_ACTIVATIONS

            acts: dict[str, Any] = {}
            last = None
            for name, mod in (root.named_modules() if root is not None else []):
                if type(mod).__name__ == "Linear":
                    last = name
                elif last is not None and not list(mod.children()) and type(mod).__name__ not in TORCH_ACTIVATIONS \
                        and not list(mod.parameters()) and type(mod).__name__ not in ("Dropout", "Identity", "Flatten"):
                    acts[last] = mod
            cap = Capture(run=run, framework="torch", activations=acts)
            if watcher._xs:
                Xa = np.concatenate(watcher._xs)
                Ya = np.concatenate(watcher._ys)
                pairs = np.concatenate([Xa, Ya], axis=1)
                _, first = np.unique(pairs, axis=0, return_index=True)
                first.sort()
                cap.X, cap.y = Xa[first], Ya[first]
            cap.initializers = {l.name: "torch_default" for l in run.layers if l.kind == "dense"}
            self._planned_from_source(run)
        if self.stopped_by_updates and not run.stopped_by_budget_s:
            # the rules read "stopped early" from this field; the update budget is what stopped it
            run.stopped_by_budget_s = run.history.seconds or 0.0
        try:
            run.models_rebuilt = self._models_rebuilt(keras_run, watcher)
        except Exception:  # noqa: BLE001 - a best-effort fact beside the record
            run.models_rebuilt = None
        run.source = self.script.path
        run.source_lines = self.script.lines
        run.legacy = list(self.compat.uses) + [u for u in run.legacy if u not in self.compat.uses]
        trained = self.hold_model if cap.framework == "keras" else (
            self.torch_watcher.root_module() if self.torch_watcher is not None else None)
        if cap.framework == "keras" and trained is None:
            trained = keras_run[4] if keras_run is not None else None
        cap.model_name = next((k for k, v in list(self.globals.items()) if v is trained and not k.startswith("_")), None) \
            if trained is not None else None
        cap.updates_run = self.updates
        cap.max_updates = self.max_updates
        if self.budget_asked is not None and self.max_updates is not None and self.max_updates < self.budget_asked:
            cap.budget_reduced_from = self.budget_asked
        self._score_held_out(cap)
        return cap

    def _models_rebuilt(self, keras_run: Any, watcher: Any) -> dict[str, Any] | None:
        """Networks of the recorded one's kind made at the same script line, each trained (a model built
        inside the training loop: every pass starts from new weights): how many, that line, the updates
        the recorded (last) one made and all of them together. None when the recorded network is the only
        one trained from its line."""
        if keras_run is not None:
            model = keras_run[4]
            line = getattr(model, "_nnfit_compile_line", None)
            same = [e for e in self.keras_runs.values()
                    if type(e[4]) is type(model) and getattr(e[4], "_nnfit_compile_line", None) == line
                    and (e[0].history.n_updates or 0) > 0]
            counts = [int(e[0].history.n_updates or 0) for e in same]
            last = int(keras_run[0].history.n_updates or 0)
        elif watcher is not None:
            root = watcher.root_module()
            if root is None or not watcher._opts:
                return None
            line = getattr(root, "_nnfit_line", None)
            steps: dict[int, int] = {}
            for key, opt in watcher._opts.items():
                for group in opt.param_groups:
                    for p in group["params"]:
                        steps[id(p)] = max(steps.get(id(p), 0), watcher._steps.get(key, 0))

            def made(module: Any) -> int:
                return max((steps.get(id(p), 0) for p in module.parameters()), default=0)

            same = [m for m, _ in watcher._roots.values()
                    if type(m) is type(root) and getattr(m, "_nnfit_line", None) == line and made(m) > 0]
            counts = [made(m) for m in same]
            last = made(root)
        else:
            return None
        if line is None or len(counts) < 2:
            return None
        return {"models": len(counts), "line": line, "updates_last": last, "updates_total": sum(counts)}

    def _score_held_out(self, cap: Capture) -> None:
        """The trained network on the held-out rows, in the data's units (through the script's y_scaler)."""
        from nnfit.metrics import regression_metrics

        if not self.hold_x:
            if self.few_distinct_rows is not None:
                cap.notes.append(f"no rows were held out: the data hold only {self.few_distinct_rows} distinct input "
                                 "rows, and the network needs every one of them; metrics are on the training rows")
                return
            by_hand = cap.framework == "torch" and self.torch_watcher is not None and self.torch_watcher.hand_written_loss
            if self.holdout and (self.unmasked_losses or by_hand) and not self.masked_losses:
                cap.notes.append("no rows were held out: the script computes its loss by hand, not with a "
                                 "torch loss module or Keras fit; held-out metrics are not available")
            return
        X = np.stack(self.hold_x)
        Y = np.stack(self.hold_y).reshape(len(X), -1)
        try:
            if cap.framework == "keras":
                model = self.hold_model
                pred: Any = model.predict(X, verbose=0, batch_size=1024)
            else:
                import torch

                root = self.torch_watcher.root_module()
                dtype = self.torch_watcher._feed_dtype(root)
                was = root.training
                root.eval()
                try:
                    with torch.no_grad():
                        from nnfit.doctor.monitors.torch import first_tensor

                        pred = first_tensor(root(torch.as_tensor(X, dtype=dtype)))
                finally:
                    root.train(was)
            truth = self.data_units(torch_like(pred, Y), "y_scaler").reshape(len(X), -1)
            pred = self.data_units(pred, "y_scaler").reshape(len(X), -1)
        except Exception as exc:  # noqa: BLE001 - a network the scorer cannot drive: say so, diagnose anyway
            cap.notes.append(f"held-out scoring failed ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})")
            return
        from nnfit.doctor.vocab import CLASSIFICATION_LOSSES, norm

        truth, pred = truth.astype(float), pred.astype(float)
        # the inferred task (targets, loss and output together) decides; the loss alone only when no task
        # was inferred: a classification loss on real-valued targets is a fault of a regression (NF110),
        # and its held-out figure is R², not an accuracy thresholded at 0.5
        from nnfit.doctor.task import infer_task

        task = cap.run.task or infer_task(cap.run)
        if task is not None:
            classifier = task in ("binary", "multiclass", "multilabel")
        else:
            classifier = norm(cap.run.config.loss) in CLASSIFICATION_LOSSES
        metrics: dict[str, Any] = {} if classifier else regression_metrics(truth, pred)
        if classifier:
            metrics = {"n_test": len(truth), "accuracy": _accuracy(truth, pred, multilabel=task == "multilabel")}
        cap.heldout = {**metrics, "n_train": int(cap.run.data.n_samples or 0), "seed": self.seed,
                       "fraction": self.holdout}
        cap.heldout_targets = truth
        if not classifier and cap.run.fit.heldout_r2 is None:
            cap.run.fit.heldout_r2 = metrics["r2"]
        if classifier and cap.run.fit.heldout_accuracy is None and metrics["accuracy"] is not None:
            cap.run.fit.heldout_accuracy = metrics["accuracy"]


def _wrapper(value: Any) -> Any:
    """For a single array wrapped in a list or tuple (`fit([X], y)`): how to wrap it again; else None."""
    if isinstance(value, (list, tuple)) and len(value) == 1 and hasattr(value[0], "shape"):
        return (lambda a: [a]) if isinstance(value, list) else (lambda a: (a,))
    return None


def single_input(value: Any) -> Any:
    """`[X]` / `(X,)` (one input or target array in a list): the array; anything else as it is."""
    return value[0] if _wrapper(value) else value


def _is_batch_stream(x: Any) -> bool:
    """`fit(x)` with no y, on something that yields (inputs, targets) batches: a generator, a
    keras.utils.PyDataset / Sequence, a torch DataLoader (anything iterable or indexable by batch
    that is not itself an array)."""
    if isinstance(x, (np.ndarray, list, tuple, dict, str, bytes)) or hasattr(x, "shape"):
        return False
    return inspect.isgenerator(x) or hasattr(x, "__iter__") or hasattr(x, "__getitem__")


# Rows of a batch stream kept for the run's statistics and probes (the first ones, deduplicated at the end).
MAX_STREAM_ROWS = 50_000


class StreamRows:
    """The batches a Keras `fit` on a stream trains on, seen in train_step: each batch's held-out rows are
    taken out (kept for scoring, as `fit` on arrays does), the rest recorded for the data statistics."""

    def __init__(self, session: "_Session", monitor: Any, run: TrainingRun):
        self.session, self.monitor, self.run = session, monitor, run
        self.xs: list[np.ndarray] = []
        self.ys: list[np.ndarray] = []
        self.n = 0

    def rows(self) -> tuple[np.ndarray, np.ndarray] | None:
        if not self.xs:
            return None
        X, Y = np.concatenate(self.xs), np.concatenate(self.ys)
        flat = np.concatenate([X.reshape(len(X), -1), Y.reshape(len(Y), -1)], axis=1)
        try:
            _, first = np.unique(flat, axis=0, return_index=True)
        except TypeError:
            return X, Y
        first.sort()
        return X[first], Y[first]

    def batch(self, model: Any, data: Any) -> Any:
        from keras.src.trainers.data_adapters.data_adapter_utils import (pack_x_y_sample_weight,
                                                                        unpack_x_y_sample_weight)
        session = self.session
        try:
            x, y, sw = unpack_x_y_sample_weight(data)
            xa, ya = _numpy(x), _numpy(y)
        except Exception:  # noqa: BLE001 - dict / nested inputs: trained on as given
            return data
        if xa.dtype == object or ya.dtype == object or xa.ndim == 0 or ya.ndim == 0 or len(xa) != len(ya):
            return data
        if self.run.config.batch_size is None:
            self.run.config.batch_size = len(xa)
        keep = None
        if session.holdout and len(xa):
            held = session.mask(xa)
            if held.any():
                session.keep_held_out_once(xa[held], ya[held])
                session.hold_model = model
                keep = ~held
            session.masked_losses += 1
        kept_x, kept_y = (xa, ya) if keep is None else (xa[keep], ya[keep])
        if self.n < MAX_STREAM_ROWS and len(kept_x):
            self.xs.append(kept_x)
            self.ys.append(kept_y)
            self.n += len(kept_x)
        if keep is None:
            return data
        if not keep.any():
            # only held-out rows: trained with zero weight (no gradient from them)
            import torch

            zero = torch.zeros(len(xa), dtype=torch.float32)
            return pack_x_y_sample_weight(x, y, zero)
        idx = np.flatnonzero(keep)

        def take(t: Any) -> Any:
            if t is None:
                return None
            if hasattr(t, "detach"):
                import torch

                return t[torch.as_tensor(idx, device=t.device)]
            return np.asarray(t)[idx]
        return pack_x_y_sample_weight(take(x), take(y), take(sw))


def _accuracy(truth: np.ndarray, pred: np.ndarray, multilabel: bool = False) -> float | None:
    """Class labels (one column) or one-hot targets against scores: argmax, or 0.5 / 0 on one output;
    independent 0/1 flags (multilabel): every flag of a row right (exact match; argmax would score a
    row with no flag set by its largest score). Flags are also read from the targets themselves: 0/1
    columns whose rows do not each hold exactly one 1 are not one-hot classes, whatever the loss says."""
    flags = truth.shape[1] > 1 and bool(np.all((truth == 0) | (truth == 1))) and not np.all(truth.sum(axis=1) == 1)
    if (multilabel or flags) and pred.shape == truth.shape and pred.shape[1] > 1:
        cut = 0.5 if pred.min() >= 0 and pred.max() <= 1 else 0.0
        return float(np.mean(np.all((pred > cut) == (truth > 0.5), axis=1)))
    if pred.shape[1] > 1:
        labels = truth[:, 0] if truth.shape[1] == 1 else truth.argmax(axis=1)
        return float(np.mean(pred.argmax(axis=1) == labels))
    if truth.shape[1] != 1:
        return None
    cut = 0.5 if pred.min() >= 0 and pred.max() <= 1 else 0.0
    return float(np.mean((pred[:, 0] > cut) == (truth[:, 0] > 0.5)))


def torch_like(like: Any, values: np.ndarray) -> Any:
    """`values` as a tensor when `like` is one (a torch script's scaler computes with tensors)."""
    if hasattr(like, "detach"):
        import torch

        return torch.as_tensor(values, dtype=like.dtype)
    return values


def _static_epochs(script: ScriptContext) -> int | None:
    """Epochs the script's own loop asks for, read without running it (the lint helper's analyser)."""
    try:
        from nnfit.doctor.static import analyse
    except ImportError:
        return None
    try:
        return analyse("\n".join(script.lines), script.path).config.epochs
    except Exception:  # noqa: BLE001 - a best-effort reading; the runtime record stands without it
        return None


# A script naming any of these may use Keras' scikit-learn wrappers: Keras is then imported whole.
SKLEARN_WORDS = ("sklearn", "scikit", "wrappers")


def may_skip_sklearn(text: str) -> bool:
    """May Keras be imported without scikit-learn for this script (it names none of SKLEARN_WORDS)?"""
    low = text.lower()
    return not any(word in low for word in SKLEARN_WORDS)


def _import_keras(text: str) -> types.ModuleType:
    """`import keras`, without scikit-learn when the script never names it. Keras imports
    scikit-learn only for its optional wrappers (and does without it when it is missing); that is
    about a sixth of the Keras import's CPU time (measured: 0.9-1.3 s of 5.7 s on the shared 2-core
    machine). The block lasts only while Keras is imported: a later `import sklearn` works."""
    if "keras" in sys.modules or "sklearn" in sys.modules or not may_skip_sklearn(text):
        import keras

        return keras
    sys.modules["sklearn"] = None  # type: ignore[assignment]  # import sklearn -> ImportError
    try:
        import keras
    finally:
        if "sklearn" in sys.modules and sys.modules["sklearn"] is None:
            del sys.modules["sklearn"]
    return keras


def _pasted_as_python(lines: list[str]) -> tuple[str, list[str]]:
    """A script pasted from a notebook, a console or a web page, as the Python under it: `%magic` and
    `!shell` lines, prompts, console output and Markdown fences blanked, typographic quotes and spaces made
    ASCII, Python 2 print statements and `except E, e` written as Python 3 (line numbers kept; the shell
    lines are not run). Returns the text and what was changed."""
    from nnfit.doctor.static.py2 import repair_pasted

    problems: list[dict] = []
    line_map = [(i + 1, 0) for i in range(len(lines))]
    cleaned = repair_pasted(list(lines), problems, line_map)
    return "\n".join(cleaned), sorted({str(p.get("message")) for p in problems})


def _source_uses(text: str, *names: str) -> bool:
    """Does the script import one of these packages, anywhere (`import np, x`, `from x[.y] import`)?"""
    import ast

    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    for node in ast.walk(tree):
        modules = ([a.name for a in node.names] if isinstance(node, ast.Import)
                   else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
        if any(m.split(".")[0] in names for m in modules):
            return True
    return False


# tf.keras submodules that scripts import from (`from tensorflow.keras.optimizers import Adam`)
TF_KERAS_SUBMODULES = ("models", "layers", "optimizers", "losses", "callbacks", "utils", "backend",
                       "initializers", "activations", "metrics", "regularizers", "preprocessing", "datasets")


def _tensorflow_shim(session: _Session) -> types.ModuleType | None:
    """`import tensorflow as tf; tf.keras...` on a machine without TensorFlow: Keras 3 stands in."""
    try:
        import importlib.util

        if importlib.util.find_spec("tensorflow") is not None:
            return None
    except (ImportError, ValueError):
        return None
    import keras

    shim = types.ModuleType("tensorflow")
    shim.__path__ = []          # a package: `from tensorflow.keras.layers import Dense` resolves below
    shim.keras = keras
    shim.__nnfit_shim__ = True
    # the few TensorFlow calls small Keras scripts make besides tf.keras (seeding, dtypes)
    shim.random = types.SimpleNamespace(set_seed=keras.utils.set_random_seed)
    shim.float32, shim.float64, shim.int32, shim.int64 = "float32", "float64", "int32", "int64"
    session.compat.uses.append(LegacyUse(old="tensorflow.keras", new="keras (Keras 3, torch backend)",
                                         line=_first_line(session.script, "tensorflow")))
    return shim


def _tensorflow_modules(shim: types.ModuleType) -> dict[str, types.ModuleType]:
    """sys.modules entries for `tensorflow` and `tensorflow.keras[.sub]` (the shim and Keras 3's modules)."""
    keras = shim.keras
    modules = {"tensorflow": shim, "tensorflow.keras": keras}
    for sub in TF_KERAS_SUBMODULES:
        module = getattr(keras, sub, None)
        if isinstance(module, types.ModuleType):
            modules[f"tensorflow.keras.{sub}"] = module
    return modules


def _keras2_modules(session: _Session, text: str) -> dict[str, types.ModuleType]:
    """sys.modules entries for the Keras 2 module paths the script imports (vocab.LEGACY_IMPORTS)."""
    import importlib

    from nnfit.doctor.vocab import LEGACY_IMPORTS

    modules = {}
    for old, new in LEGACY_IMPORTS.items():
        if not new.startswith("keras") or not (old in text or (old == "keras.utils.np_utils" and "np_utils" in text)):
            continue
        try:
            modules[old] = importlib.import_module(new)
        except ImportError:
            continue
        session.compat.uses.append(LegacyUse(old=old, new=new, line=_first_line(session.script, old.rsplit(".", 1)[1])))
    return modules


def _keras2_methods(keras: Any, session: _Session) -> list[str]:
    """Keras 2 model methods that Keras 3 removed (vocab.LEGACY_METHODS), put back for the run as the
    Keras 3 calls they became, each use reported (NF117). Returns the names added to keras.Model."""
    import numpy as np

    def as_keras3(old: str, call: Any) -> Any:
        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            session.compat.note(f"{old}(", LEGACY_METHODS[old], f".{old}(")
            return call(self, *args, **kwargs)
        return method

    def predict_classes(self: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
        p = np.asarray(self.predict(x, *args, **kwargs))
        return p.argmax(axis=-1) if p.ndim > 1 and p.shape[-1] > 1 else (p > 0.5).astype("int32")

    from nnfit.doctor.vocab import LEGACY_METHODS

    calls = {"fit_generator": lambda m, *a, **k: m.fit(*a, **k), "predict_generator": lambda m, *a, **k: m.predict(*a, **k),
             "evaluate_generator": lambda m, *a, **k: m.evaluate(*a, **k), "predict_proba": lambda m, *a, **k: m.predict(*a, **k),
             "predict_classes": predict_classes}
    added = []
    for old, call in calls.items():
        if old in LEGACY_METHODS and not hasattr(keras.Model, old):
            setattr(keras.Model, old, as_keras3(old, call))
            added.append(old)
    return added


def _first_message_line(text: str) -> str:
    """An exception's telling line: Keras 3 opens with "Exception encountered when calling ...", and
    colours its cause with terminal codes."""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in text.strip().splitlines()]
    lines = [line for line in lines if line]
    telling = [line for line in lines if not line.startswith("Exception encountered when calling")]
    line = (telling or lines or [""])[0]
    return line if len(line) <= 300 else line[:297] + "..."


def _install_modules(stack: contextlib.ExitStack, modules: dict[str, types.ModuleType]) -> None:
    """Put stand-in modules in sys.modules for the run; the stack removes them after it."""
    for name, module in modules.items():
        stack.callback(sys.modules.pop, name, None)
        sys.modules[name] = module


def _first_line(script: ScriptContext, needle: str) -> int | None:
    return next((i + 1 for i, text in enumerate(script.lines) if needle in text), None)


def _seed_frameworks(seed: int, *, keras: bool) -> None:
    """Seed Python's, NumPy's, torch's (and Keras's) global generators before the script runs.

    A script that draws its data or initial weights without seeding would otherwise give other
    findings and other held-out figures on each run; the report's seed is then the whole story. A
    script that seeds itself overrides this, as it would outside the doctor.
    """
    import random

    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if keras:
        import keras as keras_module

        keras_module.utils.set_random_seed(seed)


def run_script(path: str, *, budget_s: float = 300.0, train_budget_s: float | None = None,
               argv: list[str] | None = None, max_updates: int | None = MAX_UPDATES,
               holdout: float = HOLDOUT, seed: int = 0, file_name: str | None = None) -> Capture:
    """Run a training script with instrumentation; raise NNFitError with one line when that fails.

    The whole script runs (its top level included). Training stops after `max_updates` parameter
    updates (None: as long as the script trains); `train_budget_s` caps training's wall-clock time by
    reducing that budget once, up front; `budget_s` bounds the whole script. `holdout` of the rows
    (seeded by `seed`) are kept out of training and scored at the end. `file_name`: the path the
    script sees as `__file__` and whose folder goes on sys.path (a patched copy run for its original).
    """
    if not os.path.exists(path):
        raise NNFitError(f"no such file: {path}")
    if os.path.isdir(path) or not path.endswith(".py"):
        raise NNFitError(f"{path} is not a Python script (.py)")
    script = ScriptContext(path)
    text = "\n".join(script.lines)
    pasted_repairs: list[str] = []
    try:
        compile(text, path, "exec")
    except SyntaxError as exc:
        text, pasted_repairs = _pasted_as_python(script.lines)
        try:
            compile(text, path, "exec")
        except SyntaxError:
            raise NNFitError(f"{path}:{exc.lineno}: not valid Python 3 ({exc.msg}); "
                             f"`nnfit doctor lint {path}` reads it without running it") from None
    session = _Session(script, train_budget_s if train_budget_s is not None else budget_s * 0.6,
                       max_updates=max_updates, holdout=holdout, seed=seed)
    uses_keras = _source_uses(text, "keras", "tensorflow")
    uses_torch = _source_uses(text, "torch")
    if not (uses_keras or uses_torch):
        hint = (f"; for a network written in NumPy, `nnfit doctor check {path}` checks its gradients and updates"
                if _source_uses(text, "numpy") else "")
        raise NNFitError(f"{path} imports neither keras nor torch; `doctor run` watches Keras and PyTorch training{hint}")
    # Small networks train faster on one thread (and the budget then measures the script, not contention).
    import torch

    torch.set_num_threads(1)
    old_argv, old_path = sys.argv[:], sys.path[:]
    os.environ.setdefault("MPLBACKEND", "Agg")
    handler_installed = False
    error: str | None = None
    raised: ScriptError | None = None
    t0 = time.perf_counter()
    _seed_frameworks(seed, keras=uses_keras)     # before the tensorflow shim: Keras seeds TensorFlow when it sees one
    with contextlib.ExitStack() as stack:
        if uses_keras:
            stack.enter_context(session.keras_patches())
            keras2 = _keras2_modules(session, text)
            _install_modules(stack, keras2)
            if "keras.utils.np_utils" in keras2:
                # `from keras.utils import np_utils` reads an attribute of the real keras.utils
                import keras as keras_module

                if not hasattr(keras_module.utils, "np_utils"):
                    keras_module.utils.np_utils = keras_module.utils
                    stack.callback(delattr, keras_module.utils, "np_utils")
            if _source_uses(text, "tensorflow"):
                shim = _tensorflow_shim(session)
                if shim is not None:
                    _install_modules(stack, _tensorflow_modules(shim))
        if uses_torch:
            stack.enter_context(session.torch_patches())

        def on_alarm(signum: int, frame: Any) -> None:
            raise ScriptTimeout()

        if hasattr(signal, "setitimer") and budget_s:
            previous = signal.signal(signal.SIGALRM, on_alarm)
            signal.setitimer(signal.ITIMER_REAL, budget_s)
            handler_installed = True
        sys.argv = [path] + list(argv or [])
        sys.path.insert(0, os.path.dirname(os.path.abspath(file_name or path)))
        module = types.ModuleType("__main__")
        module.__file__ = os.path.abspath(file_name or path)
        module.__builtins__ = builtins
        session.globals = module.__dict__      # live: the held-out scorer reads the script's scalers
        saved_main = sys.modules.get("__main__")
        sys.modules["__main__"] = module
        stack.callback(sys.modules.__setitem__, "__main__", saved_main)
        try:
            exec(compile(text, path, "exec"), module.__dict__)  # noqa: S102 - `doctor run` runs the user's script
        except ScriptTimeout:
            error = f"timeout: {path} was still running after {budget_s:.0f} s (use --budget to allow more)"
        except SystemExit as exc:
            if exc.code not in (None, 0):
                error = f"the script exited with status {exc.code}"
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - the user's code may raise anything
            from nnfit.doctor.monitors.torch import StopTraining

            if not isinstance(exc, StopTraining):
                if os.environ.get("NNFIT_DEBUG"):
                    traceback.print_exc()
                tb = traceback.extract_tb(exc.__traceback__)
                own = next((f for f in reversed(tb) if os.path.realpath(f.filename) == script.path), None)
                where = f"{os.path.basename(own.filename)}:{own.lineno}" if own is not None else path
                msg = _first_message_line(str(exc))
                error = f"{where}: the script raised {type(exc).__name__}" + (f": {msg}" if msg else "")
                # the whole text is read (Keras puts the cause below "Exception encountered when calling ...")
                raised = ScriptError(kind=type(exc).__name__, message=msg, line=own.lineno if own is not None else None,
                                     detail=str(exc)[:4000])
        finally:
            if handler_installed:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
            sys.argv, sys.path[:] = old_argv, old_path
    cap = session.capture()
    if cap is None and diagnose_crash(raised) is not None:
        # it raised before any update, with a message that names the fault: diagnose the script's data
        # (read from its text) and the exception rather than stop at the traceback
        framework = "torch" if uses_torch and not uses_keras else "keras"
        cap = Capture(run=TrainingRun(framework=framework, task=diagnose_crash(raised).task), framework=framework)
    if cap is None:
        if error:
            raise NNFitError(error)
        raise NNFitError(f"{path} finished without training anything (no Keras Model.fit call, no torch "
                         "optimizer step); nothing to diagnose")
    cap.script_seconds = time.perf_counter() - t0
    cap.run.script_error = raised
    cap.run.source, cap.run.source_lines = cap.run.source or script.path, cap.run.source_lines or script.lines
    if pasted_repairs:
        cap.notes.append("ran the script as Python 3, line numbers kept (lines that are not Python blanked, not run): "
                         + "; ".join(pasted_repairs))
    if error:
        cap.notes.append(f"{'after training' if cap.updates_run else 'before any update'}, {error}")
    if session.stopped_by_updates:
        planned = cap.run.n_updates_planned
        cap.notes.append(f"training stopped after {session.updates} updates (update budget"
                         + (f", of {planned} planned" if planned else "") + "); the diagnosis uses the part that ran")
    elif cap.run.stopped_by_budget_s:
        cap.notes.append(f"training stopped after {cap.run.stopped_by_budget_s:.0f} s (time budget); "
                         "the diagnosis uses the part that ran")
    if cap.budget_reduced_from:
        # said whichever stopped the run (the reduced budget, or on a busy machine the safety net behind it)
        cap.notes.append(f"the update budget was reduced from {cap.budget_reduced_from} to {cap.max_updates} "
                         f"up front to fit the {session.train_budget_s:.0f} s training cap (a slow machine)")
    if cap.heldout:
        h = cap.heldout
        if "r2" in h:
            cap.notes.append(f"held out {h['n_test']} rows (seed {h['seed']}, not trained on): held-out R² {h['r2']:.5f}, "
                             f"RMSE {h['rmse']:.4g}, median relative error {h['median_rel_error']:.2%}")
        elif h.get("accuracy") is not None:
            cap.notes.append(f"held out {h['n_test']} rows (seed {h['seed']}, not trained on): "
                             f"held-out accuracy {h['accuracy']:.4f}")
    return cap
