"""Regression metrics: the one function fit, repair and the doctor's monitors all report with."""
from __future__ import annotations

import math

import numpy as np


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """Held-out regression metrics (never 'accuracy'). Multi-output: pooled over outputs.

    A prediction that is not finite everywhere (or has the wrong shape) scores worst on every
    metric (errors inf, R² -inf) so that comparisons rank it last. R² of a constant y_true is
    1.0 for an exact prediction and -inf otherwise (the limit of 1 - SS_res/SS_tot).
    The relative error skips targets within 1e-12 of zero, relative to the largest |y|.
    """
    y_true = np.asarray(y_true, float).reshape(len(y_true), -1)
    y_pred = np.asarray(y_pred, float).reshape(len(y_pred), -1)
    n = int(len(y_true))
    if y_pred.shape != y_true.shape or not np.all(np.isfinite(y_pred)):
        return {"rmse": math.inf, "nrmse": math.inf, "mae": math.inf, "max_abs_error": math.inf,
                "r2": -math.inf, "median_rel_error": math.inf, "n_test": n}
    error = y_pred - y_true
    std = float(np.mean(y_true.std(axis=0)))
    rmse = float(np.sqrt(np.mean(error**2)))
    ss_res = float(np.sum(error**2))
    ss_tot = float(np.sum((y_true - y_true.mean(axis=0)) ** 2))
    nonzero = np.abs(y_true) > 1e-12 * max(1.0, float(np.max(np.abs(y_true))))
    relative = np.abs(error[nonzero]) / np.abs(y_true[nonzero])
    if ss_tot > 0:
        r2 = 1.0 - ss_res / ss_tot
    else:
        r2 = 1.0 if ss_res == 0 else -math.inf
    return {
        "rmse": rmse,
        "nrmse": rmse / std if std > 0 else math.inf,
        "mae": float(np.mean(np.abs(error))),
        "max_abs_error": float(np.max(np.abs(error))),
        "r2": r2,
        "median_rel_error": float(np.median(relative)) if relative.size else math.nan,
        "n_test": n,
    }


def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Root-mean-square error over all entries (both flattened, so (n, 1) against (n,) never broadcasts
    to (n, n)); inf when not finite, so that a candidate that overflows ranks last."""
    a = np.asarray(y_true, float).reshape(-1)
    b = np.asarray(y_pred, float).reshape(-1)
    with np.errstate(all="ignore"):
        value = float(np.sqrt(np.mean((a - b) ** 2)))
    return value if math.isfinite(value) else math.inf
