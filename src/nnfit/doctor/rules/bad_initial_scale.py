"""bad-initial-scale (NF120)

What it finds: initial weights far from the Glorot/He scale sqrt(2 / (fan_in + fan_out)): ten times
larger (units saturate or explode from the first step) or a hundred times smaller / all zeros (every
unit of a layer computes the same thing and gets the same update, or the signal vanishes).
Why it matters: the starting point decides whether gradients can flow at all; all-zero weights keep
hidden units identical forever.
Example: self.W = np.zeros((3, 3)), or np.random.randn(100, 100) * 10
Fix: draw weights as np.random.randn(fan_in, fan_out) * np.sqrt(2 / (fan_in + fan_out)) (Glorot) and
biases as zeros.
Severity: an error when this run's own fit fails (training R² / accuracy below the healthy bar of
rules/_common.py), a warning otherwise (a run that fits anyway has nothing to explain). The initial
spread is read by the monitors before the first update (Keras: at fit/train_on_batch start; torch: at
the first optimiser step) and by the static reader from NumPy initialisations.
"""
from __future__ import annotations

import math
from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Location, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import healthy
from nnfit.doctor.run import TrainingRun

# Ratio of the actual initial std to the Glorot std outside which the scale is bad.
TOO_LARGE = 10.0
TOO_SMALL = 0.01


@rule("NF120")
def bad_initial_scale(run: TrainingRun) -> Iterator[Finding]:
    stds: dict[str, float] = run.initial_weight_std
    dense = [layer for layer in run.layers if layer.kind == "dense"]
    for layer in dense:
        if layer.name not in stds:
            continue
        std = stds[layer.name]
        below = [l for l in run.layers[:run.layers.index(layer)] if l.kind in ("dense", "embedding")]
        if layer is dense[-1] and below and not all(stds.get(l.name) == 0 for l in below):
            # zero / small output weights under randomly initialised hidden layers are a common, harmless
            # start (fastText's, a zero-initialised readout): the units below still differ
            if std < TOO_SMALL * math.sqrt(2.0 / ((layer.input_units or 1) + (layer.units or 1))):
                continue
        fan_in, fan_out = layer.input_units, layer.units
        if not fan_in or not fan_out or std is None or not math.isfinite(std):
            continue
        glorot = math.sqrt(2.0 / (fan_in + fan_out))
        ratio = std / glorot
        if TOO_SMALL <= ratio <= TOO_LARGE:
            continue
        what = "all zero" if std == 0 else (f"{ratio:.0f}x the Glorot scale" if ratio > 1 else f"1/{1 / ratio:.0f} of the Glorot scale")
        yield Finding(
            code="NF120",
            message=f"bad-initial-scale: initial weights of {layer.name} ({fan_in}x{fan_out}) have std {std:.3g}: {what} ({glorot:.3g})",
            fix=f"initialise with np.random.randn({fan_in}, {fan_out}) * {glorot:.3g} (Glorot), biases zero",
            evidence={"std": std, "glorot_std": glorot, "ratio": ratio},
            location=Location(file=run.source, line=layer.line, column=layer.span[0] if layer.span else None,
                              end_column=layer.span[1] if layer.span else None, layer=layer.name),
            explanation=("identical units get identical updates and never differ" if std == 0
                         else "units saturate or the signal explodes/vanishes through the layers"),
            basis="setting", margin=max(ratio / TOO_LARGE, TOO_SMALL / ratio) if ratio > 0 else 10.0,
            severity=Severity.ERROR if healthy(run) is False else Severity.WARNING,
        )
