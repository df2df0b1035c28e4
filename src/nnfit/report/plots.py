"""PNG plots (matplotlib, Agg backend: no display needed). Every function takes plain data and a path.

    plot_fit(X, y_true, y_pred, names, path)        1-D: target and prediction curves; 2-D: heat map + error map
    plot_residuals(X, y_true, y_pred, names, path)  residual against the input (1-D) or the target, and a histogram
    plot_losses(history, path)                      train/validation loss per step, log scale, phases marked
    plot_gradient_norms(grad_norms, path)           per-layer gradient norm per step, log scale

Each writes atomically (a temporary file in the same folder, then a rename) and returns the path.
Pass path=None to get the PNG bytes instead.
"""
from __future__ import annotations

import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nnfit.io import atomic_write

DPI = 100
TARGET_COLOR = "#d62728"      # red, as in the seeds' pictures: the truth
PRED_COLOR = "#1f77b4"        # blue: the network


def _pyplot() -> Any:
    import matplotlib

    if matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: str | os.PathLike | None) -> Path | bytes:
    plt = _pyplot()
    try:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    finally:
        plt.close(fig)
    data = buffer.getvalue()
    if path is None:
        return data
    return atomic_write(Path(path), data)


def _as_2d(X: Any) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    return X.reshape(len(X), -1)


def _as_1d(y: Any) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    return y.reshape(len(y), -1)[:, 0]


def _names(names: Sequence[str] | None, n: int) -> list[str]:
    if names is not None and len(names) == n:
        return [str(v) for v in names]
    return ["x"] if n == 1 else [f"x{i}" for i in range(n)]


def plot_fit(X: Any, y_true: Any, y_pred: Any, names: Sequence[str] | None = None,
             path: str | os.PathLike | None = None, title: str | None = None, target_name: str = "y") -> Path | bytes:
    """Target against prediction. 1 input: two curves (sorted by x) with the points; 2 inputs: heat map of
    the prediction and map of |error|; more: predicted against true scatter."""
    plt = _pyplot()
    X, y_true, y_pred = _as_2d(X), _as_1d(y_true), _as_1d(y_pred)
    names = _names(names, X.shape[1])
    if X.shape[1] == 1:
        fig, ax = plt.subplots(figsize=(7, 4.2))
        order = np.argsort(X[:, 0])
        x = X[order, 0]
        ax.plot(x, y_true[order], color=TARGET_COLOR, lw=2.2, label="target")
        ax.plot(x, y_pred[order], color=PRED_COLOR, lw=1.4, ls="--", label="prediction")
        if len(x) <= 400:
            ax.scatter(x, y_pred[order], s=9, color=PRED_COLOR, alpha=0.6, zorder=3)
        ax.set_xlabel(names[0])
        ax.set_ylabel(target_name)
        ax.legend(loc="best")
        ax.grid(alpha=0.3)
    elif X.shape[1] == 2:
        import matplotlib.tri as mtri

        fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
        finite = np.isfinite(y_pred) & np.isfinite(y_true)
        a, b = X[finite, 0], X[finite, 1]
        error = np.abs(y_pred[finite] - y_true[finite])
        try:
            tri = mtri.Triangulation(a, b)
            im0 = axes[0].tricontourf(tri, y_pred[finite], levels=30, cmap="viridis")
            positive = error[error > 0]
            floor = positive.min() if positive.size else 1e-300
            log_err = np.log10(np.maximum(error, floor))
            im1 = axes[1].tricontourf(tri, log_err, levels=30, cmap="magma")
        except (ValueError, RuntimeError):  # degenerate point sets (collinear inputs): plain scatter
            im0 = axes[0].scatter(a, b, c=y_pred[finite], cmap="viridis", s=12)
            im1 = axes[1].scatter(a, b, c=np.log10(np.maximum(error, 1e-300)), cmap="magma", s=12)
        fig.colorbar(im0, ax=axes[0], label=f"predicted {target_name}")
        fig.colorbar(im1, ax=axes[1], label="log10 |error|")
        axes[0].set_title("prediction")
        axes[1].set_title("absolute error")
        for ax in axes:
            ax.set_xlabel(names[0])
            ax.set_ylabel(names[1])
    else:
        fig, ax = plt.subplots(figsize=(5.5, 5))
        ax.scatter(y_true, y_pred, s=8, color=PRED_COLOR, alpha=0.6)
        finite = np.isfinite(y_true)
        if finite.any():
            lo, hi = float(np.min(y_true[finite])), float(np.max(y_true[finite]))
            ax.plot([lo, hi], [lo, hi], color=TARGET_COLOR, lw=1.5, label="perfect fit")
            ax.legend(loc="best")
        ax.set_xlabel(f"true {target_name}")
        ax.set_ylabel(f"predicted {target_name}")
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    return _save(fig, path)


def plot_residuals(X: Any, y_true: Any, y_pred: Any, names: Sequence[str] | None = None,
                   path: str | os.PathLike | None = None, title: str | None = None) -> Path | bytes:
    """Residual (prediction - target) against the input (1-D) or the target, and their histogram."""
    plt = _pyplot()
    X, y_true, y_pred = _as_2d(X), _as_1d(y_true), _as_1d(y_pred)
    names = _names(names, X.shape[1])
    residual = y_pred - y_true
    finite = np.isfinite(residual)
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [2, 1]})
    if X.shape[1] == 1:
        axes[0].scatter(X[finite, 0], residual[finite], s=8, color=PRED_COLOR, alpha=0.7)
        axes[0].set_xlabel(names[0])
    else:
        axes[0].scatter(y_true[finite], residual[finite], s=8, color=PRED_COLOR, alpha=0.7)
        axes[0].set_xlabel("target")
    axes[0].axhline(0.0, color="black", lw=0.8)
    axes[0].set_ylabel("prediction - target")
    axes[0].grid(alpha=0.3)
    axes[0].ticklabel_format(axis="y", style="sci", scilimits=(-3, 3))
    if finite.any():
        axes[1].hist(residual[finite], bins=min(40, max(5, int(finite.sum() ** 0.5))), color=PRED_COLOR, alpha=0.8)
    axes[1].set_xlabel("residual")
    axes[1].set_ylabel("count")
    axes[1].ticklabel_format(axis="x", style="sci", scilimits=(-3, 3))
    rmse = float(np.sqrt(np.mean(residual[finite] ** 2))) if finite.any() else float("nan")
    fig.suptitle(title or f"residuals (RMSE {rmse:.3g}, max |r| {np.max(np.abs(residual[finite])) if finite.any() else float('nan'):.3g})")
    return _save(fig, path)


def as_mapping(history: Any) -> Mapping[str, Any]:
    """A history as a dict: dicts pass through; dataclasses / objects (doctor's History) by their fields."""
    if history is None:
        return {}
    if isinstance(history, Mapping):
        return history
    import dataclasses

    if dataclasses.is_dataclass(history):
        return {f.name: getattr(history, f.name) for f in dataclasses.fields(history)}
    return dict(vars(history))


def _positive(series: Sequence[float]) -> np.ndarray:
    a = np.asarray(list(series), dtype=float)
    return np.where(np.isfinite(a) & (a > 0), a, np.nan)


def plot_losses(history: Mapping[str, Sequence[Any]], path: str | os.PathLike | None = None,
                title: str | None = None) -> Path | bytes:
    """Training and validation loss per step (log scale). Keys used: train_loss (or loss), val_loss,
    phase (one label per step, e.g. adam/lbfgs/lm: boundaries are marked)."""
    plt = _pyplot()
    history = as_mapping(history)
    fig, ax = plt.subplots(figsize=(7, 4))
    train = history.get("train_loss", history.get("loss", []))
    val = history.get("val_loss", [])
    plotted = False
    for series, label, color in ((train, "train", PRED_COLOR), (val, "validation", TARGET_COLOR)):
        values = _positive(series)
        if values.size and np.isfinite(values).any():
            ax.plot(np.arange(1, len(values) + 1), values, color=color, lw=1.4, label=label)
            plotted = True
    phases = [str(p) for p in history.get("phase", [])]
    last_label = -np.inf
    for i in range(len(phases)):
        if i == 0 or phases[i] != phases[i - 1]:
            if i:
                ax.axvline(i + 0.5, color="gray", ls=":", lw=1)
            if i - last_label >= 0.08 * len(phases):  # labels only where they do not overlap
                ax.text(i + 0.5, 1.0, f" {phases[i]}", transform=ax.get_xaxis_transform(), va="top",
                        fontsize=8, color="gray")
                last_label = i
    if plotted:
        ax.set_yscale("log")
        ax.legend(loc="best")
    else:
        ax.text(0.5, 0.5, "no loss history recorded", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("step")
    ax.set_ylabel("loss (MSE)")
    ax.grid(alpha=0.3, which="both")
    if title:
        ax.set_title(title)
    return _save(fig, path)


def plot_gradient_norms(grad_norms: Mapping[str, Sequence[float]], path: str | os.PathLike | None = None,
                        title: str | None = None) -> Path | bytes:
    """Per-layer gradient norm per step (log scale): vanishing and exploding gradients show at a glance."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    plotted = False
    colors = plt.get_cmap("tab10")
    items = list(grad_norms.items())
    for k, (layer, series) in enumerate(items):
        values = _positive(series)
        if values.size and np.isfinite(values).any():
            ax.plot(np.arange(1, len(values) + 1), values, lw=1.3, label=str(layer),
                    color=colors(k % 10))
            plotted = True
    if plotted:
        ax.set_yscale("log")
        ax.legend(loc="best", fontsize=8)
    else:
        ax.text(0.5, 0.5, "no gradient norms recorded", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("epoch / step")
    ax.set_ylabel("gradient norm")
    ax.grid(alpha=0.3, which="both")
    ax.set_title(title or "gradient norm per layer")
    return _save(fig, path)
