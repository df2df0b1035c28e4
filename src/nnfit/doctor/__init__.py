"""nnfit doctor: name why a training setup fails, with evidence and a fix.

    import nnfit.doctor as doctor
    report = doctor.diagnose(model, X, y, epochs=1, batch_size=100)   # Keras 3 model or torch.nn.Module
    model.fit(X, y, callbacks=[doctor.KerasMonitor(X, y)])             # inside your own Keras training
    with doctor.watch(module, optimizer) as w: ...                     # your own PyTorch loop; w.report
    report.show(); report.repair()                                     # before/after table

Keras and torch are imported only when a monitor for them is used.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from nnfit.doctor.report import Report

__all__ = ["diagnose", "KerasMonitor", "watch", "Report", "run_script"]


def __getattr__(name: str) -> Any:
    if name == "KerasMonitor":
        from nnfit.doctor.monitors.keras import KerasMonitor

        return KerasMonitor
    if name == "run_script":
        from nnfit.doctor.runner import run_script

        return run_script
    raise AttributeError(name)


@contextlib.contextmanager
def watch(module: Any, optimizer: Any = None, *, budget_s: float | None = None) -> Iterator[Any]:
    """Watch a PyTorch training loop: `with watch(model, opt) as w: ...`; then `w.report`.

    Here, not in the torch monitor: a monitor records, the report layer above it diagnoses.
    """
    from nnfit.doctor.monitors.torch import StopTraining, TorchWatcher

    watcher = TorchWatcher(module, optimizer, budget_s=budget_s).start()
    try:
        yield watcher
    except StopTraining:
        pass
    finally:
        watcher.finish()
        watcher.report = Report.from_run(watcher.run, capture=watcher)


def _is_torch_module(model: Any) -> bool:
    import sys

    torch = sys.modules.get("torch")
    if torch is None:
        return False
    keras = sys.modules.get("keras")
    if keras is not None and isinstance(model, keras.Model):
        return False
    return isinstance(model, torch.nn.Module)


def diagnose(model: Any, X: Any, y: Any, *, epochs: int = 1, batch_size: int = 32, optimizer: Any = None,
             loss: Any = None, seed: int = 0, budget_s: float | None = 60.0, **fit_kwargs: Any) -> Report:
    """Train `model` on (X, y) with instrumentation and return the ranked findings.

    Keras: the model must be compiled; `fit_kwargs` go to `model.fit`. PyTorch: `optimizer` defaults to
    Adam(lr=1e-3) and `loss` to MSE; a plain shuffled mini-batch loop runs for `epochs`.
    """
    import numpy as np

    from nnfit.doctor.runner import Capture

    if _is_torch_module(model):
        import torch

        from nnfit.doctor.monitors.torch import StopTraining, TorchWatcher

        opt = optimizer or torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = loss or torch.nn.MSELoss()
        dtype = next((p.dtype for p in model.parameters()), torch.float32)
        Xt = torch.as_tensor(np.asarray(X, dtype=float), dtype=dtype).reshape(len(X), -1)
        Yt = torch.as_tensor(np.asarray(y, dtype=float), dtype=dtype).reshape(len(y), -1)
        gen = torch.Generator().manual_seed(seed)
        watcher = TorchWatcher(model, opt, budget_s=budget_s).start()
        try:
            for _ in range(epochs):
                perm = torch.randperm(len(Xt), generator=gen)
                for i in range(0, len(Xt), batch_size):
                    idx = perm[i:i + batch_size]
                    opt.zero_grad()
                    out = loss_fn(model(Xt[idx]), Yt[idx])
                    out.backward()
                    opt.step()
        except StopTraining:
            pass
        run = watcher.finish()
        run.config.epochs = epochs
        run.seed = seed
        cap = Capture(run=run, framework="torch", X=Xt.double().numpy(), y=Yt.double().numpy(),
                      initializers={l.name: "torch_default" for l in run.layers if l.kind == "dense"})
        return Report.from_run(run, cap)

    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    from nnfit.doctor.monitors.keras import KerasMonitor

    monitor = KerasMonitor(X, y, budget_s=budget_s)
    monitor.run.config.batch_size = batch_size
    monitor.run.config.validation_split = fit_kwargs.get("validation_split") or None
    monitor.run.config.shuffle = bool(fit_kwargs.get("shuffle", True))
    monitor.run.seed = seed
    callbacks = list(fit_kwargs.pop("callbacks", None) or []) + [monitor]
    model.fit(np.asarray(X, dtype="float32"), np.asarray(y, dtype="float32"), epochs=epochs, batch_size=batch_size,
              callbacks=callbacks, verbose=fit_kwargs.pop("verbose", 0), **fit_kwargs)
    from nnfit.doctor.monitors._common import activation_name

    acts = {l.name: l.activation for l in model.layers
            if type(l).__name__ == "Dense" and activation_name(l.activation).startswith("custom:")}
    inits = {l.name: type(l.kernel_initializer).__name__ for l in model.layers if type(l).__name__ == "Dense"}
    cap = Capture(run=monitor.run, framework="keras", X=X, y=y, activations=acts, initializers=inits)
    return Report.from_run(monitor.run, cap)
