"""batch-size-too-small (NF124)

What it finds: batch size 1 (or 2) combined with a large learning rate (adaptive optimisers >= 0.01,
SGD >= 0.1).
Why it matters: every update follows a single sample's gradient; with a large step each update
undoes part of the previous one, so the loss jitters at a high level instead of settling, and an
epoch takes as many slow Python-level steps as there are samples.
For plain SGD on a regression the rate is judged at the data's scale (token indices read by an
embedding are not magnitudes), as learning-rate-too-high does (its gradient,
and so its step, grows with |x| and |y|): lr x max(1, |x|) x max(1, |y|) >= 0.1 (the tuning half's
se-datascience-19365: SGD 0.01 on inputs up to 99, batch 1).
Example: model.fit(X, y, batch_size=1) with Adam(0.1).
Fix: use batch_size=32 (the Keras default), or lower the learning rate together with the batch size.
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import failing, fmt, index_inputs, location, scale
from nnfit.doctor.run import TrainingRun
from nnfit.doctor.vocab import ADAPTIVE, norm


@rule("NF124")
def batch_size_too_small(run: TrainingRun) -> Iterator[Finding]:
    batch = run.config.batch_size
    opt = run.config.optimizer
    if batch is None or batch > 2 or opt is None or opt.learning_rate is None or not failing(run):
        return
    lr = opt.learning_rate
    adaptive = norm(opt.name) in ADAPTIVE
    effective = lr
    if not adaptive and run.data.inputs and run.data.targets and run.task == "regression" and not index_inputs(run):
        effective = lr * max(1.0, scale(run.data.inputs)) * max(1.0, scale(run.data.targets))
    if effective < (0.01 if adaptive else 0.1):
        return
    yield Finding(
        code="NF124",
        message=f"batch-size-too-small: batch size {batch} with {opt.name} learning rate {fmt(lr)}"
                + (f" (x the data's scale: {fmt(effective)})" if effective != lr else ""),
        fix="use batch_size=32, or lower the learning rate",
        evidence={"batch_size": batch, "learning_rate": lr, "optimizer": opt.name,
                  "updates_per_epoch": run.data.n_samples},
        location=location(run, line=run.config.fit_line),
        explanation="single-sample steps with a large rate make the loss jitter at a high level",
        basis="setting",
    )
