"""What the Keras and PyTorch monitors share: probes on torch tensors, script-line lookup, budgets.

Both monitors end in torch computations (Keras 3 runs on its torch backend here), so activation
statistics and gradient norms are measured the same way for both.
"""
from __future__ import annotations

import math
import os
import re
import sys
import time
from typing import Any

import numpy as np

from nnfit.doctor.run import DataStats, TrainingRun

# Activation statistics (measured on a probe batch of training inputs).
SATURATION_MARGIN = 0.01     # sigmoid output < 0.01 or > 0.99, tanh |a| > 0.99
PROBE_ROWS = 512
MAX_GRAD_RECORDS = 60        # gradient / update-ratio records kept per layer (sampled evenly)

KNOWN_ACTIVATIONS = {
    "linear", "relu", "sigmoid", "tanh", "softmax", "softplus", "softsign", "elu", "selu", "gelu", "silu",
    "swish", "exponential", "hard_sigmoid", "leaky_relu", "relu6", "mish", "log_sigmoid", "hard_tanh",
}
TORCH_ACTIVATIONS = {
    "ReLU": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Softmax": "softmax", "Softplus": "softplus",
    "Softsign": "softsign", "ELU": "elu", "SELU": "selu", "GELU": "gelu", "SiLU": "silu", "LeakyReLU": "leaky_relu",
    "ReLU6": "relu6", "Mish": "mish", "Hardsigmoid": "hard_sigmoid", "Hardtanh": "hard_tanh",
    "LogSigmoid": "log_sigmoid", "Identity": "linear",
}


def activation_name(fn: Any) -> str:
    """'relu', 'linear', ... or 'custom:<name>' for a lambda or user function."""
    if fn is None:
        return "linear"
    if isinstance(fn, str):
        return fn.lower()
    name = getattr(fn, "__name__", None) or type(fn).__name__
    if name in TORCH_ACTIVATIONS:
        return TORCH_ACTIVATIONS[name]
    low = name.lower()
    return low if low in KNOWN_ACTIVATIONS else f"custom:{name}"


class ScriptContext:
    """Which user script is being watched: maps a call stack to a line in it."""

    def __init__(self, path: str | None):
        self.path = os.path.realpath(path) if path else None
        self.lines: list[str] = []
        if path and os.path.exists(path):
            with open(path, encoding="utf-8", errors="replace") as fh:
                self.lines = fh.read().splitlines()

    def caller_line(self) -> int | None:
        if not self.path:
            return None
        frame = sys._getframe(1)
        while frame is not None:
            if os.path.realpath(frame.f_code.co_filename) == self.path:
                return frame.f_lineno
            frame = frame.f_back
        return None

    def span(self, line: int | None, needle: str) -> tuple[int, int] | None:
        """1-based (start, end) columns of `needle(...)` on that line, for a caret."""
        if not line or line > len(self.lines):
            return None
        text = self.lines[line - 1]
        m = re.search(re.escape(needle) + r"\s*\(", text)
        if not m:
            return None
        start, depth = m.start(), 0
        for j in range(m.end() - 1, len(text)):
            depth += {"(": 1, ")": -1}.get(text[j], 0)
            if depth == 0:
                return (start + 1, j + 1)
        return (start + 1, len(text))

    def assigned_name(self, line: int | None) -> str | None:
        if not line or line > len(self.lines):
            return None
        m = re.match(r"\s*([A-Za-z_]\w*)\s*=[^=]", self.lines[line - 1])
        return m.group(1) if m else None


def layer_stats(outputs: list[tuple[str, str, Any]]) -> tuple[dict[str, float], dict[str, float]]:
    """dead and saturated fractions per layer from (name, activation, output tensor) triples."""
    dead: dict[str, float] = {}
    sat: dict[str, float] = {}
    for name, act, out in outputs:
        a = out.detach().double().reshape(out.shape[0], -1).cpu().numpy()
        if a.size == 0:
            continue
        if act in ("relu", "relu6"):
            dead[name] = float(np.mean(np.all(a <= 0, axis=0)))
        elif act in ("sigmoid", "hard_sigmoid"):
            sat[name] = float(np.mean((a < SATURATION_MARGIN) | (a > 1 - SATURATION_MARGIN)))
        elif act in ("tanh", "softsign", "hard_tanh"):
            sat[name] = float(np.mean(np.abs(a) > 1 - SATURATION_MARGIN))
    return dead, sat


def r2_score(y: np.ndarray, pred: np.ndarray) -> float:
    y = np.asarray(y, dtype=float).reshape(len(y), -1)
    pred = np.asarray(pred, dtype=float).reshape(len(pred), -1)
    if pred.shape != y.shape or not np.all(np.isfinite(pred)):
        return -math.inf
    ss_res = float(np.sum((y - pred) ** 2))
    ss_tot = float(np.sum((y - y.mean(axis=0)) ** 2))
    return 1.0 - ss_res / ss_tot if ss_tot > 0 else (1.0 if ss_res == 0 else -math.inf)


def probe_rows(X: np.ndarray, seed: int = 0) -> np.ndarray:
    if len(X) <= PROBE_ROWS:
        return np.arange(len(X))
    return np.sort(np.random.default_rng(seed).choice(len(X), PROBE_ROWS, replace=False))


def thin(series: list[float], keep: int = MAX_GRAD_RECORDS) -> list[float]:
    """Keep at most `keep` values, evenly spaced, always the last."""
    if len(series) <= keep:
        return series
    idx = np.linspace(0, len(series) - 1, keep).round().astype(int)
    return [series[i] for i in idx]


def as_2d(a: Any) -> np.ndarray:
    arr = np.asarray(a, dtype=float)
    return arr.reshape(len(arr), -1)


def fill_data(run: TrainingRun, X: Any, y: Any) -> None:
    """Data statistics from the arrays actually trained on."""
    try:
        Xa, ya = as_2d(X), as_2d(y)
    except (TypeError, ValueError):
        return
    if len(Xa) == 0 or len(ya) != len(Xa):
        return
    run.data = DataStats.from_arrays(Xa, ya, is_regression=_is_regression(run, ya))
    run.data.line = run.config.fit_line


def _is_regression(run: TrainingRun, y: np.ndarray) -> bool | None:
    from nnfit.doctor.rules._common import CLASSIFICATION_LOSSES, REGRESSION_LOSSES, norm

    loss = norm(run.config.loss)
    if loss in REGRESSION_LOSSES:
        return True
    if loss in CLASSIFICATION_LOSSES:
        # class labels / probabilities, or real-valued targets fed to a classification loss
        labels = bool(np.all(y == np.round(y))) or bool(np.all((y >= 0) & (y <= 1)))
        return not labels
    return None


class Budget:
    """Wall-clock budget for a watched training; `expired` flips once, monitors then stop training."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.t0 = time.perf_counter()
        self.hit = False

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    @property
    def expired(self) -> bool:
        if self.seconds is not None and self.elapsed > self.seconds:
            self.hit = True
        return self.hit
