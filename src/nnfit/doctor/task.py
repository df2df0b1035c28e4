"""The task a training program solves: regression, binary, multiclass or multilabel classification.

Inferred from three facts, strongest first:
1. the loss: cross-entropy over classes (categorical / sparse / torch CrossEntropyLoss / NLLLoss) is
   multiclass over three or more classes and binary over two (0/1 targets, whether one output unit or
   two logits score them; one-hot rows of two columns); binary cross-entropy is binary on one 0/1 target column (whatever the output width: the script may
   reduce two logits to one) or one output unit, and multilabel with several target columns;
2. the targets: class labels (integers with few distinct values, one-hot or multi-hot 0/1 rows);
3. the output layer: softmax over k > 1 units is multiclass, a sigmoid unit on 0/1 targets binary.
Real-valued targets make a regression whatever the loss (a classification loss on them is NF110).
A regression loss (MSE, MAE, ...) on 0/1 or one-hot targets from a sigmoid/softmax output is still a
classification (the loss is the fault, NF126, not the task), and one-hot target rows are multiclass
whatever the output layer; on integer targets with many values, a linear output or without class
evidence it is a regression.
"""
from __future__ import annotations

from nnfit.doctor.run import TrainingRun
from nnfit.doctor.vocab import BINARY_LOSSES, MULTICLASS_LOSSES, canonical_loss, norm

# A single-column integer target with at most this many distinct values, fed to a classification
# output or with an accuracy metric, is a class label (MNIST has 10, the corpus's classifiers 2-10).
MAX_LABELS = 20


def _output(run: TrainingRun) -> tuple[str, int | None]:
    dense = [layer for layer in run.layers if layer.kind == "dense"]
    if not dense:
        return "", None
    return norm(dense[-1].activation or "linear"), dense[-1].units


def target_kind(run: TrainingRun) -> str | None:
    """'binary' (0/1 or two values), 'labels' (few integers), 'onehot', 'multihot', 'real' or None."""
    d = run.data
    if not d.targets:
        return None
    if len(d.targets) > 1:
        if all(c.is_integer and c.min >= 0 and c.max <= 1 for c in d.targets):
            counts = d.class_counts or {}
            n = d.n_samples or 0
            return "onehot" if counts and n and sum(counts.values()) == n else "multihot"
        return "real"
    c = d.targets[0]
    if not c.is_integer:
        return "real"
    if d.class_counts is not None:
        k = len(d.class_counts)
    elif not d.exact:      # read from a script: the literal range stands in for the values
        k = int(c.max - c.min) + 1
    else:
        return "real"
    if k <= 2:
        return "binary"
    return "labels" if k <= MAX_LABELS else "real"


def _class_indices(run: TrainingRun, units: int | None) -> bool:
    """One integer target column with values 0..k-1 and an output of exactly k units (k > MAX_LABELS,
    e.g. UCF101's 101 actions): each target picks one output unit, as a class index does."""
    d = run.data
    if len(d.targets) != 1 or not units or units <= 1:
        return False
    c = d.targets[0]
    return bool(c.is_integer) and c.min >= 0 and int(c.max) + 1 == units


def _two_classes(run: TrainingRun, targets: str | None) -> bool:
    """The targets hold two classes: one column of two values, or one-hot rows over two columns."""
    if targets == "binary":
        return True
    return targets == "onehot" and len(run.data.targets) == 2


def infer_task(run: TrainingRun) -> str | None:
    loss = canonical_loss(run.config.loss)
    act, units = _output(run)
    targets = target_kind(run)
    accuracy = any("acc" in norm(m) for m in run.config.metrics)
    if targets == "real" and loss in MULTICLASS_LOSSES and _class_indices(run, units):
        return "multiclass"     # integer targets 0..k-1 indexing k output units: class labels, however many
    if targets == "real":
        return "regression"     # real-valued targets: a classification loss on them is the fault (NF110)
    if loss in MULTICLASS_LOSSES:
        # two classes are a yes/no question however the network scores them: one unit (the loss is the
        # fault there, NF126), or two logits / two one-hot columns under a softmax cross-entropy
        return "binary" if _two_classes(run, targets) else "multiclass"
    if loss in BINARY_LOSSES:
        if targets == "binary":
            return "binary"     # one 0/1 target column: one yes/no per row, however many units feed it
        if (units or 1) > 1 or targets in ("onehot", "multihot"):
            return "multiclass" if act == "softmax" or targets == "onehot" else "multilabel"
        return "binary"
    if loss in ("kl_divergence",) and act == "softmax":
        return "multiclass"
    # a regression loss (or none known): the targets and the output decide. One-hot rows (0/1, exactly
    # one 1 per row) are a class encoding whatever the output layer: a squared error on them over a
    # linear output is a classifier trained with a regression loss, not a regression of k numbers
    if targets == "onehot":
        return "multiclass"
    if targets == "multihot" and (act == "sigmoid" or accuracy):
        return "multilabel"
    if targets == "binary" and (act in ("sigmoid", "softmax", "hard_sigmoid") or accuracy):
        return "binary"
    if targets == "labels" and (act == "softmax" or (units or 1) > 1 or accuracy):
        return "multiclass"
    if loss is not None or targets is not None:
        return "regression"
    if act == "softmax" and (units or 0) > 1:
        return "multiclass"
    return None


def is_classification(run: TrainingRun) -> bool | None:
    task = run.task
    return None if task is None else task != "regression"
