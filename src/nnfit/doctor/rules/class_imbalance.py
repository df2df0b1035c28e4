"""class-imbalance (NF131)

What it finds: a classification where one class holds most rows and the trained network predicts
that class for (nearly) every row: its accuracy is the majority share, learned without any feature.
Why it matters: accuracy looks good (95 % on a 95/5 split) while the minority class, usually the one
that matters, is never predicted; the loss is minimised by the constant answer.
Example: 4000 rows, 5 % positive, Dense(1, activation="sigmoid"), binary_crossentropy, accuracy 0.95.
Fix: weight the classes: model.fit(..., class_weight={0: 1.0, 1: n0 / n1}) (torch:
BCEWithLogitsLoss(pos_weight=torch.tensor(n0 / n1)) or CrossEntropyLoss(weight=...)), or resample
the minority class; judge the model by balanced accuracy / recall per class, not accuracy.
Thresholds: IMBALANCED = 0.8 (majority class share of the rows) and CONSTANT = 0.95 (share of rows
predicted as one class). Read from the null distribution, not yet from the tuning half: balanced
classifiers predict each class about as often as it occurs (majority share of predictions ~ the
class share); a network that learned nothing predicts one class for all rows (1.0).
Without predictions (lint) the finding is a warning from the class counts alone when a data file gives them.
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import classification, location
from nnfit.doctor.run import TrainingRun

IMBALANCED = 0.8
CONSTANT = 0.95


@rule("NF131")
def class_imbalance(run: TrainingRun) -> Iterator[Finding]:
    counts = run.data.class_counts
    if not counts or len(counts) < 2 or not classification(run) or len(run.data.targets) != 1:
        return
    total = sum(counts.values())
    top_label, top = max(counts.items(), key=lambda kv: kv[1])
    share = top / total if total else 0.0
    if share < IMBALANCED:
        return
    constant = run.fit.majority_fraction
    measured = constant is not None
    if measured and constant < CONSTANT:
        return      # the network does predict the other class(es): the imbalance is handled
    ratio = {k: round(v / total, 3) for k, v in counts.items()}
    yield Finding(
        code="NF131",
        message=f"class-imbalance: class {top_label} holds {share:.0%} of the rows"
                + (f" and the network predicts one class for {constant:.0%} of them" if measured else ""),
        fix=f"weight the classes: fit(..., class_weight={{label: {total} / (n_classes * count)}}) "
            "(torch: pos_weight / weight= in the loss), and report balanced accuracy",
        evidence={"class_shares": ratio, "predicted_majority_share": constant},
        location=location(run, line=run.config.fit_line),
        explanation="predicting the majority class for every row minimises the loss without learning any feature",
        basis="measured" if measured else "data", margin=(share / IMBALANCED) * ((constant / CONSTANT) if measured else 1.0),
        severity=Severity.ERROR if measured else Severity.WARNING,
    )
