"""learning-rate-too-low (NF104)

What it finds: updates so small that the loss barely moves: a learning rate below 1e-5, or (when the
run was watched) weights that change by less than 1e-5 of their size per step while the fit is poor.
For an adaptive optimiser and a network without hidden layer, also a rate (with the count) that
cannot move a weight as far as the data need (see STEP_BOUND). And a failing run at a rate a decade
or more below its optimiser's usual one whose loss is still falling after enough updates (SLOW_RATE),
including a regression still worse than predicting the mean whose fall has slowed (BEHIND_CONSTANT_R2).
Why it matters: the network stays close to its random initial function; more epochs help only in
proportion, so training looks "stuck" although nothing is wrong with the model.
From the script alone (lint) also: a rate a decade or more below its optimiser's usual one with a planned
update count too small for that rate to get anywhere (fewer than SLOW_PROGRESS updates' worth at the usual
rate, see there).
Example: keras.optimizers.SGD(learning_rate=1e-6)
Fix: raise the learning rate (Adam: 1e-3; SGD on scaled data: 1e-2 to 1e-1).
"""
from __future__ import annotations

import math
from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import (SLOW_PROGRESS, SLOW_RATE, STATIC_LOW, far_below, fmt, healthy, location,  # noqa: F401
                                        loss_series, optimizer_facts, usual_rate_worth)
from nnfit.doctor.run import TrainingRun
from nnfit.doctor.vocab import ADAPTIVE

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
# Behind the constant: a regression whose training fit is still worse than predicting the targets' mean
# (training R² below 0) while its loss keeps falling (more than too_few_updates.MIN_FALL per 20 %-window,
# its noise floor) and never rose above where it started is still on its way, whatever the pace: the output
# layer's bias alone reaches R² 0, so a loss that has not got there has not levelled off at a poor fit, it
# has not arrived (too_few_updates' "not levelled" reading compares the last window with the first, and a
# loss that fell 90 % in its first fifth reads as levelled while still above the constant's level). R² 0
# is a bound by construction, not a fitted number; the rate gate is slow_fall's own (SLOW_RATE).
BEHIND_CONSTANT_R2 = 0.0
def blew_up(run: TrainingRun) -> float | None:
    """The early blow-up learning-rate-too-high measures (the per-step loss in the first EARLY_SHARE of
    the updates reaching EARLY_JUMP x its first value), as that jump, or None. A loss that first rose that
    far and is now falling back is recovering from steps too large for the data, not crawling at a rate
    too small for them (unscaled targets at SGD 1e-3: the loss jumps 1e19x, then falls 40 % per fifth of
    training): its fall is no evidence of a low rate. Its thresholds, not new ones."""
    from nnfit.doctor.rules.learning_rate_too_high import EARLY_JUMP, early_jump

    measured = early_jump(run)
    jump = measured[0] if measured is not None else 0.0
    return jump if jump >= EARLY_JUMP else None


def slow_fall(run: TrainingRun, name: str, lr: float | None) -> dict | None:
    """The evidence of SLOW_RATE (the loss still falling after enough updates at a rate a decade or more
    below the usual one), or None."""
    from nnfit.doctor.rules._common import n_updates_planned
    from nnfit.doctor.rules.too_few_updates import MIN_UPDATES, still_falling
    from nnfit.doctor.vocab import good_learning_rate

    if not lr or lr <= 0:
        return None
    usual = good_learning_rate(name or "sgd")
    updates = n_updates_planned(run)
    if not far_below(lr, usual) or not updates or updates < MIN_UPDATES:
        return None
    drop, falling = still_falling(run)
    if not falling and drop is not None:
        falling = behind_constant(run, drop)
    if not falling or blew_up(run):
        return None
    return {"usual_learning_rate": usual, "loss_drop_last_window": round(drop, 3), "updates": updates}


def behind_constant(run: TrainingRun, drop: float) -> bool:
    """The loss still falling (drop, the last window's relative fall, above MIN_FALL) on a regression
    whose training R² is still below BEHIND_CONSTANT_R2 and whose loss never rose above its start (see
    BEHIND_CONSTANT_R2)."""
    from nnfit.doctor.rules._common import train_r2, trend_series
    from nnfit.doctor.rules.too_few_updates import MIN_FALL

    if run.task not in (None, "regression") or drop <= MIN_FALL:
        return False
    r2 = train_r2(run)
    series = [v for v in trend_series(run) if math.isfinite(v)]
    return r2 is not None and math.isfinite(r2) and r2 < BEHIND_CONSTANT_R2 and bool(series) \
        and max(series) <= series[0]


def flat_at_low_rate(run: TrainingRun, name: str, lr: float | None) -> dict | None:
    """A failing run whose loss never fell (loss-not-decreasing's bar, FLAT: the loss, epoch by epoch where
    there are five or more epochs, never below 90 % of its first value, its last tenth included; a
    classifier short of ABOVE_CHANCE, as that rule) after at least
    too_few_updates.MIN_UPDATES updates, at a rate SLOW_RATE or more times below the family's usual one,
    for an optimiser whose step scales with the rate times the gradient (plain SGD, momentum, or an
    adaptive one below ADAPTIVE_FLOOR, where its step is too small to count whatever the gradient). The
    same evidence as slow_fall with a slope of about 0: steps that small leave a loss flat as surely as
    slow. Not when a hidden layer is wholly dead (too_few_updates.layer_all_dead: no gradient, whatever
    the rate). No new threshold: FLAT, ABOVE_CHANCE, MIN_UPDATES and SLOW_RATE are the rules' own."""
    from nnfit.doctor.rules._common import ABOVE_CHANCE, accuracy_gain_share, n_updates_planned
    from nnfit.doctor.rules.loss_not_decreasing import FLAT
    from nnfit.doctor.rules.too_few_updates import MIN_UPDATES, layer_all_dead
    from nnfit.doctor.vocab import good_learning_rate

    if not lr or lr <= 0 or (name in ADAPTIVE and lr >= ADAPTIVE_FLOOR) or layer_all_dead(run):
        return None
    usual = good_learning_rate(name or "sgd")
    updates = n_updates_planned(run)
    if not far_below(lr, usual) or not updates or updates < MIN_UPDATES:
        return None
    if bool(run.stopped_by_budget_s) or run.gradients.check_updates is not None:
        return None     # cut short by the doctor: the flat stretch is ours, not the script's
    gain = accuracy_gain_share(run)
    if gain is not None and gain >= ABOVE_CHANCE:
        return None
    from nnfit.doctor.rules._common import trend_series

    series = trend_series(run)
    k = max(1, len(series) // 10)
    tail = series[-k:]
    if len(series) < 3 or not all(math.isfinite(v) for v in series):
        return None
    start, end = series[0], sum(tail) / len(tail)
    # never below FLAT of where it started: a loss that fell and then levelled off (converged to a poor
    # level) is not the rate's doing; one that never moved is
    if start <= 0 or end < FLAT * start or min(series) < FLAT * start:
        return None
    return {"usual_learning_rate": usual, "loss_start": start, "loss_end": end, "updates": updates}


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
    # at the script's own precision: Keras keeps the rate in float32 (1e-5 reads back as 9.99999975e-06),
    # and lint reads the literal; both must see the same number
    if lr is not None and float(f"{lr:.6g}") < STATIC_LOW:
        reasons.append(f"learning rate {fmt(lr)} is below {fmt(STATIC_LOW)}")
    crawl = usual_rate_worth(run) if not reasons else None
    if crawl:
        evidence.update(crawl)
        reasons.append(f"{crawl['updates']} planned updates at learning rate {fmt(lr)}, "
                       f"{fmt(crawl['usual_learning_rate'] / lr)}x below the usual {fmt(crawl['usual_learning_rate'])} "
                       f"for {name}, go as far as {fmt(crawl['usual_rate_updates'])} updates at the usual rate "
                       f"(fewer than {SLOW_PROGRESS:g}): too slow to get anywhere")
    short = out_of_reach(run, name, lr) if run.task in (None, "regression") else None
    if short:
        evidence.update(short)
        reasons.append(f"{name} moves a weight at most about {STEP_BOUND:g} x lr per step: {short['updates']} updates "
                       f"at {fmt(lr)} reach {fmt(short['reach'])}, but producing targets this large from these inputs "
                       f"needs a weight of at least {fmt(short['needed_weight'])}")
    slow = slow_fall(run, name, lr) if state is False else None
    if slow:
        evidence.update(slow)
        reasons.append(f"after {slow['updates']} updates the loss is still falling {slow['loss_drop_last_window']:.0%} "
                       f"per fifth of training at learning rate {fmt(lr)}, {fmt(slow['usual_learning_rate'] / lr)}x below "
                       f"the usual {fmt(slow['usual_learning_rate'])} for {name or 'sgd'}: the rate sets this slow pace")
    flat = flat_at_low_rate(run, name, lr) if state is False and not slow else None
    if flat:
        evidence.update(flat)
        reasons.append(f"after {flat['updates']} updates the loss has not fallen ({fmt(flat['loss_start'])} to "
                       f"{fmt(flat['loss_end'])}) at learning rate {fmt(lr)}, {fmt(flat['usual_learning_rate'] / lr)}x "
                       f"below the usual {fmt(flat['usual_learning_rate'])} for {name or 'sgd'}: steps this small "
                       "leave the network where it started")
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
            evidence["update_ratio_low"] = True
    if not reasons:
        return
    measured = "update_ratio_low" in evidence or bool(slow) or bool(flat)
    yield Finding(
        code="NF104",
        message="learning-rate-too-low: " + "; ".join(reasons),
        fix=(f"raise the learning rate to {fmt(good)}" if not short or lr < good else
             f"train for at least {math.ceil(short['needed_weight'] / (STEP_BOUND * lr))} updates, or raise the learning rate "
             f"to {fmt(lr * short['needed_weight'] / short['reach'])}; or scale the inputs and targets"),
        evidence=evidence, location=location(run, line=line),
        explanation="tiny steps leave the network near its random start",
        basis="measured" if measured else "data" if short else "setting",
        margin=max((STATIC_LOW / lr) if lr else 1.0,
                   (RATIO_LOW / evidence["update_ratio"]) if evidence.get("update_ratio") else 1.0,
                   short["needed_weight"] / short["reach"] if short else 1.0,
                   SLOW_PROGRESS / max(crawl["usual_rate_updates"], 1e-9) if crawl else 1.0,
                   slow["usual_learning_rate"] / lr if slow else 1.0,
                   flat["usual_learning_rate"] / lr if flat else 1.0),
        # measured on a failing run: it explains the failure (ranked above symptoms such as NF122)
        severity=Severity.ERROR if ("update_ratio" in evidence or slow or flat) and state is False else Severity.WARNING,
        # the slow fall is also what too-few-updates reads: at this rate more updates are the slow way
        explains=["NF102"] if slow else [],
    )
