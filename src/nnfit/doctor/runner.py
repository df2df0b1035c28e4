"""`nnfit doctor run SCRIPT`: execute the user's script with training instrumented.

The script is the user's own code and runs in this process (as `python SCRIPT` would), with
Keras `Model.compile`/`Model.fit`, Keras layer/optimiser constructors and PyTorch optimisers and
modules instrumented for the duration (the autolog convention of MLflow and W&B). Keras 2 arguments
are mapped to Keras 3 (compat.py) and reported. A wall-clock budget bounds the whole script; once
training has been recorded, a training that outlives its share of the budget is stopped and the
partial record is diagnosed. Files are only read.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
import os
import runpy
import signal
import sys
import time
import traceback
import types
from collections.abc import Iterator
from typing import Any

from nnfit.doctor.compat import Compat
from nnfit.doctor.monitors._common import ScriptContext
from nnfit.doctor.run import LegacyUse, OptimizerInfo, TrainingRun
from nnfit.errors import NNFitError


class ScriptTimeout(BaseException):
    pass


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


class _Session:
    def __init__(self, script: ScriptContext, train_budget_s: float):
        self.script = script
        self.compat = Compat(script)
        self.train_budget_s = train_budget_s
        self.keras_runs: dict[int, Any] = {}       # id(model) -> (run, monitor, X, y, model)
        self.keras_built: list[Any] = []
        self.torch_watcher: Any = None
        self.torch_built: list[Any] = []
        self.in_compile = 0
        self.last: Any = None
        self.t0 = time.perf_counter()

    # -- Keras ------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def keras_patches(self) -> Iterator[None]:
        os.environ.setdefault("KERAS_BACKEND", "torch")
        import keras
        from keras.src.optimizers import base_optimizer

        from nnfit.doctor.monitors.keras import KerasMonitor, optimizer_info

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
                x = args[0] if args else kwargs.get("x")
                y = args[1] if len(args) > 1 else kwargs.get("y")
                entry = session.keras_runs.get(id(self))
                run = entry[0] if entry else TrainingRun(framework="keras")
                run.config.batch_size = kwargs.get("batch_size", args[2] if len(args) > 2 else None) or 32
                run.config.fit_line = session.script.caller_line()
                built = []
                for obj in session.keras_built:
                    info = optimizer_info(obj)
                    info.passed_to_compile = obj._nnfit_passed
                    built.append(info)
                run.config.optimizers_built = built
                remaining = max(1.0, session.train_budget_s - sum(
                    (e[0].history.seconds or 0.0) for e in session.keras_runs.values()))
                monitor = KerasMonitor(x, y, budget_s=remaining, script=session.script, run=run)
                callbacks = list(kwargs.pop("callbacks", None) or []) + [monitor]
                kwargs["callbacks"] = callbacks
                session.keras_runs[id(self)] = (run, monitor, x, y, self)
                session.last = ("keras", id(self))
                return original(self, *args, **kwargs)
            return fit

        patch(keras.layers.Dense, "__init__", dense_init)
        patch(base_optimizer.BaseOptimizer, "__init__", opt_init)
        patch(keras.Model, "compile", compile_)
        patch(keras.Model, "fit", fit_)
        try:
            yield
        finally:
            for owner, name, original in reversed(saved):
                setattr(owner, name, original)

    # -- PyTorch ----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def torch_patches(self) -> Iterator[None]:
        import torch
        from torch import nn

        from nnfit.doctor.monitors.torch import TorchWatcher

        session = self
        watcher = TorchWatcher(budget_s=self.train_budget_s, script=self.script)
        self.torch_watcher = watcher
        saved = []

        def opt_init(original: Any) -> Any:
            @functools.wraps(original)
            def init(self: Any, *args: Any, **kwargs: Any) -> None:
                original(self, *args, **kwargs)
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

        for owner, name, make in ((torch.optim.Optimizer, "__init__", opt_init), (nn.Module, "__init__", module_init)):
            original = getattr(owner, name)
            saved.append((owner, name, original))
            setattr(owner, name, make(original))
        watcher.start()
        try:
            yield
        finally:
            watcher.stop()
            for owner, name, original in reversed(saved):
                setattr(owner, name, original)

    def _planned_from_source(self, run: TrainingRun) -> None:
        """A torch loop's epoch count is only in the source: when the budget cut training short (or
        the count could not be inferred), take it from the script so repair trains as long as asked."""
        import math

        if not (run.extra.get("stopped_by_budget_s") or run.config.epochs is None):
            return
        epochs = _static_epochs(self.script)
        if not epochs:
            return
        run.config.epochs = epochs
        if run.data.n_samples and run.config.batch_size:
            run.extra["n_updates_planned"] = epochs * math.ceil(run.data.n_samples / run.config.batch_size)

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

            if run.history.seconds is None:  # stopped inside fit (script timeout): close the record
                try:
                    monitor.on_train_end()
                except Exception:  # noqa: BLE001 - keep what was recorded
                    pass
            acts = {l.name: l.activation for l in model.layers
                    if type(l).__name__ == "Dense" and activation_name(l.activation).startswith("custom:")}
            inits = {l.name: type(l.kernel_initializer).__name__ for l in model.layers if type(l).__name__ == "Dense"}
            cap = Capture(run=run, framework="keras", X=monitor.x, y=monitor.y, activations=acts, initializers=inits)
        else:
            run = watcher.finish()
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
            X = run.extra.pop("_X", None)
            cap = Capture(run=run, framework="torch", activations=acts)
            import numpy as np

            if watcher._xs:
                Xa = np.concatenate(watcher._xs)
                Ya = np.concatenate(watcher._ys)
                pairs = np.concatenate([Xa, Ya], axis=1)
                _, first = np.unique(pairs, axis=0, return_index=True)
                first.sort()
                cap.X, cap.y = Xa[first], Ya[first]
            del X
            cap.initializers = {l.name: "torch_default" for l in run.layers if l.kind == "dense"}
            self._planned_from_source(run)
        run.source = self.script.path
        run.source_lines = self.script.lines
        run.legacy = list(self.compat.uses) + [u for u in run.legacy if u not in self.compat.uses]
        return cap


def _static_epochs(script: ScriptContext) -> int | None:
    """Epochs the script's own loop asks for, read without running it (the lint helper's analyser)."""
    try:
        from nnfit.doctor.monitors.static import analyse
    except ImportError:
        return None
    try:
        return analyse("\n".join(script.lines), script.path).config.epochs
    except Exception:  # noqa: BLE001 - a best-effort reading; the runtime record stands without it
        return None


def _source_uses(text: str, *names: str) -> bool:
    """Does the script import one of these packages (`import x`, `from x[.y] import`)?"""
    import re

    return any(re.search(rf"^\s*(import|from)\s+{re.escape(n)}\b", text, re.M) for n in names)


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
    shim.keras = keras
    shim.__nnfit_shim__ = True
    session.compat.uses.append(LegacyUse(old="tensorflow.keras", new="keras (Keras 3, torch backend)",
                                         line=_first_line(session.script, "tensorflow")))
    return shim


def _first_line(script: ScriptContext, needle: str) -> int | None:
    return next((i + 1 for i, text in enumerate(script.lines) if needle in text), None)


def run_script(path: str, *, budget_s: float = 60.0, train_budget_s: float | None = None,
               argv: list[str] | None = None) -> Capture:
    """Run a training script with instrumentation; raise NNFitError with one line when that fails."""
    if not os.path.exists(path):
        raise NNFitError(f"no such file: {path}")
    if os.path.isdir(path) or not path.endswith(".py"):
        raise NNFitError(f"{path} is not a Python script (.py)")
    script = ScriptContext(path)
    text = "\n".join(script.lines)
    try:
        compile(text, path, "exec")
    except SyntaxError as exc:
        raise NNFitError(f"{path}:{exc.lineno}: not valid Python 3 ({exc.msg}); "
                         f"`nnfit doctor lint {path}` reads it without running it") from None
    session = _Session(script, train_budget_s if train_budget_s is not None else budget_s * 0.6)
    uses_keras = _source_uses(text, "keras", "tensorflow")
    uses_torch = _source_uses(text, "torch")
    if not (uses_keras or uses_torch):
        raise NNFitError(f"{path} imports neither keras nor torch; `doctor run` watches Keras and PyTorch training")
    # Small networks train faster on one thread (and the budget then measures the script, not contention).
    import torch

    torch.set_num_threads(1)
    old_argv, old_path = sys.argv[:], sys.path[:]
    os.environ.setdefault("MPLBACKEND", "Agg")
    handler_installed = False
    error: str | None = None
    t0 = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if uses_keras:
            stack.enter_context(session.keras_patches())
            if "tensorflow" in text:
                shim = _tensorflow_shim(session)
                if shim is not None:
                    stack.callback(sys.modules.pop, "tensorflow", None)
                    sys.modules["tensorflow"] = shim
        if uses_torch:
            stack.enter_context(session.torch_patches())

        def on_alarm(signum: int, frame: Any) -> None:
            raise ScriptTimeout()

        if hasattr(signal, "setitimer") and budget_s:
            previous = signal.signal(signal.SIGALRM, on_alarm)
            signal.setitimer(signal.ITIMER_REAL, budget_s)
            handler_installed = True
        sys.argv = [path] + list(argv or [])
        sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
        try:
            runpy.run_path(path, run_name="__main__")
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
                where = next((f"{os.path.basename(f.filename)}:{f.lineno}" for f in reversed(tb)
                              if os.path.realpath(f.filename) == script.path), path)
                msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                error = f"{where}: the script raised {type(exc).__name__}" + (f": {msg}" if msg else "")
        finally:
            if handler_installed:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
            sys.argv, sys.path[:] = old_argv, old_path
    cap = session.capture()
    if cap is None:
        if error:
            raise NNFitError(error)
        raise NNFitError(f"{path} finished without training anything (no Keras Model.fit call, no torch "
                         "optimizer step); nothing to diagnose")
    cap.script_seconds = time.perf_counter() - t0
    if error:
        cap.notes.append(f"after training, {error}")
    if cap.run.extra.get("stopped_by_budget_s"):
        cap.notes.append(f"training stopped after {cap.run.extra['stopped_by_budget_s']:.0f} s (time budget); "
                         "the diagnosis uses the part that ran")
    return cap
