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
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import healthy, location
from nnfit.doctor.run import TrainingRun, broadcasts


def _shape(shape: tuple) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


@rule("NF125")
def target_shape_broadcast(run: TrainingRun) -> Iterator[Finding]:
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
