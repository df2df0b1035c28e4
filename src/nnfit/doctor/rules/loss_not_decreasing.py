"""loss-not-decreasing (NF122)

What it finds: a training loss that ends at 90 % or more of where it started (over all recorded
batches/epochs) while the fit is poor.
Why it matters: nothing is being learned; the network predicts roughly a constant. The cause is one
of the other findings (learning rate, scaling, dead or saturated units, wrong loss); this one says the
symptom plainly and is ranked below any cause that was found.
Not raised on a classifier whose training accuracy already covers ABOVE_CHANCE of the way from the
majority share to 1 (too_few_updates.ABOVE_CHANCE, read from the tuning half): it has learned to tell
the classes apart, and a cross-entropy still near its start says its scores are small, not that nothing
is learned (too-few-updates names that case).
Example: SGD(learning_rate=1e-7) on any problem; ReLU output with every unit dead.
Fix: look at the other findings; check that the loss can fall on one small batch first.
"""
from __future__ import annotations

import math
from collections.abc import Iterator

from nnfit.doctor.findings import Finding
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import ABOVE_CHANCE, accuracy_gain_share, fmt, healthy, location, loss_series
from nnfit.doctor.run import TrainingRun

FLAT = 0.9


@rule("NF122")
def loss_not_decreasing(run: TrainingRun) -> Iterator[Finding]:
    if healthy(run) is not False:
        return
    gain = accuracy_gain_share(run)
    if gain is not None and gain >= ABOVE_CHANCE:
        return      # the classes are being told apart: something is learned
    series = loss_series(run)
    if len(series) < 3:
        return
    k = max(1, len(series) // 10)
    head = [v for v in series[:k] if math.isfinite(v)]
    tail = series[-k:]
    if not head:
        return
    start = sum(head) / len(head)
    end = sum(tail) / len(tail) if all(math.isfinite(v) for v in tail) else math.inf
    if start <= 0 or end < FLAT * start:
        return
    yield Finding(
        code="NF122",
        message=f"loss-not-decreasing: loss went from {fmt(start)} to {fmt(end)}",
        fix="fix the causes listed above; a healthy setup lowers the loss within the first epochs",
        evidence={"start_loss": start, "end_loss": end},
        location=location(run, line=run.config.fit_line),
        explanation="nothing is being learned",
        basis="measured", margin=end / (FLAT * start) if math.isfinite(end) else 10.0,
    )
