"""The HTML summary of a batch: precision against time per setting, and the results table.

One self-contained file (the plot is a PNG embedded as base64), readable offline.
"""
from __future__ import annotations

import base64
import html
import io
import math
import os
from pathlib import Path
from typing import Any

from nnfit.batch.jobs import settings_label
from nnfit.io import atomic_write

PRECISION = "nrmse"  # RMSE / std(y) on held-out points: comparable across targets


def setting_labels(frame) -> list[str]:
    """One label per row from the setting columns that vary between rows (seed left out, so the seeds
    of a setting group together), e.g. "hidden=16 optimizer=lm"; "default" when none varies."""
    from nnfit.batch.api import RESULT_COLUMNS_FIRST, RESULT_COLUMNS_LAST

    keys = [c for c in frame.columns if c not in RESULT_COLUMNS_FIRST and c not in RESULT_COLUMNS_LAST]
    keys = [k for k in keys if frame[k].astype(str).nunique() > 1]
    return [settings_label({k: row[k] for k in keys if _present(row[k])}) for row in frame.to_dict("records")]


def plot_png(frame) -> bytes | None:
    """Scatter: held-out NRMSE (log) against seconds, one colour per setting. None if nothing fitted."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = frame[(frame["status"] == "ok")].copy()
    if ok.empty:
        return None
    ok["label"] = [label for label, status in zip(setting_labels(frame), frame["status"]) if status == "ok"]
    fig, ax = plt.subplots(figsize=(7.5, 4.5), dpi=100)
    markers = "osD^v<>ph*"
    for i, (label, group) in enumerate(ok.groupby("label", sort=True)):
        y = group[PRECISION].clip(lower=1e-17)
        ax.scatter(group["seconds"], y, label=f"{label} ({len(group)})", marker=markers[i % len(markers)], alpha=0.8)
    ax.set_yscale("log")
    ax.set_xlabel("seconds per fit (wall, in the worker)")
    ax.set_ylabel("held-out NRMSE (RMSE / std y), lower is better")
    ax.set_title("precision against time, per setting")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def per_setting(frame):
    """Median precision and time, success count, per setting label."""
    import pandas as pd

    table = frame.assign(setting=setting_labels(frame))
    rows = []
    for label, group in table.groupby("setting", sort=True):
        ok = group[group["status"] == "ok"]
        rows.append(
            {
                "setting": label,
                "jobs": len(group),
                "ok": len(ok),
                "median nrmse": ok[PRECISION].median() if len(ok) else math.nan,
                "median seconds": ok["seconds"].median() if len(ok) else math.nan,
            }
        )
    return pd.DataFrame(rows)


def write_html(frame, path: str | os.PathLike, title: str = "nnfit batch") -> Path:
    path = Path(path)
    png = plot_png(frame)
    image = (
        f'<img alt="precision against time" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
        if png
        else "<p>No job finished successfully: nothing to plot.</p>"
    )
    shown = frame.drop(columns=[c for c in ("worker", "run_id", "kind") if c in frame.columns])
    status_line = status_counts(frame)
    meta = {k: v for k, v in frame.attrs.items() if k in ("engine", "out", "ran", "skipped", "run_id")}
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; font-size: 0.85em; }}
th, td {{ border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: right; }}
th {{ background: #f3f3f3; }}
td:first-child, th:first-child {{ text-align: left; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{len(frame)} jobs: {html.escape(status_line)}. {html.escape(_meta_line(meta))}</p>
{image}
<h2>Per setting</h2>
{per_setting(frame).to_html(index=False, float_format=lambda v: f"{v:.3g}", na_rep="")}
<h2>All jobs</h2>
{shown.to_html(index=False, float_format=lambda v: f"{v:.3g}", na_rep="")}
</body></html>
"""
    return atomic_write(path, page)


def status_counts(frame) -> str:
    """'4 ok, 10 failed' (ok first, then failed, timeout, pending)."""
    counts = frame["status"].value_counts().to_dict()
    order = ["ok", "failed", "timeout", "pending"]
    return ", ".join(f"{counts[s]} {s}" for s in sorted(counts, key=lambda s: (order.index(s) if s in order else 9, s)))


def _meta_line(meta: dict[str, Any]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in meta.items())


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return True
