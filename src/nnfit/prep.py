"""Scalers and transforms, chosen from the data and saved with the model.

`predict` takes and returns raw units: the pipeline is
raw X -> [log1p per column] -> standardise -> network -> unstandardise -> [expm1] -> raw y.
"""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

# A positive column is a log candidate when it spans more than this many orders of magnitude
# between its 5th and 100th percentile (a·b on [0,500)² spans ~4; a smooth target on [0,1] spans < 1).
LOG_SPAN_DECADES = 2.0


@dataclasses.dataclass
class Transform:
    """log1p on chosen columns, then standardisation. Invertible for outputs."""
    log_columns: list[bool]
    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, A: np.ndarray, log_columns: list[bool] | None = None) -> "Transform":
        log_columns = log_columns if log_columns is not None else [False] * A.shape[1]
        logged = _apply_log(A, log_columns)
        mean = logged.mean(axis=0)
        scale = logged.std(axis=0)
        scale = np.where(scale > 0, scale, 1.0)  # a constant input column stays constant (0)
        return cls(list(map(bool, log_columns)), mean, scale)

    def forward(self, A: np.ndarray) -> np.ndarray:
        return (_apply_log(A, self.log_columns) - self.mean) / self.scale

    def inverse(self, Z: np.ndarray) -> np.ndarray:
        A = Z * self.scale + self.mean
        for j, is_log in enumerate(self.log_columns):
            if is_log:
                A[:, j] = np.expm1(A[:, j])
        return A

    def describe(self, names: list[str]) -> str:
        logged = [n for n, is_log in zip(names, self.log_columns) if is_log]
        return ("log1p(" + ", ".join(logged) + ") then " if logged else "") + "standardise"

    def to_dict(self) -> dict[str, Any]:
        return {"log_columns": self.log_columns, "mean": self.mean.tolist(), "scale": self.scale.tolist()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Transform":
        return cls(list(data["log_columns"]), np.asarray(data["mean"], float), np.asarray(data["scale"], float))


def _apply_log(A: np.ndarray, log_columns: list[bool]) -> np.ndarray:
    out = np.array(A, dtype=float, copy=True)
    for j, is_log in enumerate(log_columns):
        if is_log:
            out[:, j] = np.log1p(np.maximum(out[:, j], 0.0))
    return out


def log_candidates(A: np.ndarray) -> list[bool]:
    """Columns that are non-negative and span several orders of magnitude."""
    flags = []
    for column in A.T:
        if column.min() < 0:
            flags.append(False)
            continue
        low = np.percentile(column, 5)
        high = column.max()
        flags.append(bool(high > 0 and np.log10((high + 1.0) / (low + 1.0)) > LOG_SPAN_DECADES - 1e-9))
    return flags


@dataclasses.dataclass
class TransformChoice:
    name: str
    x_log: list[bool]
    y_log: list[bool]


def transform_choices(X: np.ndarray, Y: np.ndarray, mode: str = "auto") -> list[TransformChoice]:
    """The transform pairs to try: always plain standardisation; log variants where they make sense."""
    plain = TransformChoice("standardise", [False] * X.shape[1], [False] * Y.shape[1])
    if mode in ("none", "standardise"):
        return [plain]
    y_log = log_candidates(Y)
    # With a log target, log inputs turn products and powers into sums (seed 4: log ab = log a + log b);
    # every non-negative input is a candidate, whatever its span.
    x_log = [bool(column.min() >= 0 and column.max() > 0) for column in X.T]
    choices = [plain]
    if any(y_log):
        choices.append(TransformChoice("log target", [False] * X.shape[1], y_log))
        if any(x_log):
            choices.append(TransformChoice("log inputs and target", x_log, y_log))
    if mode == "log":
        if len(choices) == 1:
            from nnfit.errors import NNFitError

            raise NNFitError("transform 'log' needs a non-negative target spanning orders of magnitude")
        return choices[1:]
    if mode != "auto":
        from nnfit.errors import NNFitError

        raise NNFitError(f"unknown transform {mode!r}: use auto, none or log")
    return choices
