"""missing-bias (NF119)

What it finds: dense layers without bias terms: `use_bias=False` / `bias=False`, or a hand-written
NumPy network whose layers are only weight matrices (seed 2: W_input, W_hidden, W_output, no b).
Why it matters: without a bias every unit computes act(w·x), a function pinned at x = 0: a sigmoid
unit outputs 0.5 there, the network's output at 0 is fixed by the weights of the last layer alone,
and shifts of the target (x² + 2 needs a constant) must be built from saturated units.
Example: self.W_hidden = np.random.randn(3, 3)   # and no self.b_hidden
Fix: add a bias vector per layer (initialised to zero) and its gradient: b -= lr * delta.
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Location
from nnfit.doctor.rules import rule
from nnfit.doctor.run import TrainingRun


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
    )
