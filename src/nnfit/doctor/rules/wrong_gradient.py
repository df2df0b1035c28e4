"""wrong-gradient (NF118)

What it finds: an analytic gradient (from hand-written backpropagation) that disagrees with central
finite differences of the loss, computed in float64 by `nnfit doctor check` / `nnfit.check_gradients`.
Relative error per array: ||g_analytic - g_numeric|| / max(||g_analytic|| + ||g_numeric||, tiny).
Why it matters: a wrong gradient (a transposed product, a missing activation derivative, a sign)
sends every update in the wrong direction; the loss stalls or rises however the learning rate is tuned.
Example: self.Partials_W_hidden = delta.reshape(3,1) * a0.reshape(1,3)   # transposed: should be a0[:,None] * delta[None,:]
Fix: recompute that array's gradient; the finding names the worst entries and the numeric values.
Without running (lint) it reads one wrong gradient from the code: an activation's slope taken on the wrong
side of the activation (static/slopes.py), a slope helper that applies the logistic (or tanh) to its argument
called with an array that already holds the activation (`sigmoid_derivative(self.output)` with
`def sigmoid_derivative(x): s = 1/(1+np.exp(-x)); return s*(1-s)`: the slope is taken twice), or a
helper written on the activation (`a * (1 - a)`) called with the weighted sum before it; or a weight's
gradient built from another array of the forward pass than the one the weight multiplies
(`dW2 = np.dot(dA2, A1.T)` where the forward pass computes `np.dot(W2, Z1)` and `Z1 = np.tanh(A1)`).
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Location
from nnfit.doctor.rules import rule
from nnfit.doctor.run import TrainingRun

# Relative error above which an analytic gradient is wrong. Read from `doctor check` on this project's
# hand-written NumPy networks (2026-12-03): the 8 correct gradient arrays (examples/numpy_x2/fixed_network.py's
# six, seed 2's two correct ones) measured 3e-11..3e-9; the 3 wrong ones (seed 2's transposed product, a
# probe's cross-entropy gradient checked against its squared-error loss) 0.34..0.70. 1e-4 sits over four
# decades from either side: float64 central differences cannot reach it on a correct gradient
# (truncation ~h², round-off ~eps/h).
MAX_RELATIVE_ERROR = 1e-4


@rule("NF118")
def wrong_gradient(run: TrainingRun) -> Iterator[Finding]:
    if run.is_static:
        yield from _read_slopes(run)
    for check in run.gradients.checks:
        err = check.get("relative_error")
        if err is None or err <= MAX_RELATIVE_ERROR:
            continue
        worst = check.get("worst", [])
        shown = ", ".join(f"[{', '.join(map(str, w['index']))}] analytic {w['analytic']:.3g} vs numeric {w['numeric']:.3g}"
                          for w in worst[:3])
        hint = check.get("hint")
        yield Finding(
            code="NF118",
            message=f"wrong-gradient: gradient of {check['parameter']} is wrong (relative error {err:.2g}); worst: {shown}",
            fix=(hint + "; " if hint else "") + f"recompute the gradient of {check['parameter']} "
                "(nnfit.check_gradients shows the numeric one)",
            evidence={k: v for k, v in check.items() if k != "worst"} | {"worst": worst[:3]},
            location=Location(file=run.source, line=check.get("line"), layer=check["parameter"]),
            explanation="updates follow the analytic gradient; if it is wrong, training goes the wrong way",
            basis="measured", margin=err / MAX_RELATIVE_ERROR,
        )


def _read_slopes(run: TrainingRun) -> Iterator[Finding]:
    """lint: a derivative helper called on the wrong side of its activation (read by static/slopes.py)."""
    for check in run.gradients.checks:
        how = check.get("static")
        if how not in ("slope-twice", "slope-of-weighted-sum", "gradient-of-other-array"):
            continue
        if how == "gradient-of-other-array":
            message = (f"wrong-gradient: {check['helper']}, the gradient of {check['parameter']}, is built from "
                       f"another array than the one {check['parameter']} multiplies in the forward pass")
        else:
            what = "takes the slope twice" if how == "slope-twice" else "takes the slope of the weighted sum"
            message = (f"wrong-gradient: {check['helper']}({check['parameter']}) {what}: "
                       f"the {check['kind']} derivative is applied on the wrong side of the activation")
        yield Finding(
            code="NF118",
            message=message,
            fix=check["hint"],
            evidence={k: v for k, v in check.items() if k != "hint"},
            location=Location(file=run.source, line=check.get("line"), layer=check["parameter"]),
            explanation="updates follow the analytic gradient; if it is wrong, training goes the wrong way",
            basis="code",
        )
