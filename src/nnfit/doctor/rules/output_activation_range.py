"""output-activation-range (NF107)

What it finds: an output layer whose activation cannot produce the targets: sigmoid/softmax (0, 1),
tanh (-1, 1), ReLU/softplus [0, inf) on targets outside that range.
Why it matters: the targets outside the range can never be reached; the loss has a floor and the
gradient through a clipped output (ReLU below 0, sigmoid near its limits) is zero, so training stalls.
Example: Dense(1, activation="relu") as the last layer for targets in [-10, 10].
A ReLU-type output on a regression is also reported (as a warning) when the targets are inside its
range: once the output unit's input goes negative for the data, its gradient is zero and the network
stops learning for good (seed 4: Dense(1, activation='relu') for a*b).
A softmax over a single output unit is reported whatever the targets: it outputs 1.0 for every input.
Read from the code alone (doctor lint, targets not known: a post that loads its data from a file it
did not include), a bounded output (sigmoid, tanh, softmax) on a regression loss is a warning: the
targets must lie inside its range, and nothing shows that they do (the tuning half's
gh-keras-team-keras-1874: a tanh output for targets up to 22, posted without its data).
Fix: use a linear output layer (activation=None) for regression; scale the targets if a bounded
output is wanted.
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import activation, failing, fmt, is_regression, location, output_layer
from nnfit.doctor.run import TrainingRun
from nnfit.doctor.vocab import ACTIVATION_RANGE


CLIPPING_AT_ZERO = {"relu", "relu6"}


@rule("NF107")
def output_activation_range(run: TrainingRun) -> Iterator[Finding]:
    out = output_layer(run)
    if out is None or not failing(run) or is_regression(run) is False:
        return
    act = activation(out)
    if act == "softmax" and (out.units or 0) == 1:
        # a softmax over one unit is 1.0 for every input: nothing can be fitted, whatever the targets
        yield Finding(
            code="NF107",
            message=f"output-activation-range: output '{out.name}' is a softmax over 1 unit: it outputs 1.0 for every input",
            fix="make the output layer linear: Dense(1) (activation=None) for regression",
            evidence={"activation": act, "units": 1},
            location=location(run, layer=out),
            explanation="softmax normalises over the units; with one unit the output is the constant 1",
            basis="setting", margin=100.0,
        )
        return
    bounds = ACTIVATION_RANGE.get(act)
    if bounds is not None and not run.data.targets and run.is_static and is_regression(run) \
            and None not in bounds:
        lo, hi = bounds
        yield Finding(
            code="NF107", severity=Severity.WARNING,
            message=f"output-activation-range: output '{out.name}' uses {act}, range [{fmt(lo)}, {fmt(hi)}], on a "
                    "regression loss; the script's targets are not known here, and any target outside that range "
                    "can never be produced",
            fix="make the output layer linear (activation=None) unless every target lies inside "
                f"[{fmt(lo)}, {fmt(hi)}]",
            evidence={"activation": act, "range": [lo, hi], "targets": None},
            location=location(run, layer=out),
            explanation="targets outside the output activation's range can never be produced",
            basis="code",
        )
        return
    if bounds is None or not run.data.targets:
        return
    lo, hi = bounds
    tmin = min(c.min for c in run.data.targets)
    tmax = max(c.max for c in run.data.targets)
    tol = 1e-9
    below = lo is not None and tmin < lo - tol
    above = hi is not None and tmax > hi + tol
    if not (below or above):
        if act in CLIPPING_AT_ZERO and is_regression(run) is not False:
            yield Finding(
                code="NF107",
                severity=Severity.WARNING,
                message=f"output-activation-range: output '{out.name}' uses {act} on a regression: "
                        "its gradient is zero wherever the output is clipped at 0",
                fix="make the output layer linear (activation=None); targets that must be >= 0 can be "
                    "log-transformed or clipped after prediction",
                evidence={"activation": act, "target_min": tmin, "target_max": tmax},
                location=location(run, layer=out),
                explanation="a ReLU output that goes negative for the data stops all learning (a dead output unit)",
                basis="setting",
            )
        return
    span = max(tmax - tmin, 1e-12)
    outside = (max(0.0, (lo - tmin)) if below else 0.0) + (max(0.0, tmax - hi) if above else 0.0)
    yield Finding(
        code="NF107",
        message=(f"output-activation-range: output '{out.name}' uses {act}, range "
                 f"[{fmt(lo) if lo is not None else '-inf'}, {fmt(hi) if hi is not None else 'inf'}], "
                 f"but targets span [{fmt(tmin)}, {fmt(tmax)}]"),
        fix=f"make the output layer linear: {'Dense(' + str(out.units) + ')' if out.units else 'no activation'} "
            "(activation=None) for regression",
        evidence={"activation": act, "range": [lo, hi], "target_min": tmin, "target_max": tmax,
                  "fraction_of_span_unreachable": round(min(1.0, outside / span), 3)},
        location=location(run, layer=out),
        explanation="targets outside the output activation's range can never be produced",
        basis="data", margin=1.0 + 100 * min(1.0, outside / span),
    )
