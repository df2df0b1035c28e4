"""dead-units (NF113)

What it finds: ReLU units that output 0 for every training input (measured on a probe batch at the
end of training): half or more of a layer's units, or every unit of a layer.
Why it matters: a dead unit has zero gradient and never recovers; a layer with all units dead makes
the network's output constant. Large inputs or a large step usually kill them in the first updates.
Example: Dense(5, activation="relu") on unscaled inputs in the hundreds.
Fix: scale the inputs, lower the learning rate, use LeakyReLU/ELU, or He initialisation with a small
positive bias.
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import failing, healthy, location
from nnfit.doctor.run import TrainingRun

# DeepDiagnosis flags >= 70 %; small layers (3-5 units) make 50 % the useful threshold here.
DEAD = 0.5


@rule("NF113")
def dead_units(run: TrainingRun) -> Iterator[Finding]:
    if not failing(run):
        return
    for name, series in run.history.dead_fraction.items():
        if not series or series[-1] < DEAD:
            continue
        frac = series[-1]
        layer = next((l for l in run.layers if l.name == name), None)
        units = layer.units if layer else None
        yield Finding(
            code="NF113",
            message=f"dead-units: {frac:.0%} of layer '{name}'" + (f" ({round(frac * units)}/{units} units)" if units else "")
                    + " output 0 for every input",
            fix="scale the inputs, lower the learning rate, or use LeakyReLU/ELU instead of ReLU",
            evidence={"layer": name, "dead_fraction": frac, "units": units},
            location=location(run, layer=layer, layer_name=name),
            explanation="dead ReLU units have zero gradient and never recover",
            basis="measured", margin=frac / DEAD,
            severity=Severity.ERROR if frac >= 0.99 and healthy(run) is False else Severity.WARNING,
        )
