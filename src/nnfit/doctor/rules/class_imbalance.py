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
Without class counts, a script that weights the classes by hand in its loss (`loss[y == 1] *= 100`, a
per-class weight list indexed by the labels) says itself that they are imbalanced: a warning when the
weights differ by HAND_RATIO or more (a class share of IMBALANCED, weighted inversely, gives
IMBALANCED / (1 - IMBALANCED) = 4), with the fix to use the loss's own class weighting.
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import classification, location
from nnfit.doctor.run import TrainingRun

IMBALANCED = 0.8
CONSTANT = 0.95
HAND_RATIO = IMBALANCED / (1 - IMBALANCED)
# Multi-label (one 0/1 flag per label and row, several labels): the flags are the "rows" to count. The
# imbalance is IMBALANCED or more of all flags negative, and the network that ignores the rare value is
# one that predicts fewer than MISSED times the true share of positive flags (Fit.predicted_positive_share
# against the targets' own share). MISSED = 1 - CONSTANT: the single-label bar says 95 % of rows go to
# one class, i.e. at most 5 % of the prediction is left to the others; with 1 % positive flags, 95 % of
# flags negative is no sign of anything, so the bar is read relative to the positives there are.
# Read from the tuning half's one multi-label imbalance (discuss-pytorch-72150: 1 % event steps per
# sequence, predicted positive share 0 before the fix; its fixed program, pos_weight 100, predicts
# events), not fitted to it: the same 5 % as the single-label bar.
MISSED = 1 - CONSTANT


@rule("NF131")
def class_imbalance(run: TrainingRun) -> Iterator[Finding]:
    counts = run.data.class_counts
    if not counts and run.is_static and run.static is not None and run.static.hand_class_weights \
            and run.task != "regression":
        yield from _weighted_by_hand(run)
        return
    if counts and len(run.data.targets) > 1 and run.task == "multilabel":
        yield from _rare_flags(run)
        return
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


def _rare_flags(run: TrainingRun) -> Iterator[Finding]:
    """Multi-label targets whose positive flags are rare and which the network (nearly) never predicts."""
    n, k = run.data.n_samples, len(run.data.targets)
    predicted = run.fit.predicted_positive_share
    if not n or not k or predicted is None:
        return
    positive = sum(run.data.class_counts.values()) / (n * k)
    if positive <= 0 or 1 - positive < IMBALANCED or predicted > MISSED * positive:
        return
    yield Finding(
        code="NF131",
        message=f"class-imbalance: {1 - positive:.1%} of the {n * k} label flags are 0 and the network predicts "
                f"{predicted:.2%} of them as 1 (the targets have {positive:.2%}): it answers 'no' for (nearly) every label",
        fix="weight the rare positive flags: BCEWithLogitsLoss(pos_weight=torch.tensor(n_negative / n_positive)) on raw "
            "logits (Keras: a weighted binary cross-entropy), and report recall or balanced accuracy per label",
        evidence={"positive_flag_share": round(positive, 5), "predicted_positive_share": round(predicted, 5),
                  "labels": k},
        location=location(run, line=run.config.fit_line),
        explanation="predicting 0 for every flag minimises an unweighted loss when positives are rare",
        basis="measured", margin=((1 - positive) / IMBALANCED) * (MISSED * positive / max(predicted, MISSED * positive / 10)),
        severity=Severity.ERROR,
    )


def _weighted_by_hand(run: TrainingRun) -> Iterator[Finding]:
    weights = run.static.hand_class_weights
    ratio = max(weights.values()) / min(weights.values())
    if ratio < HAND_RATIO:
        return
    shown = ", ".join(f"{k}: {v:g}" for k, v in sorted(weights.items()))
    yield Finding(
        code="NF131",
        message=f"class-imbalance: the loss weights the classes by hand ({{{shown}}}, a ratio of {ratio:.3g}): "
                "the classes are imbalanced",
        fix="let the loss weight the classes: BCEWithLogitsLoss(pos_weight=torch.tensor(n_negative / n_positive)) on "
            "raw logits, CrossEntropyLoss(weight=...) or fit(..., class_weight={label: n / (n_classes * count)}); "
            "check the weights grow as the class gets rarer, and report balanced accuracy",
        evidence={"hand_class_weights": dict(weights), "ratio": round(ratio, 3)},
        location=location(run, line=run.static.hand_class_weights_line),
        explanation="predicting the majority class for every row minimises an unweighted loss; weights written "
                    "into a per-element loss by hand are easy to get backwards",
        basis="code", margin=ratio / HAND_RATIO, severity=Severity.WARNING,
    )

