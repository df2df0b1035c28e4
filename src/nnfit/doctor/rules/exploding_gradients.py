"""exploding-gradients (NF112)

What it finds: gradient norms that become NaN/inf, or grow by more than 1000x during training while
the loss does not fall.
Why it matters: one huge gradient step throws the weights far from any useful region; afterwards the
loss is NaN or stuck at a very large value. Unscaled data and too high learning rates are the usual
causes; deep stacks without normalisation can also amplify gradients.
Example: inputs in the hundreds with SGD(learning_rate=0.1): the loss is NaN after a few batches.
Fix: scale inputs and targets, lower the learning rate, or clip gradients
(keras: optimizer=SGD(clipnorm=1.0); torch: torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)).
"""
from __future__ import annotations

import math
from collections.abc import Iterator

from nnfit.doctor.findings import Finding
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import failing, location, loss_series
from nnfit.doctor.run import TrainingRun

GROWTH = 1e3


@rule("NF112")
def exploding_gradients(run: TrainingRun) -> Iterator[Finding]:
    if not failing(run):
        return
    for name, series in run.history.grad_norm.items():
        if not series:
            continue
        bad = next((i for i, v in enumerate(series) if not math.isfinite(v)), None)
        finite = [v for v in series if math.isfinite(v)]
        start = finite[0] if finite else None
        peak = max(finite) if finite else None
        growth = peak / start if start and peak and start > 0 else None
        losses = [v for v in loss_series(run)]
        got_worse = bool(losses) and (not all(math.isfinite(v) for v in losses) or losses[-1] >= losses[0])
        if bad is None and (growth is None or growth < GROWTH or not got_worse):
            continue
        layer = next((l for l in run.layers if l.name == name), None)
        if bad is not None:
            what = f"gradient of layer '{name}' became non-finite at record {bad + 1}"
        else:
            what = f"gradient norm of layer '{name}' grew {growth:.0e}x (from {start:.2g} to {peak:.2g})"
        yield Finding(
            code="NF112",
            message=f"exploding-gradients: {what}",
            fix="scale inputs and targets, lower the learning rate, or clip gradients (clipnorm=1.0)",
            evidence={"layer": name, "first_grad_norm": start, "max_grad_norm": peak, "nonfinite_at": bad},
            location=location(run, layer=layer, layer_name=name),
            explanation="huge gradient steps throw the weights out of any useful region",
            basis="measured", margin=(growth / GROWTH) if bad is None and growth else 10.0,
        )
        return  # one finding: the first layer that exploded
