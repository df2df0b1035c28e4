"""unscaled-targets (NF106)

What it finds: targets with values far outside [-1, 1] (largest |y| above 20, or a spread above 20).
Why it matters: the network's last layer starts with outputs of order 1; to reach targets of 1e5 it
must grow its weights by orders of magnitude, the MSE loss starts near 1e9-1e10 and its gradients
dominate every update. Integer products (a*b with a, b up to 500) are the classic case.
Example: y = a * b for a, b in randint(0, 500): targets up to 250 000, loss ~7e9 every epoch.
Fix: standardise the targets ((y - mean) / std) and invert the transform on predictions; for
non-negative targets spanning orders of magnitude, log1p them (log-normalisation), which turns a
product of inputs into a sum.
Severity: an error on a watched run that fails; a warning when read from the code (doctor lint):
the tuning half's fixed programs that train well with unscaled data (cnpython-3299, so-77588498,
gh-nethsix-gentle_tensorflow-10: a longer run or a smaller rate suffices) show the data alone do not
make the failure.
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import failing, fmt, location, scale
from nnfit.doctor.run import TrainingRun

# Measured on the corpus: healthy targets reach |y| <= 5.8 and seed 1's 10*sin(3x) (10) is fitted once
# its real faults are fixed; unscaled-target cases have |y| 989-240 099. 20 lies in that gap.
LARGE = 20.0


def suggest_transform(run: TrainingRun) -> str:
    """'log' when non-negative targets span orders of magnitude (products, counts), else 'standardise'."""
    ts = run.data.targets
    if not ts:
        return "standardise"
    nonneg = all(c.min >= 0 for c in ts)
    wide = all(c.max >= 1e3 and (c.max / max(c.min, 1.0) >= 1e3 or (c.mean > 0 and c.std / c.mean > 0.75)) for c in ts)
    inputs_ok = all(c.min >= 0 for c in run.data.inputs) if run.data.inputs else True
    return "log" if nonneg and wide and inputs_ok else "standardise"


@rule("NF106")
def unscaled_targets(run: TrainingRun) -> Iterator[Finding]:
    if not failing(run) or not run.data.targets:
        return
    big = scale(run.data.targets)
    spread = max(c.max - c.min for c in run.data.targets)
    if big is None or (big <= LARGE and spread <= LARGE):
        return
    t = run.data.targets
    transform = suggest_transform(run)
    rng = ", ".join(f"[{fmt(c.min)}, {fmt(c.max)}]" for c in t)
    if transform == "log":
        fix = ("log-normalise: fit np.log1p(y) (and np.log1p(X)), predict with np.expm1(model.predict(...)); "
               "a product becomes a sum")
    else:
        fix = "standardise: fit (y - y.mean()) / y.std() and map predictions back with * std + mean"
    loss0 = run.history.loss[0] if run.history.loss else None
    yield Finding(
        code="NF106",
        message=f"unscaled-targets: targets span {rng}" + (f"; first-epoch loss {fmt(loss0)}" if loss0 else "")
                + (" (approximate, read from the script)" if not run.data.exact else ""),
        fix=fix,
        evidence={"max_abs": big, "spread": spread, "transform": transform, "first_loss": loss0},
        location=location(run, line=run.data.line or run.config.fit_line),
        explanation="outputs start near 1; reaching targets this large takes huge weights and the loss gradients swamp every update",
        # read from the code (lint): a risk the data show; only a run shows that it hurts this training
        severity=Severity.WARNING if run.is_static else None,
        basis="data", margin=max(big, spread) / LARGE,
    )
