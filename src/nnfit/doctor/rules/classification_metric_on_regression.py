"""classification-metric-on-regression (NF108)

What it finds: an accuracy metric ("accuracy", "acc", ...) on a regression problem.
Why it matters: accuracy counts exact matches of predicted class labels; on real-valued targets it is
~0 however good the fit (or meaningless), so it hides progress and misleads anyone reading the log.
Example: model.compile(loss="mean_squared_error", optimizer="adam", metrics=["accuracy"])
Fix: use regression metrics: metrics=["mae"] (mean absolute error) or RootMeanSquaredError().
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import is_regression, location
from nnfit.doctor.run import TrainingRun
from nnfit.doctor.vocab import ACCURACY_METRICS, norm


@rule("NF108")
def classification_metric_on_regression(run: TrainingRun) -> Iterator[Finding]:
    if is_regression(run) is not True:
        return
    bad = [m for m in run.config.metrics if norm(m) in ACCURACY_METRICS]
    if not bad:
        return
    values = run.history.metrics.get(bad[0])
    evidence = {"metrics": bad}
    if values:
        evidence["final_value"] = values[-1]
    yield Finding(
        code="NF108",
        message=f"classification-metric-on-regression: metrics={bad} on real-valued targets"
                + (f" (final {bad[0]} {values[-1]:.3g})" if values else ""),
        fix='use metrics=["mae"] (or keras.metrics.RootMeanSquaredError()) for regression',
        evidence=evidence,
        location=location(run, line=run.config.compile_line),
        explanation="accuracy compares class labels; on a regression it says nothing about the fit",
        basis="setting",
    )
