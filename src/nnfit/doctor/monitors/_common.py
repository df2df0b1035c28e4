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
from nnfit.doctor.vocab import CLASSIFICATION_LOSSES, KNOWN_ACTIVATIONS, REGRESSION_LOSSES, TORCH_ACTIVATIONS, norm

# Activation statistics (measured on a probe batch of training inputs).
SATURATION_MARGIN = 0.01     # sigmoid output < 0.01 or > 0.99, tanh |a| > 0.99
PROBE_ROWS = 512
MAX_GRAD_RECORDS = 60        # gradient / update-ratio records kept per layer (sampled evenly)

# The spread of fewer initial weights than this says nothing about their scale (two weights can sit
# close by chance); an all-zero kernel is recorded whatever its size.
MIN_WEIGHTS_FOR_SPREAD = 10


def initial_spread(weights: np.ndarray) -> float | None:
    """Standard deviation of a kernel as initialised, for bad-initial-scale: 0.0 when every weight is
    exactly zero, None when too few weights to judge a spread."""
    w = np.asarray(weights, dtype=float)
    if w.size and not np.any(w):
        return 0.0
    return float(w.std()) if w.size >= MIN_WEIGHTS_FOR_SPREAD else None


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
    """Training R² as nnfit.metrics computes it (-inf for a non-finite or misshapen prediction)."""
    from nnfit.metrics import regression_metrics

    return regression_metrics(y, pred)["r2"]


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


def input_parts(a: Any) -> list[Any] | None:
    """The arrays of a model with several inputs (Keras `fit([x1, x2], y)`, `fit({"a": x1, "b": x2}, y)`):
    a list, tuple or dict of two or more arrays with one row count; None for a single array (or a list
    of plain numbers, which is one column of rows). A list of row vectors (n arrays of d values each, one
    per row) is one input: it holds more arrays than each has values, where a model's inputs are a few
    arrays of many rows each."""
    parts = list(a.values()) if isinstance(a, dict) else list(a) if isinstance(a, (list, tuple)) else None
    if not parts or len(parts) < 2 or not all(hasattr(p, "shape") and len(getattr(p, "shape", ())) >= 1 for p in parts):
        return None
    rows = {int(p.shape[0]) for p in parts}
    return parts if len(rows) == 1 and len(parts) < min(rows) else None


def as_2d(a: Any) -> np.ndarray:
    """Rows x columns; the inputs of a several-input model side by side (their columns concatenated)."""
    parts = input_parts(a)
    if parts is not None:
        return np.hstack([as_2d(p) for p in parts])
    arr = np.asarray(a, dtype=float)
    return arr.reshape(len(arr), -1)


def take_rows(a: Any, idx: Any) -> Any:
    """Rows `idx` of the model's input: of each array of a several-input model (same container kind)."""
    parts = input_parts(a)
    if parts is None:
        return np.asarray(a)[idx].astype("float32")
    taken = [np.asarray(p)[idx].astype("float32") for p in parts]
    return dict(zip(a.keys(), taken)) if isinstance(a, dict) else taken


def fill_data(run: TrainingRun, X: Any, y: Any, *, ordered_as_seen: bool = True) -> None:
    """Data statistics from the arrays actually trained on, with their shapes, dtypes, class counts
    and row order (`ordered_as_seen`: the rows are in the order the script holds them)."""
    try:
        Xa, ya = as_2d(X), as_2d(y)
    except (TypeError, ValueError):
        return
    if len(Xa) == 0 or len(ya) != len(Xa):
        return
    run.data = DataStats.from_arrays(Xa, ya, is_regression=_is_regression(run, ya))
    run.data.line = run.config.fit_line
    d = run.data
    parts = input_parts(X)
    d.input_shape, d.input_dtype = _shape_dtype(X) if parts is None else ((len(Xa), Xa.shape[1]), _shape_dtype(parts[0])[1])
    d.target_shape, d.target_dtype = _shape_dtype(y)
    d.class_counts = class_counts(ya)
    if ordered_as_seen:
        d.order_correlation = order_correlation(Xa, ya)
    from nnfit.doctor.reference import reference_scores

    first = next((layer for layer in run.layers if layer.kind not in ("activation", "dropout")), None)
    if first is not None and first.kind == "embedding":
        return     # token / category ids: a closed-form fit on the ids says nothing about what the data allow
    try:
        run.fit.reference_r2, run.fit.reference_accuracy, run.fit.linear_r2 = reference_scores(Xa, ya, d.class_counts is not None)
    except (np.linalg.LinAlgError, ValueError, FloatingPointError):
        pass


def _shape_dtype(a: Any) -> tuple[tuple[int, ...] | None, str | None]:
    shape = getattr(a, "shape", None)
    dtype = getattr(a, "dtype", None)
    if shape is None:
        try:
            arr = np.asarray(a)
        except (TypeError, ValueError):
            return None, None
        shape, dtype = arr.shape, arr.dtype
    name = str(dtype).replace("torch.", "") if dtype is not None else None
    return tuple(int(s) for s in shape), name


# Targets with at most this many distinct integer values (or one-hot rows) are class labels.
MAX_CLASSES = 50


def class_counts(y: np.ndarray) -> dict[str, int] | None:
    """label -> rows for class-label targets (integers, or one-hot / multi-hot 0/1 columns); else None."""
    if y.size == 0 or not np.all(np.isfinite(y)) or not np.all(y == np.round(y)):
        return None
    if y.shape[1] == 1:
        values, counts = np.unique(y[:, 0], return_counts=True)
        if len(values) > MAX_CLASSES:
            return None
        return {str(int(v)): int(c) for v, c in zip(values, counts)}
    if not np.all((y == 0) | (y == 1)):
        return None
    if np.all(y.sum(axis=1) == 1):   # one-hot: the class is the column
        counts = y.sum(axis=0)
    else:                            # multi-label: positives per column
        counts = y.sum(axis=0)
    return {str(i): int(c) for i, c in enumerate(counts)}


def order_correlation(X: np.ndarray, y: np.ndarray) -> float | None:
    """|Spearman correlation| between row position and the target (or any input column, the largest):
    ~1 when the rows are sorted, ~0 when they are shuffled."""
    n = len(y)
    if n < 10:
        return None
    pos = np.arange(n, dtype=float)
    best = None
    for col in list(y.T[:4]) + list(X.T[:8]):
        if np.ptp(col) == 0:
            continue
        ranks = np.argsort(np.argsort(col, kind="stable"), kind="stable").astype(float)
        rho = abs(float(np.corrcoef(pos, ranks)[0, 1]))
        if np.isfinite(rho):
            best = rho if best is None else max(best, rho)
    return best


def _is_regression(run: TrainingRun, y: np.ndarray) -> bool | None:
    loss = norm(run.config.loss)
    if loss in REGRESSION_LOSSES:
        return True
    if loss in CLASSIFICATION_LOSSES:
        # class labels / probabilities, or real-valued targets fed to a classification loss
        labels = bool(np.all(y == np.round(y))) or bool(np.all((y >= 0) & (y <= 1)))
        return not labels
    return None


def fit_quality(run: TrainingRun, y: np.ndarray, pred: np.ndarray, *, heldout: bool = False) -> None:
    """R² (and, for class-label targets, accuracy and the majority-class share of predictions) of the
    trained network on (y, pred), stored on run.fit."""
    y = np.asarray(y, dtype=float).reshape(len(y), -1)
    pred = np.asarray(pred, dtype=float)
    if len(pred) != len(y):
        return
    pred2 = pred.reshape(len(pred), -1)
    r2 = r2_score(y, pred2) if pred2.shape == y.shape else None
    acc = majority = positive = None
    if class_counts(y) is not None and np.all(np.isfinite(pred2)):
        if y.shape[1] == 1 and pred2.shape[1] == 1:
            # probabilities / scores of one unit: 0.5 for an output in [0, 1], else 0 (logits, +-1 labels)
            lo, hi = float(np.min(y)), float(np.max(y))
            if lo >= 0 and hi <= 1:
                cut = 0.5 if np.min(pred2) >= 0 and np.max(pred2) <= 1 else 0.0
                labels = (pred2[:, 0] > cut).astype(float)
            else:
                labels = np.clip(np.round(pred2[:, 0]), lo, hi)
            truth = y[:, 0]
        elif y.shape[1] == 1 and pred2.shape[1] > 1:
            labels, truth = np.argmax(pred2, axis=1).astype(float), y[:, 0]
        elif pred2.shape == y.shape and np.all(y.sum(axis=1) == 1):
            labels, truth = np.argmax(pred2, axis=1).astype(float), np.argmax(y, axis=1).astype(float)
        elif pred2.shape == y.shape:   # multi-label: every label right
            cut = 0.5 if np.min(pred2) >= 0 and np.max(pred2) <= 1 else 0.0
            labels_m = (pred2 > cut).astype(float)
            acc = float(np.mean(np.all(labels_m == y, axis=1)))
            positive = float(np.mean(labels_m))
            labels = truth = None
        else:
            labels = truth = None
        if labels is not None:
            acc = float(np.mean(labels == truth))
            _, counts = np.unique(labels, return_counts=True)
            majority = float(counts.max() / len(labels))
    if heldout:
        run.fit.heldout_r2, run.fit.heldout_accuracy = r2, acc
    else:
        run.fit.train_r2 = r2 if r2 is not None else -math.inf
        run.fit.train_accuracy, run.fit.majority_fraction = acc, majority
        run.fit.predicted_positive_share = positive
        run.fit.prediction_shape = tuple(int(s) for s in pred.shape)


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
