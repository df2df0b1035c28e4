"""wrong-loss (NF110)

What it finds: a classification loss (cross-entropy, hinge, KL divergence, Poisson, cosine) on a
regression problem with real-valued targets.
Why it matters: cross-entropy expects probabilities or class indices; on real targets it is minimised
by something other than the target value (or is undefined for values outside [0, 1]), so the network
learns the wrong function however long it trains.
Example: model.compile(loss="binary_crossentropy", ...) with y = 10 * sin(3 x)
Fix: use a regression loss: loss="mean_squared_error" (or "mean_absolute_error", "huber").
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import failing, location
from nnfit.doctor.run import TrainingRun
from nnfit.doctor.vocab import CLASSIFICATION_LOSSES, norm


@rule("NF110")
def wrong_loss(run: TrainingRun) -> Iterator[Finding]:
    loss = norm(run.config.loss)
    if loss not in CLASSIFICATION_LOSSES or run.data.is_regression is not True or not failing(run):
        return
    yield Finding(
        code="NF110",
        message=f"wrong-loss: loss '{run.config.loss}' is a classification loss but the targets are real-valued",
        fix='use loss="mean_squared_error" (torch: nn.MSELoss())',
        evidence={"loss": run.config.loss},
        location=location(run, line=run.config.compile_line),
        explanation="a classification loss is not minimised by predicting the target value",
        basis="setting", margin=10.0,
    )
