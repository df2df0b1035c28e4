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
# Read from the code (doctor lint, nothing measured): a ReLU layer whose kernel is a constant (std 0,
# initial_weight_std) and whose constant bias is <= 0 gives every unit the pre-activation `bias <= 0` for
# every input, so ReLU outputs 0 with zero gradient from the first step: dead by construction, no threshold.
RELU_FAMILY = {"relu", "relu6"}


def _dead_from_start(run: TrainingRun) -> Iterator[Finding]:
    biases = run.static.initial_bias if run.static else {}
    for layer in run.layers:
        if layer.kind != "dense" or (layer.activation or "") not in RELU_FAMILY or run.initial_weight_std.get(layer.name) != 0:
            continue
        bias = 0.0 if layer.use_bias is False else biases.get(layer.name)
        if bias is None or bias > 0:
            continue
        yield Finding(
            code="NF113",
            message=f"dead-units: layer '{layer.name}' starts with constant weights and bias {bias:g}: every "
                    f"ReLU unit gets the input {bias:g} for every row, outputs 0 and passes no gradient",
            fix="use the default random initialisation (glorot_uniform / he_normal) with a zero or small positive bias",
            evidence={"layer": layer.name, "initial_weight_std": 0.0, "initial_bias": bias, "units": layer.units},
            location=location(run, layer=layer),
            explanation="dead ReLU units have zero gradient and never recover",
            basis="setting", margin=2.0, severity=Severity.WARNING,
        )


@rule("NF113")
def dead_units(run: TrainingRun) -> Iterator[Finding]:
    if not failing(run):
        return
    if run.is_static:
        yield from _dead_from_start(run)
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
