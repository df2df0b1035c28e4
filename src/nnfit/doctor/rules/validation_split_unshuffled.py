"""validation-split-unshuffled (NF127)

What it finds: Keras `fit(validation_split=f)` on rows that are ordered (sorted by the target or by an
input). Keras takes the validation rows from the END of the arrays, before any shuffling, so the
network never trains on the last f of the range and is validated only there.
Why it matters: the validation loss measures extrapolation, not fit, and the training set misses a
whole region of the inputs: the held-out metric is poor however well the network trains, and
early stopping / model selection on it picks the wrong model.
Example: x = np.linspace(0, 10, 1000); model.fit(x, y, validation_split=0.2)
Fix: shuffle the rows once before fit (idx = np.random.permutation(len(x)); x, y = x[idx], y[idx]),
or pass validation_data= from a random split (sklearn.model_selection.train_test_split).
Threshold: ORDERED = 0.5 on |Spearman correlation| of row position with the target / an input.
For shuffled rows it is ~N(0, 1/sqrt(n)) (|rho| < 0.2 for n >= 100 at 4 sigma); sorted or generated-
in-order data give 0.9-1.0. Read from that null distribution, not yet from the tuning half (which
had no validation_split program when it was set).
Severity: an error when the held-out rows fit clearly worse than the training rows (R² or accuracy
lower by GAP = 0.1 or more), else a warning.
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import location
from nnfit.doctor.run import TrainingRun

ORDERED = 0.5
GAP = 0.1


@rule("NF127")
def validation_split_unshuffled(run: TrainingRun) -> Iterator[Finding]:
    split = run.config.validation_split
    rho = run.data.order_correlation
    if not split or rho is None or rho < ORDERED:
        return
    classification = run.task is not None and run.task != "regression"
    train = run.fit.train_accuracy if classification else run.fit.train_r2
    held = run.fit.heldout_accuracy if classification else run.fit.heldout_r2
    gap = (train - held) if train is not None and held is not None else None
    evidence = {"validation_split": split, "order_correlation": round(rho, 3), "train_metric": train,
                "heldout_metric": held}
    hurt = gap is not None and gap >= GAP
    yield Finding(
        code="NF127",
        message=f"validation-split-unshuffled: validation_split={split} takes the last {split:.0%} of rows that are "
                f"ordered (|rank correlation with row position| {rho:.2f})"
                + (f"; held-out {'accuracy' if classification else 'R²'} {held:.3f} vs {train:.3f} in training" if hurt else ""),
        fix="shuffle the rows before fit (idx = np.random.permutation(len(X)); X, y = X[idx], y[idx]) "
            "or pass validation_data= from a random split",
        evidence=evidence,
        location=location(run, line=run.config.fit_line),
        explanation="Keras splits off the last rows before shuffling: the network is validated only on a range it never trained on",
        basis="measured" if hurt else "data", margin=(1.0 + (gap or 0) / GAP) if hurt else rho / ORDERED,
        severity=Severity.ERROR if hurt else Severity.WARNING,
    )
