"""unscaled-inputs (NF105)

What it finds: input columns with values far outside [-1, 1] (largest |x| above 20), or nearly
constant tiny ones (largest |x| below 1e-3).
Why it matters: a dense layer's first step is w*x; with x in the hundreds, gradients for the first
weights are hundreds of times larger than for the rest, one update throws the units far into
saturation (sigmoid/tanh) or kills them (ReLU), and the learning rate cannot suit every layer.
Example: X = np.random.randint(0, 500, size=(10000, 2)) fed to Dense(3) directly.
Fix: standardise each column ((x - mean) / std, fitted on the training data), or take log1p of
non-negative values that span orders of magnitude (then a product becomes a sum).
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import failing, fmt, location, scale
from nnfit.doctor.rules.unscaled_targets import suggest_transform
from nnfit.doctor.run import TrainingRun

# Prior art flags anything outside [-1, 1]; 20 tolerates common raw ranges such as 0..10. Measured on
# the corpus: healthy inputs reach |x| <= 2, unscaled-input cases 99-1000 (seed 4: 499); no case lies
# in between, so the boundary itself is a choice, not a measurement.
LARGE = 20.0
SMALL = 1e-3


@rule("NF105")
def unscaled_inputs(run: TrainingRun) -> Iterator[Finding]:
    if not failing(run) or not run.data.inputs:
        return
    big = scale(run.data.inputs)
    if big is None or SMALL <= big <= LARGE:
        return
    cols = [i for i, c in enumerate(run.data.inputs) if not (SMALL <= max(abs(c.min), abs(c.max)) <= LARGE)]
    transform = suggest_transform(run)
    ranges = ", ".join(f"x{i}: [{fmt(run.data.inputs[i].min)}, {fmt(run.data.inputs[i].max)}]" for i in cols)
    fix = ("log-normalise: X = np.log1p(X) (non-negative values spanning orders of magnitude)"
           if transform == "log" else "standardise: X = (X - X.mean(0)) / X.std(0), with the training mean/std")
    yield Finding(
        code="NF105",
        message=f"unscaled-inputs: {ranges}" + (" (approximate, read from the script)" if not run.data.exact else ""),
        fix=fix,
        evidence={"max_abs": big, "columns": cols, "transform": transform},
        location=location(run, line=run.data.line or run.config.fit_line),
        explanation="inputs far from [-1, 1] make the first layer's gradients huge and saturate or kill units",
        basis="data", margin=big / LARGE if big > LARGE else SMALL / max(big, 1e-300),
    )
