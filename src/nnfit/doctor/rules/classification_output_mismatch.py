"""classification-output-mismatch (NF130)

What it finds: an output layer that cannot express the classification task:
- a softmax over a single unit (it always outputs 1.0, whatever the input);
- fewer output units than classes for a multi-class task (k classes need k units with softmax);
- a multi-label task (several 0/1 labels per row) with a softmax output (the labels then compete
  for one unit of probability) or a single unit;
- a ReLU on the scores given to a loss that takes raw logits (torch CrossEntropyLoss /
  BCEWithLogitsLoss, from_logits=True): scores cannot go below 0, a clipped score has no gradient,
  and the classes cut to 0 tie (no threshold: clipped logits are wrong by construction); the same
  ReLU before an explicit log_softmax with NLL loss (the softmax written out) is the same fault;
- independent sigmoids over k > 2 units for k mutually exclusive classes (a multi-class task: one-hot
  rows or class indices) under a probability loss: the k outputs do not sum to 1 and each is pushed on
  its own, so the scores of the classes are not compared (no threshold: wrong by construction);
- a ReLU / linear single output for 0/1 labels under a probability loss is NF126, not this rule.
Why it matters: the predictions cannot take the values the labels need; accuracy stays at the
majority share however long the network trains.
Example: Dense(1, activation="softmax") with binary_crossentropy for 0/1 labels.
Fix: binary: Dense(1, activation="sigmoid"); k classes: Dense(k, activation="softmax");
multi-label with k labels: Dense(k, activation="sigmoid") with binary_crossentropy.
Threshold: none of its own (each case is wrong by construction); severity follows the shared fit
gate (training accuracy 0.99, rules/_common.py HEALTHY_ACCURACY).
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import activation, classification, healthy, location, output_layer
from nnfit.doctor.run import TrainingRun
from nnfit.doctor.vocab import LOSS_WANTS_LOG_PROBABILITIES, LOSS_WANTS_LOGITS, LOSS_WANTS_PROBABILITIES, canonical_loss

# activations whose outputs cannot go below zero: as the last step before a logits loss they clip the scores
CLIPPED_AT_ZERO = {"relu", "relu6"}


def _n_classes(run: TrainingRun) -> int | None:
    counts = run.data.class_counts
    if counts:
        return len(counts) if len(run.data.targets) == 1 else len(run.data.targets)
    if len(run.data.targets) > 1:
        return len(run.data.targets)
    return None


def _scores_clipped_before_softmax(run: TrainingRun, act: str) -> bool:
    """The clipped output reaches a softmax: a logits loss applies it itself, and log_softmax + NLL is
    the same computation written out (relu -> log_softmax -> nll_loss, the pattern of pytorch/examples#117)."""
    loss, fed = canonical_loss(run.config.loss), run.config.loss_input_activation
    if loss in LOSS_WANTS_LOGITS:
        return (fed or act) in CLIPPED_AT_ZERO
    return loss in LOSS_WANTS_LOG_PROBABILITIES and fed == "log_softmax"


@rule("NF130")
def classification_output_mismatch(run: TrainingRun) -> Iterator[Finding]:
    out = output_layer(run)
    if out is None or not classification(run):
        return
    act, units, k = activation(out), out.units or 1, _n_classes(run)
    what = fix = None
    if act == "softmax" and units == 1:
        what = "a softmax over 1 unit always outputs 1.0"
        fix = "use Dense(1, activation='sigmoid') for two classes"
    elif units == 1 and act in (None, "linear") and canonical_loss(run.config.loss) == "cross_entropy_logits":
        # CrossEntropyLoss applies the softmax itself: over one score it is 1.0 and the loss 0 for every row
        what = f"{run.config.loss} takes a softmax over the output units, and over 1 unit it always outputs 1.0"
        fix = "two classes: nn.Linear(..., 2) with CrossEntropyLoss, or one unit with BCEWithLogitsLoss and float 0/1 targets"
    elif run.task == "multiclass" and k and k > 2 and units < k:
        what = f"{units} output unit(s) for {k} classes"
        fix = f"use Dense({k}, activation='softmax') as the output layer"
    elif run.task == "multilabel" and act == "softmax" and units > 1:
        what = f"softmax over {units} independent labels (they compete for one unit of probability)"
        fix = f"use Dense({units}, activation='sigmoid') with loss='binary_crossentropy'"
    elif run.task == "multiclass" and act in ("sigmoid", "hard_sigmoid") and units > 2 and k and units == k \
            and canonical_loss(run.config.loss) in LOSS_WANTS_PROBABILITIES:
        what = (f"independent {act} outputs over {units} units for {k} mutually exclusive classes: they do not sum "
                "to 1, so the classes' scores are not compared with each other")
        fix = f"use Dense({k}, activation='softmax') as the output layer"
    elif act in CLIPPED_AT_ZERO and _scores_clipped_before_softmax(run, act):
        what = (f"{act} on the scores fed to {run.config.loss} (a loss that takes raw logits): every negative "
                "score is cut to 0, its gradient is 0, and the classes whose scores are cut tie")
        fix = f"remove the final {act}: end with the Linear layer and let the loss apply softmax / sigmoid"
    if what is None:
        return
    state = healthy(run)
    if state is True:
        return
    yield Finding(
        code="NF130",
        message=f"classification-output-mismatch: output '{out.name}': {what}",
        fix=fix,
        evidence={"output_activation": act, "output_units": units, "classes": k, "task": run.task,
                  "train_accuracy": run.fit.train_accuracy},
        location=location(run, layer=out),
        explanation="the output layer cannot produce the values the labels need",
        basis="setting", margin=10.0,
        severity=Severity.ERROR if state is False else Severity.WARNING,
    )
