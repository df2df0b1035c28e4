"""capacity-too-large (NF123)

What it finds: a network with more than 10 times as many parameters as training samples.
Why it matters: with few points and many weights the fit interpolates noise and behaves badly between
the points; it is usually harmless for smooth noise-free targets, hence only informational.
Example: Dense(512) -> Dense(512) -> Dense(1) on 50 samples.
Fix: use fewer/narrower layers or more data; hold out points to check the fit between samples.
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import location
from nnfit.doctor.run import TrainingRun

RATIO = 10


@rule("NF123")
def capacity_too_large(run: TrainingRun) -> Iterator[Finding]:
    n, p = run.data.n_samples, run.n_params
    if not n or not p or p <= RATIO * n:
        return
    yield Finding(
        code="NF123",
        message=f"capacity-too-large: {p} parameters for {n} samples ({p / n:.0f} per sample)",
        fix="use a narrower network or more samples, and check held-out error",
        evidence={"n_params": p, "n_samples": n},
        location=location(run, line=run.config.fit_line),
        basis="setting",
    )
