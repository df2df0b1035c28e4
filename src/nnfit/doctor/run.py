"""TrainingRun: everything a diagnosis rule may read, whichever framework produced it.

Monitors (monitors/keras.py, torch.py, numpy.py, static.py) fill a TrainingRun; rules read it and
never import a framework. A static run (from `doctor lint`) has structure and configuration but no
history: rules must treat missing fields (None / empty) as "unknown", never as evidence.
"""
from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass
class LayerInfo:
    name: str
    kind: str = "dense"                 # dense, activation, dropout, batchnorm, other
    units: int | None = None            # output width
    input_units: int | None = None
    activation: str | None = None       # "linear" when none; a custom callable is "custom:<repr>"
    use_bias: bool | None = None
    initializer: str | None = None
    n_params: int | None = None
    line: int | None = None             # script line that builds it, when known
    span: tuple[int, int] | None = None # (column start, column end), 1-based, for a caret


@dataclasses.dataclass
class ColumnStats:
    min: float
    max: float
    mean: float
    std: float
    is_integer: bool = False


@dataclasses.dataclass
class DataStats:
    n_samples: int | None = None
    inputs: list[ColumnStats] = dataclasses.field(default_factory=list)
    targets: list[ColumnStats] = dataclasses.field(default_factory=list)
    is_regression: bool | None = None   # None: unknown
    exact: bool = True                  # False when guessed from literals in a script
    line: int | None = None

    @classmethod
    def from_arrays(cls, X: Any, y: Any, is_regression: bool | None = None) -> "DataStats":
        import numpy as np

        X = np.asarray(X, dtype=float).reshape(len(X), -1)
        y = np.asarray(y, dtype=float).reshape(len(y), -1)

        def cols(a: Any) -> list[ColumnStats]:
            return [
                ColumnStats(float(c.min()), float(c.max()), float(c.mean()), float(c.std()),
                            bool(np.all(np.isfinite(c)) and np.all(c == np.round(c))))
                for c in a.T
            ]

        if is_regression is None:
            distinct = len(np.unique(y[:, 0])) if y.size else 0
            is_regression = not (y.shape[1] == 1 and distinct <= 10 and bool(np.all(y == np.round(y))))
        return cls(n_samples=len(X), inputs=cols(X), targets=cols(y), is_regression=is_regression)


@dataclasses.dataclass
class OptimizerInfo:
    name: str                           # "sgd", "adam", ...
    learning_rate: float | None = None
    line: int | None = None
    variable: str | None = None         # the Python name it was bound to
    passed_to_compile: bool | None = None
    arguments: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class TrainingConfig:
    optimizer: OptimizerInfo | None = None             # the one actually used
    optimizers_built: list[OptimizerInfo] = dataclasses.field(default_factory=list)
    loss: str | None = None
    metrics: list[str] = dataclasses.field(default_factory=list)
    epochs: int | None = None
    batch_size: int | None = None
    compile_line: int | None = None
    fit_line: int | None = None

    @property
    def learning_rate(self) -> float | None:
        return self.optimizer.learning_rate if self.optimizer else None


@dataclasses.dataclass
class UpdateRule:
    """How one parameter array is updated: from a script (static) or measured (numpy check)."""
    parameter: str
    expression: str | None = None       # e.g. "W_hidden - learning_rate * W_hidden"
    uses_gradient: bool | None = None
    cosine_with_negative_gradient: float | None = None
    line: int | None = None
    span: tuple[int, int] | None = None # (column start, column end), 1-based, for a caret
    note: str | None = None             # what is wrong with it, in words (static analysis)


@dataclasses.dataclass
class History:
    """Per-epoch series (lists of equal length); per-layer series keyed by layer name."""
    loss: list[float] = dataclasses.field(default_factory=list)
    val_loss: list[float] = dataclasses.field(default_factory=list)
    batch_loss: list[float] = dataclasses.field(default_factory=list)
    grad_norm: dict[str, list[float]] = dataclasses.field(default_factory=dict)
    weight_norm: dict[str, list[float]] = dataclasses.field(default_factory=dict)
    update_ratio: dict[str, list[float]] = dataclasses.field(default_factory=dict)   # ||dW|| / ||W||
    dead_fraction: dict[str, list[float]] = dataclasses.field(default_factory=dict)
    saturated_fraction: dict[str, list[float]] = dataclasses.field(default_factory=dict)
    n_updates: int | None = None
    seconds: float | None = None


@dataclasses.dataclass
class LegacyUse:
    old: str                            # e.g. "nb_epoch="
    new: str                            # e.g. "epochs="
    line: int | None = None
    span: tuple[int, int] | None = None


@dataclasses.dataclass
class TrainingRun:
    framework: str                      # keras, torch, numpy, static
    source: str | None = None           # script path, when there is one
    source_lines: list[str] = dataclasses.field(default_factory=list)
    layers: list[LayerInfo] = dataclasses.field(default_factory=list)
    data: DataStats = dataclasses.field(default_factory=DataStats)
    config: TrainingConfig = dataclasses.field(default_factory=TrainingConfig)
    history: History = dataclasses.field(default_factory=History)
    updates: list[UpdateRule] = dataclasses.field(default_factory=list)
    legacy: list[LegacyUse] = dataclasses.field(default_factory=list)
    syntax_problems: list[dict[str, Any]] = dataclasses.field(default_factory=list)  # {line, message}
    seed: int | None = None
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def is_static(self) -> bool:
        return self.framework == "static"

    @property
    def n_params(self) -> int | None:
        counts = [layer.n_params for layer in self.layers if layer.kind == "dense"]
        return sum(counts) if counts and all(c is not None for c in counts) else None
