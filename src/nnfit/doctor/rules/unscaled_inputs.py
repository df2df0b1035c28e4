"""unscaled-inputs (NF105)

What it finds: input columns with values far outside [-1, 1] (largest |x| above 10), nearly
constant tiny ones (largest |x| below 1e-3), or columns far off-centre (mean 3+ standard deviations
from 0, e.g. log-sizes 6..9 or years 1990..2020).
Why it matters: a dense layer's first step is w*x; with x in the hundreds, gradients for the first
weights are hundreds of times larger than for the rest, one update throws the units far into
saturation (sigmoid/tanh) or kills them (ReLU), and the learning rate cannot suit every layer.
Example: X = np.random.randint(0, 500, size=(10000, 2)) fed to Dense(3) directly.
Fix: standardise each column ((x - mean) / std, fitted on the training data), or take log1p of
non-negative values that span orders of magnitude (then a product becomes a sum).
Severity: an error on a watched run that fails; a warning when read from the code (doctor lint):
the tuning half's fixed programs that train well with unscaled data (cnpython-3299, so-77588498,
gh-nethsix-gentle_tensorflow-10: a longer run or a smaller rate suffices) show the data alone do not
make the failure.
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import failing, fmt, index_inputs, location, scale
from nnfit.doctor.rules.unscaled_targets import suggest_transform
from nnfit.doctor.run import TrainingRun
from nnfit.doctor.vocab import ADAPTIVE, norm

# Prior art flags anything outside [-1, 1]. Read from the real corpus's tuning half (corpus/real):
# inputs of programs labelled unscaled-inputs reach |x| = 20 to 255, those of its fixed programs and
# healthy synthetic cases stay within 3 (seed 4: 499); 10 lies between (the geometric middle of 3 and
# 20 is 7.7) and still tolerates raw ranges up to 0..10.
LARGE = 10.0
SMALL = 1e-3
# Off-centre columns: mean at least OFFCENTRE standard deviations from 0 (and |mean| >= OFFCENTRE_MIN):
# the first layer's pre-activations are then dominated by w * mean, the same for every row, so units
# start on one side of their nonlinearity. A uniform [0, 1] column sits at 1.7 std; the tuning half's
# failing inputs labelled unscaled within [-20, 20] (log-sizes 6-9) sit at 7-8 std; its fixed programs
# are standardised (under 0.1).
OFFCENTRE = 3.0
OFFCENTRE_MIN = 2.0
# Evidence strength (the ranking's margin) under plain gradient descent (SGD, a hand-written update, or
# an optimiser not known): the largest learning rate such a step can take on a squared error falls with
# the loss's curvature, which grows with the square of the inputs' scale (the Hessian of a dense layer's
# weights is E[x x^T]); the targets' scale does not enter the curvature at all (it lengthens the way,
# not the step). So inputs k times past LARGE shrink the usable rate about k^2 times: the margin is
# squared there. Adaptive optimisers (Adam, RMSprop ...) divide each step by its gradient's size, which
# undoes most of that, and keep the plain ratio. Not a fitted number: the exponent is the curvature's.
# It orders the tuning half's plain-gradient programs with both unscaled inputs and unscaled targets as
# their labels do (fastai-18783 and the swarma program: the inputs are the root cause).
CURVATURE_POWER = 2.0


@rule("NF105")
def unscaled_inputs(run: TrainingRun) -> Iterator[Finding]:
    if not failing(run) or not run.data.inputs or index_inputs(run):
        return   # (indices into an embedding are looked up, not multiplied: their range is no scale)
    big = scale(run.data.inputs)
    if big is None:
        return
    offcentre = [i for i, c in enumerate(run.data.inputs)
                 if c.std > 0 and abs(c.mean) >= OFFCENTRE * c.std and abs(c.mean) >= OFFCENTRE_MIN]
    if SMALL <= big <= LARGE and not offcentre:
        return
    cols = [i for i, c in enumerate(run.data.inputs)
            if not (SMALL <= max(abs(c.min), abs(c.max)) <= LARGE) or i in offcentre]
    transform = suggest_transform(run)
    ranges = ", ".join(f"x{i}: [{fmt(run.data.inputs[i].min)}, {fmt(run.data.inputs[i].max)}]"
                       + (" (off-centre)" if i in offcentre and max(abs(run.data.inputs[i].min), abs(run.data.inputs[i].max)) <= LARGE else "")
                       for i in cols)
    margin = max(big / LARGE if big > LARGE else (SMALL / max(big, 1e-300) if big < SMALL else 1.0),
                 max((abs(run.data.inputs[i].mean) / run.data.inputs[i].std / OFFCENTRE for i in offcentre), default=1.0))
    name = norm(run.config.optimizer.name) if run.config.optimizer is not None else ""
    if big > LARGE and name not in ADAPTIVE:
        margin = max(margin, (big / LARGE) ** CURVATURE_POWER)
    fix = ("log-normalise: X = np.log1p(X) (non-negative values spanning orders of magnitude)"
           if transform == "log" else "standardise: X = (X - X.mean(0)) / X.std(0), with the training mean/std")
    yield Finding(
        code="NF105",
        message=f"unscaled-inputs: {ranges}" + (" (approximate, read from the script)" if not run.data.exact else ""),
        fix=fix,
        evidence={"max_abs": big, "columns": cols, "transform": transform},
        location=location(run, line=run.data.line or run.config.fit_line),
        explanation="inputs far from [-1, 1] make the first layer's gradients huge and saturate or kill units",
        # read from the code (lint): a risk the data show; only a run shows that it hurts this training
        severity=Severity.WARNING if run.is_static else None,
        basis="data", margin=margin,
    )
