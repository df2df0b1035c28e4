"""Scalers and transforms, chosen from the data and saved with the model.

`predict` takes and returns raw units: the pipeline is
raw X -> [log(x + offset) per column] -> standardise -> network -> unstandardise -> [expm1] -> raw y.
The offset is 1 (log1p) unless the column's log is taken for its behaviour near zero (NEAR_ZERO_SHARE).
"""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

# A positive column is a log candidate when it spans more than this many orders of magnitude
# between its 5th and 100th percentile (a·b on [0,500)² spans ~4; a smooth target on [0,1] spans < 1).
LOG_SPAN_DECADES = 2.0
# An input whose low end (1st percentile) lies below this share of its top, on a non-negative column,
# gets a trial with log(x + offset) in its place, the offset a tenth of that 1st percentile: targets
# singular or steep at zero (x**y, x**(1/3), x2/|x| on [0, a]) become smooth in log x. Read from the
# DSO development rows on [0, a] and [0.05, a] (all below 0.03) against physics-style ranges such as
# [1, 5] (0.2): measured on 4 singular DSO rows, network alone, held-out RMSE/std 2.0e-3 -> 5.4e-4
# (Constant-4, 2.7*x1**x2), 2.5e-2 -> 2.8e-4 (Poly-1), 7.9e-5 -> 1.9e-5 (Livermore-13), 1.2e-4 -> 7.7e-5
# (Poly-3); on smooth rows on [0, 1] the trial keeps plain standardisation.
NEAR_ZERO_SHARE = 0.1
NEAR_ZERO_OFFSET = 0.1          # the offset, as a share of the column's 1st percentile


@dataclasses.dataclass
class Transform:
    """log(x + offset) on chosen columns (offset 1: log1p), then standardisation. Invertible for
    outputs (whose offset is always 1)."""
    log_columns: list[bool]
    mean: np.ndarray
    scale: np.ndarray
    log_offsets: list[float] | None = None     # None: 1 for every logged column

    @classmethod
    def fit(cls, A: np.ndarray, log_columns: list[bool] | None = None,
            log_offsets: list[float] | None = None) -> "Transform":
        log_columns = log_columns if log_columns is not None else [False] * A.shape[1]
        logged = _apply_log(A, log_columns, log_offsets)
        mean = logged.mean(axis=0)
        scale = logged.std(axis=0)
        scale = np.where(scale > 0, scale, 1.0)  # a constant input column stays constant (0)
        return cls(list(map(bool, log_columns)), mean, scale,
                   None if log_offsets is None else [float(v) for v in log_offsets])

    def offsets(self) -> list[float]:
        return list(self.log_offsets) if self.log_offsets is not None else [1.0] * len(self.log_columns)

    def forward(self, A: np.ndarray) -> np.ndarray:
        return (_apply_log(A, self.log_columns, self.log_offsets) - self.mean) / self.scale

    def inverse(self, Z: np.ndarray) -> np.ndarray:
        A = Z * self.scale + self.mean
        for j, is_log in enumerate(self.log_columns):
            if is_log:
                A[:, j] = np.expm1(A[:, j])
        return A

    def describe(self, names: list[str]) -> str:
        logged = [n if offset == 1.0 else f"{n}+{offset:.3g}"
                  for n, is_log, offset in zip(names, self.log_columns, self.offsets()) if is_log]
        if not logged:
            return "standardise"
        return ("log1p(" if all(o == 1.0 for o, f in zip(self.offsets(), self.log_columns) if f) else "log(") \
            + ", ".join(logged) + ") then standardise"

    def to_dict(self) -> dict[str, Any]:
        data = {"log_columns": self.log_columns, "mean": self.mean.tolist(), "scale": self.scale.tolist()}
        if self.log_offsets is not None:
            data["log_offsets"] = list(self.log_offsets)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Transform":
        offsets = data.get("log_offsets")
        return cls(list(data["log_columns"]), np.asarray(data["mean"], float), np.asarray(data["scale"], float),
                   None if offsets is None else [float(v) for v in offsets])


def _apply_log(A: np.ndarray, log_columns: list[bool], log_offsets: list[float] | None = None) -> np.ndarray:
    out = np.array(A, dtype=float, copy=True)
    for j, is_log in enumerate(log_columns):
        if is_log:
            offset = 1.0 if log_offsets is None else log_offsets[j]
            column = np.maximum(out[:, j], 0.0)
            out[:, j] = np.log1p(column) if offset == 1.0 else np.log(column + offset)
    return out


def near_zero_offsets(A: np.ndarray) -> list[float | None]:
    """Per column, the offset of its log when the column is non-negative and reaches near zero
    (NEAR_ZERO_SHARE), else None."""
    offsets: list[float | None] = []
    for column in A.T:
        low, high = np.percentile(column, 1), column.max()
        # two values: a log only re-spaces them (an affine map), nothing a trial could gain
        if column.min() < 0 or not high > 0 or not low < NEAR_ZERO_SHARE * high or len(np.unique(column[:64])) < 3:
            offsets.append(None)
            continue
        reference = low if low > 0 else np.percentile(column[column > 0], 1)  # zeros in the column: its positives
        offsets.append(float(NEAR_ZERO_OFFSET * reference))
    return offsets


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
    x_offsets: list[float] | None = None     # None: log1p on the logged inputs


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
    near_zero = near_zero_offsets(X)
    if any(o is not None for o in near_zero):
        choices.append(TransformChoice("log of inputs near zero", [o is not None for o in near_zero],
                                       [False] * Y.shape[1], [1.0 if o is None else o for o in near_zero]))
    return choices
