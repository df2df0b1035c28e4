"""saturated-units (NF114)

What it finds: sigmoid/tanh units whose outputs sit at their limits (sigmoid < 0.01 or > 0.99, tanh
beyond +-0.99) for most inputs: more than half of a layer's outputs on a probe batch.
Why it matters: the derivative of a saturated unit is ~0, so no gradient flows through it; the layer
acts as a fixed step function and the layers before it stop learning.
Example: Dense(1, activation="sigmoid") on inputs in the hundreds.
Fix: scale the inputs; lower the learning rate; use Glorot initialisation; or use ReLU/linear units.
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import failing, healthy, location
from nnfit.doctor.run import TrainingRun

SATURATED = 0.5


@rule("NF114")
def saturated_units(run: TrainingRun) -> Iterator[Finding]:
    if not failing(run):
        return
    for name, series in run.history.saturated_fraction.items():
        if not series or series[-1] <= SATURATED:
            continue
        layer = next((l for l in run.layers if l.name == name), None)
        yield Finding(
            code="NF114",
            message=f"saturated-units: {series[-1]:.0%} of layer '{name}' outputs sit at the activation's limits",
            fix="scale the inputs, lower the learning rate, or use ReLU/linear units in this layer",
            evidence={"layer": name, "saturated_fraction": series[-1]},
            location=location(run, layer=layer, layer_name=name),
            explanation="saturated units pass no gradient",
            basis="measured", margin=series[-1] / SATURATED,
            severity=Severity.ERROR if series[-1] >= 0.9 and healthy(run) is False else Severity.WARNING,
        )
