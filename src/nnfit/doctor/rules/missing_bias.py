"""missing-bias (NF119)

What it finds: dense layers without bias terms: `use_bias=False` / `bias=False`, or a hand-written
NumPy network whose layers are only weight matrices (seed 2: W_input, W_hidden, W_output, no b).
Why it matters: without a bias every unit computes act(w·x), a function pinned at x = 0: a sigmoid
unit outputs 0.5 there, the network's output at 0 is fixed by the weights of the last layer alone,
and shifts of the target (x² + 2 needs a constant) must be built from saturated units.
Example: self.W_hidden = np.random.randn(3, 3)   # and no self.b_hidden
Severity: a warning where the offset matters or cannot be known (a script read, a hand-written NumPy
network, a regression whose targets sit off zero by more than OFFSET of their spread); info on a run
whose data show no offset to make: a classification (its classes are told apart by the sign of
scores, which a bias only shifts), a network reading token indices through an embedding (the
embedding vectors carry any constant), or centred regression targets. Nothing this run measured then
shows the missing bias hurting (the tuning half's two runs with NF119, discuss-pytorch-148155 and
gh-facebookresearch-fastText-853, fail for other reasons and their fixed programs keep bias=False).
Fix: add a bias vector per layer (initialised to zero) and its gradient: b -= lr * delta.
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Location, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import classification, index_inputs
from nnfit.doctor.run import TrainingRun

# Regression targets whose mean lies further from 0 than this many standard deviations need a constant
# the bias-free output must build from its weights (seed 2's x**2: mean/std 1.1). Not read from a
# distribution: at 1 the offset is as large as everything else the network has to fit.
OFFSET = 1.0


def offset_evidence(run: TrainingRun) -> bool:
    """Does anything known about this run say a constant offset is needed? True when it cannot be
    told (static reading, NumPy check, targets unknown)."""
    if run.is_static or run.framework == "numpy" or not run.data.exact:
        return True
    if classification(run) or index_inputs(run):
        return False
    targets = run.data.targets
    if not targets:
        return True
    return any(abs(c.mean) > OFFSET * c.std for c in targets)


@rule("NF119")
def missing_bias(run: TrainingRun) -> Iterator[Finding]:
    dense = [la for la in run.layers if la.kind == "dense"]
    no_bias = [la for la in dense if la.use_bias is False]
    if not no_bias:
        return
    names = ", ".join(la.name for la in no_bias)
    first = no_bias[0]
    every = len(no_bias) == len(dense)
    yield Finding(
        code="NF119",
        message=f"missing-bias: {'no layer has' if every else f'{len(no_bias)} of {len(dense)} layers have'} a bias term ({names})",
        fix=("add a bias vector to every layer (zeros at the start) and update it with its gradient"
             if run.framework in ("numpy", "static") and run.framework_guess == "numpy"
             else "drop use_bias=False / bias=False"),
        evidence={"layers": [la.name for la in no_bias]},
        location=Location(file=run.source, line=first.line, column=first.span[0] if first.span else None,
                          end_column=first.span[1] if first.span else None, layer=first.name),
        explanation="every unit computes act(w·x): the network's output at x = 0 is pinned and constant offsets are hard to fit",
        basis="setting", margin=10.0 if every else 1.0,
        severity=None if offset_evidence(run) else Severity.INFO,
    )
