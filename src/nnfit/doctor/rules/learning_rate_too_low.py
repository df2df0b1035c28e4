"""learning-rate-too-low (NF104)

What it finds: updates so small that the loss barely moves: a learning rate below 1e-5, or (when the
run was watched) weights that change by less than 1e-5 of their size per step while the fit is poor.
For an adaptive optimiser and a network without hidden layer, also a rate (with the count) that
cannot move a weight as far as the data need (see STEP_BOUND).
Why it matters: the network stays close to its random initial function; more epochs help only in
proportion, so training looks "stuck" although nothing is wrong with the model.
Example: keras.optimizers.SGD(learning_rate=1e-6)
Fix: raise the learning rate (Adam: 1e-3; SGD on scaled data: 1e-2 to 1e-1).
"""
from __future__ import annotations

import math
from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import fmt, healthy, location, loss_series, optimizer_facts
from nnfit.doctor.run import TrainingRun
from nnfit.doctor.vocab import ADAPTIVE

STATIC_LOW = 1e-5
# Median ||dW||/||W|| per step (second half of training) below which a poor fit is blamed on the step
# size (DeepDiagnosis uses 1e-5). Measured: the lr 1e-6 corpus cases sit at <= 1e-5; healthy runs at
# 1.4e-5..2.8e-3 (gated out by health anyway); dead networks also show ~0, hence the extra conditions
# (loss moved < 50 %, did not get worse, no NaN).
RATIO_LOW = 2e-5
# An adaptive optimiser (Adam, RMSprop ...) moves every weight by about its learning rate per step
# whatever the gradient's size: with lr >= ADAPTIVE_FLOOR (a decade below Adam's default 1e-3) and
# weights of ordinary size (|w| ~ 0.01-1), the ratio is 1e-4..1e-1, so a ratio below RATIO_LOW there
# means the gradient itself is (nearly) zero: a loss with no gradient (NF126), dead units, a constant
# output; a larger rate would not move it. The tuning half's case (se-stats-565956: Adam 1e-3, a
# one-unit categorical cross-entropy) measures a ratio of 0.
ADAPTIVE_FLOOR = 1e-4
# Out of reach: an adaptive optimiser's step is at most about STEP_BOUND x lr per weight (Adam's
# (1 - beta1) / sqrt(1 - beta2) and RMSprop's 1 / sqrt(1 - rho) with the default betas / rho: 3.16), so
# after U updates no weight has moved more than STEP_BOUND x lr x U. A network with no hidden layer
# computes w . x + b: to produce a target as large as |y| from inputs no larger than |x| (d of them),
# some weight must reach |y| / (d |x| + 1). When that is beyond the reach, the rate (with the count)
# cannot get there: a bound, not a fitted threshold (the tuning half's cnpython-3299: RMSprop 0.005 x
# 100 updates reaches 1.6, y = 10 x up to 100 needs 9.1; its fixed program, 0.01 x 2000, reaches 63).
STEP_BOUND = 3.2


def out_of_reach(run: TrainingRun, name: str, lr: float | None) -> dict | None:
    """The reach of an adaptive optimiser below the weight a no-hidden-layer network needs (or None)."""
    from nnfit.doctor.rules._common import dense_layers, n_updates_planned, scale

    if name not in ADAPTIVE or not lr or len(run.layers) != 1 or len(dense_layers(run)) != 1:
        return None
    updates = n_updates_planned(run)
    x, y, d = scale(run.data.inputs), scale(run.data.targets), len(run.data.inputs)
    if not updates or x is None or y is None or not d:
        return None
    reach = STEP_BOUND * lr * updates
    needed = y / (d * x + 1.0)
    if needed <= reach:
        return None
    return {"reach": reach, "needed_weight": needed, "updates": updates}


@rule("NF104")
def learning_rate_too_low(run: TrainingRun) -> Iterator[Finding]:
    state = healthy(run)
    if state is True:
        return
    name, lr, line = optimizer_facts(run)
    good = 1e-3 if name in ADAPTIVE else 1e-2
    evidence: dict = {"optimizer": name or None, "learning_rate": lr}
    reasons = []
    if lr is not None and lr < STATIC_LOW:
        reasons.append(f"learning rate {fmt(lr)} is below {fmt(STATIC_LOW)}")
    short = out_of_reach(run, name, lr) if run.task in (None, "regression") else None
    if short:
        evidence.update(short)
        reasons.append(f"{name} moves a weight at most about {STEP_BOUND:g} x lr per step: {short['updates']} updates "
                       f"at {fmt(lr)} reach {fmt(short['reach'])}, but producing targets this large from these inputs "
                       f"needs a weight of at least {fmt(short['needed_weight'])}")
    ratios = [sorted(v)[len(v) // 2] for v in run.history.update_ratio.values() if v]
    ratios = [r for r in ratios if math.isfinite(r)]
    zero_gradient = name in ADAPTIVE and lr is not None and lr >= ADAPTIVE_FLOOR
    if state is False and ratios and not zero_gradient:
        top = max(ratios)
        evidence["update_ratio"] = top
        series = [v for v in loss_series(run) if math.isfinite(v)]
        moved = (series[0] - min(series)) / series[0] if series and series[0] > 0 else None
        evidence["loss_fall"] = moved
        worse = bool(series) and series[-1] > series[0]
        if top < RATIO_LOW and (moved is None or moved < 0.5) and not worse and len(series) == len(loss_series(run)):
            reasons.append(f"weights change by only {top:.1e} of their size per step; loss fell {moved or 0:.0%}")
    if not reasons:
        return
    yield Finding(
        code="NF104",
        message="learning-rate-too-low: " + "; ".join(reasons),
        fix=(f"raise the learning rate to {fmt(good)}" if not short or lr < good else
             f"train for at least {math.ceil(short['needed_weight'] / (STEP_BOUND * lr))} updates, or raise the learning rate "
             f"to {fmt(lr * short['needed_weight'] / short['reach'])}; or scale the inputs and targets"),
        evidence=evidence, location=location(run, line=line),
        explanation="tiny steps leave the network near its random start",
        basis="measured" if "update_ratio" in evidence and len(reasons) > (lr is not None and lr < STATIC_LOW) + bool(short)
        else "data" if short else "setting",
        margin=max((STATIC_LOW / lr) if lr else 1.0, (RATIO_LOW / evidence["update_ratio"]) if evidence.get("update_ratio") else 1.0,
                   short["needed_weight"] / short["reach"] if short else 1.0),
        # measured on a failing run: it explains the failure (ranked above symptoms such as NF122)
        severity=Severity.ERROR if "update_ratio" in evidence and len(reasons) and state is False else Severity.WARNING,
    )
