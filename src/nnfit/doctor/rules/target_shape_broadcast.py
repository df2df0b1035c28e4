"""target-shape-broadcast (NF125)

What it finds: a loss computed between predictions of shape (n, 1) and targets of shape (n,) (or the
reverse): the loss broadcasts them to an (n, n) matrix and compares every prediction with every
target. PyTorch's MSELoss / L1Loss only warn; nothing fails, the loss just cannot fall below the
spread of the targets.
Why it matters: the gradient pulls every prediction towards the mean of all targets, so the network
learns (nearly) a constant; training "runs" and the fit is useless.
Example: loss = nn.MSELoss()(model(X), y) with y = torch.tensor(values) of shape (n,)
Fix: give the targets the prediction's shape: y = y.reshape(-1, 1) (or y.unsqueeze(1)), or compare
model(X).squeeze(1) with y.
Without running (lint) it reads the shapes from the code: a (n, 1) model output against a 1-D target
in a loss module call or a hand-written `y - y_pred`.
Threshold: none; the shapes are measured on the loss call itself (any (n, 1) vs (n,) pair with n > 1
broadcasts), so the finding rests on what this run did, not on a distribution.
A regression whose output layer is wider than its targets (predictions (n, k), k > 1, against targets
of one column, (n, 1)) is the same fault the other way round: a squared-error or absolute loss
broadcasts the one target column to each of the k outputs and trains k copies of the same answer,
silently; whatever the script then reads as the prediction (the k columns flattened, a mean, one of
them) is not what the loss fitted, and the fit is scored against a target of another shape. Measured on
the loss call (torch) or on the network's output against the targets fitted (Keras): the output width k
against the one target column, by construction, no threshold (the margin is the broadcast's above).
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import healthy, location, output_layer
from nnfit.doctor.run import TrainingRun, broadcasts
from nnfit.doctor.vocab import canonical_loss


def _shape(shape: tuple) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def wider_output(run: TrainingRun) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """(prediction shape, target shape) of a regression loss comparing k > 1 output columns with one
    target column (n, 1), row for row; None otherwise. The shapes the loss was given (torch) or the
    network's output for the training rows against the targets' shape (Keras, the run's prediction_shape)."""
    if run.is_static:
        return None
    loss = canonical_loss(run.config.loss)
    regression_loss = loss in WIDTH_LOSSES
    if not regression_loss or run.task not in (None, "regression"):
        return None
    shapes = run.fit.loss_broadcast or (
        (run.fit.prediction_shape, run.data.target_shape) if run.fit.prediction_shape and run.data.target_shape else None)
    if not shapes:
        return None
    pred, target = tuple(shapes[0] or ()), tuple(shapes[1] or ())
    if len(pred) != 2 or len(target) != 2 or pred[0] != target[0] or pred[0] < 2:
        return None
    if target[1] == 1 and pred[1] > 1 and len(run.data.targets) <= 1:
        return pred, target
    return None


# the losses that compare each output with a target value (squared / absolute error and their
# variants), where broadcasting one target column over k outputs raises nothing
WIDTH_LOSSES = {"mse", "mae", "huber", "log_cosh", "msle", "mape", "smoothl1loss"}


@rule("NF125")
def target_shape_broadcast(run: TrainingRun) -> Iterator[Finding]:
    wide = wider_output(run)
    if wide:
        pred, target = wide
        state = healthy(run)
        out = output_layer(run)
        yield Finding(
            code="NF125",
            message=f"target-shape-broadcast: the network outputs {pred[1]} values per row (predictions of shape "
                    f"{_shape(pred)}) but the targets have one column ({_shape(target)}); the loss broadcasts the "
                    f"target to each of the {pred[1]} outputs",
            fix="give the output layer one unit per target column (1 here)"
                + (f": layer '{out.name}' has {out.units}" if out is not None and out.units else ""),
            evidence={"prediction_shape": list(pred), "target_shape": list(target), "output_width": pred[1]},
            location=location(run, layer=out) if out is not None else location(run, line=run.config.fit_line),
            explanation="k outputs against one target column: the loss fits k copies of the answer and whatever "
                        "is read back as the prediction is not what was fitted",
            basis="measured", margin=10.0,
            severity=Severity.WARNING if state is True else Severity.ERROR,
        )
        return
    shapes = run.fit.loss_broadcast
    if not shapes:
        return
    pred, target = shapes
    static = run.is_static and not (pred and pred[0])    # read from the code: the row count is unknown
    if not static and not broadcasts(tuple(pred), tuple(target)):
        return
    if static:
        pred, target = ("n", 1), ("n",)
    state = healthy(run)
    yield Finding(
        code="NF125",
        message=f"target-shape-broadcast: the loss compares predictions of shape {_shape(pred)} with targets "
                f"of shape {_shape(target)}; they broadcast to every prediction against every target",
        fix="reshape the targets to the predictions' shape: y = y.reshape(-1, 1) (or compare model(X).squeeze(1) with y)",
        evidence={"prediction_shape": list(pred), "target_shape": list(target)},
        location=location(run, line=run.config.fit_line),
        explanation="an (n, 1) - (n,) difference is an (n, n) matrix: the network is pulled to the mean target",
        basis="measured", margin=10.0,
        severity=Severity.WARNING if state is True else Severity.ERROR,
    )
