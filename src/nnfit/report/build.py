"""One call that writes the PNGs and the HTML report into a folder (what `--report out/` does).

    write_report("out/", "nnfit fit 10*sin(3*x)", X=X, y_true=y, y_pred=pred, history=hist, metrics=m, seed=0)
    write_model_report(model, "out/", X=X_test, y=y_test)   # a fitted NNFitRegressor

Files: out/fit.png, out/residuals.png, out/losses.png, out/gradients.png (those that have data),
out/report.html (images embedded, so the HTML alone is the whole report). Every file is written
atomically. Returns the path of report.html.
"""
from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nnfit.errors import NNFitError
from nnfit.io import check_writable
from nnfit.report import html as H
from nnfit.report import plots


def write_report(out_dir: str | os.PathLike, title: str, *, X: Any = None, y_true: Any = None, y_pred: Any = None,
                 names: Sequence[str] | None = None, target_name: str = "y",
                 history: Mapping[str, Sequence[Any]] | Any = None, metrics: Mapping[str, Any] | None = None,
                 summary: Mapping[str, Any] | None = None, grad_norms: Mapping[str, Sequence[float]] | None = None,
                 findings: Sequence[Any] | None = None, before: Mapping[str, Any] | None = None,
                 after: Mapping[str, Any] | None = None, explanation: Any = None, seed: int | None = None,
                 notes: str = "", environment_extra: Mapping[str, Any] | None = None, subtitle: str = "",
                 filename: str = "report.html") -> Path:
    """Write PNGs and a self-contained HTML report into out_dir; sections appear only when given data."""
    start = time.perf_counter()
    out = Path(out_dir)
    check_writable(out)
    sections: list[H.Section] = []
    if notes:
        sections.append(H.text_section("Summary", notes))
    if metrics:
        sections.append(H.metrics_section(metrics, "Metrics (held-out points)"))
    if summary:
        sections.append(H.metrics_section({k: v for k, v in summary.items()}, "Model"))
    if X is not None and y_true is not None and y_pred is not None:
        X_arr = np.asarray(X, dtype=float)
        X_arr = X_arr.reshape(len(X_arr), -1)
        fit_png = plots.plot_fit(X_arr, y_true, y_pred, names, out / "fit.png", target_name=target_name)
        res_png = plots.plot_residuals(X_arr, y_true, y_pred, names, out / "residuals.png")
        caption = ("target (red) and prediction (blue)" if X_arr.shape[1] == 1
                   else "prediction and |error| maps" if X_arr.shape[1] == 2 else "predicted against true")
        sections.append(H.image_section("Target vs prediction", [(fit_png, caption)]))
        sections.append(H.image_section("Residuals", [(res_png, "prediction - target")]))
    history = plots.as_mapping(history)
    if not grad_norms and isinstance(history.get("grad_norm"), Mapping):
        grad_norms = history["grad_norm"]   # doctor's History carries per-layer gradient norms
    if history and any(len(history.get(k, []) or []) for k in ("train_loss", "loss", "val_loss")):
        loss_png = plots.plot_losses(history, out / "losses.png")
        sections.append(H.image_section("Training", [(loss_png, "train and validation loss")]))
    if grad_norms:
        grad_png = plots.plot_gradient_norms(grad_norms, out / "gradients.png")
        sections.append(H.image_section("Gradient norms", [(grad_png, "per layer")]))
    if findings is not None:
        sections.append(H.findings_section(findings))
    if before is not None and after is not None:
        sections.append(H.before_after_section(before, after))
    if explanation is not None:
        sections.append(H.formula_section(explanation))
    extra = dict(environment_extra or {})
    extra["report seconds"] = f"{time.perf_counter() - start:.2f}"
    sections.append(H.environment_section(seed, extra))
    return H.write_html_report(out / filename, title, sections, subtitle)


def write_model_report(model: Any, out_dir: str | os.PathLike, X: Any = None, y: Any = None, *,
                       title: str | None = None, formula: bool | Any = True, findings: Sequence[Any] | None = None,
                       before: Mapping[str, Any] | None = None, after: Mapping[str, Any] | None = None,
                       formula_time_limit: float = 2.0) -> Path:
    """Report for a fitted NNFitRegressor: its predictions on X (held-out points; default for a
    fit_function model: 1000 fresh points of its domain, checked against its target formula),
    history_, metrics_, summary_ and the recovered formula (formula=True: exact expansion, or a sparse search of at most
    `formula_time_limit` seconds; an Explanation object is used as given; False skips it)."""
    names = list(getattr(model, "input_names_", None) or [])
    target_names = list(getattr(model, "target_names_", None) or ["y"])
    summary = dict(getattr(model, "summary_", {}) or {})
    pred = None
    if X is None:  # a fit_function model knows its domain and target: draw fresh held-out points
        from nnfit.explain.api import _model_reference, _sample_model_inputs

        X = _sample_model_inputs(model, 1000, np.random.default_rng([int(summary.get("seed", 0) or 0), 99]))
        model.__dict__.pop("_explain_note", None)
        if X is not None and not getattr(model, "domain_", None):
            X = None  # no recorded domain: do not plot made-up points
        if X is not None and y is None:
            y = _model_reference(model, X)
            if y is None:
                X = None
    if X is not None:
        X = np.asarray(X, dtype=float).reshape(len(X), -1)
        pred = np.asarray(model.predict(X), dtype=float).reshape(len(X), -1)[:, 0]
    explanation = None
    if formula is True:
        try:
            from nnfit.explain import explain

            explanation = explain(model, X=X, y=y, time_limit=formula_time_limit, max_level=2)
        except NNFitError:
            explanation = None
    elif formula is not False and formula is not None:
        explanation = formula
    return write_report(
        out_dir, title or f"nnfit report: {getattr(model, 'target_description_', None) or summary.get('target') or target_names[0]}",
        X=X, y_true=y if (X is not None and y is not None) else None, y_pred=pred, names=names or None,
        target_name=target_names[0], history=getattr(model, "history_", None), metrics=getattr(model, "metrics_", None),
        summary={k: v for k, v in summary.items() if not isinstance(v, (list, dict))} or None,
        findings=findings, before=before, after=after, explanation=explanation, seed=summary.get("seed", getattr(model, "random_state", None)),
    )
