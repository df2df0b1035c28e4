"""learning-rate-too-high (NF103)

What it finds: a learning rate so large that the loss diverges, oscillates instead of settling, or
becomes NaN/inf. Without a training history (a script read but not run) it warns about rates that
are large for the optimiser, especially with batch size 1 (Adam >= 0.05, SGD >= 0.5).
An early blow-up the network came back from, with no unit left dead or saturated and the weights
still moving, is only a warning (see DAMAGED). For plain SGD on a squared error the static rate is
judged at the data's scale (see SQUARED_ERROR). On a watched run that shows none of the measured signs,
a large setting is named only if the run's steps were large too (UPDATE_RATIO_HIGH on the first half).
Why it matters: each step overshoots the minimum it is heading for; the loss jumps around a level far
above what the network can reach, or grows without bound. Adam's step is about the learning rate per
weight whatever the gradient, so lr=0.1 moves every weight by ~0.1 on every sample.
Example: optimizer=keras.optimizers.Adam(0.1) with model.fit(..., batch_size=1)
Fix: lower the learning rate 10x (and again if the loss still jumps; Adam's default is 0.001), or
raise the batch size.
"""
from __future__ import annotations

import math
from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import fmt, healthy, index_inputs, location, loss_series, optimizer_facts, scale
from nnfit.doctor.run import TrainingRun
from nnfit.doctor.vocab import ADAPTIVE, canonical_loss

# Static warning thresholds (per optimiser family): 50x Adam's default; SGD 0.5. In the corpus the
# learning-rate cases use Adam 0.1-1.0 and SGD 0.5-5.0, the healthy ones Adam <= 0.05 and SGD 0.05.
STATIC_ADAPTIVE = 0.05
STATIC_SGD = 0.5
# Static, plain SGD on a squared-error loss: the gradient of a weight is its input times the error,
# 2 (f - y) x, so the first steps (f ~ 0) move it by about 2 lr |x| |y|. STATIC_SGD is the rate that
# overshoots with data of order 1; with unscaled data the same holds for the rate times
# max(1, |x|) max(1, |y|) (the largest input and target magnitudes read from the script). Not a fitted
# number: it is STATIC_SGD carried to the data's scale (the tuning half's se-stats-418955: SGD 0.01 on
# targets up to 9.8e3, diverging at step 4; gh-nethsix-gentle_tensorflow-10: 1e-7 x 99 x 198 = 0.002, no
# divergence in its run).
SQUARED_ERROR = {"mse"}
# Runtime: divergence = final loss >= DIVERGED x its minimum epoch loss (TheDeepChecker's 2x). Measured:
# learning-rate cases 5.8x and 12x; other failing cases <= 1.17x; healthy runs up to 2.2x (a converged
# loss wiggling near 1e-5), which the health gate keeps out.
DIVERGED = 2.0
# Runtime: median per-step update ratio ||dW||/||W|| above this supports (never alone makes) the
# finding: on its own it also fires on the first steps of healthy Adam runs.
UPDATE_RATIO_HIGH = 0.05
# Oscillation: share of epoch-to-epoch increases of the loss in the last half.
OSCILLATING = 0.35
# Oscillation of the loss of the current weights on a fixed probe batch (history.probe_loss): max/min
# over the second half of training, together with >= 35 % rises. Measured: learning-rate cases 22x-90x
# (seed 3: 76x-1426x); other failing cases 1.0-7.4x except exploding / wrong-loss runs (35x, 8874x,
# where NF103 is an allowed side finding); healthy runs up to 278x (gated out by health).
JUMP = 10.0
# Epoch-loss oscillation counts only with a real swing (max/min of the late epochs); small wiggles of a
# converging Adam run are not oscillation.
SWING = 2.0
# Early blow-up: within the first EARLY_SHARE of the updates that ran (at least EARLY_MIN_STEPS), the
# per-step loss rises to EARLY_JUMP x its first value, and the run ends no better than predicting the
# mean (training R² <= 0): the first steps overshot so far that the network never recovered (often its
# ReLU units die: the loss then sits at a constant prediction's level and looks flat, not diverging).
# Read from the tuning half (max per-step loss in the first 10 % / first loss): the programs labelled
# learning-rate-too-high jump 13.9x (gh-MorvanZhou-PyTorch-Tutorial-31, R² 0), 30.6x (se-ai-16557,
# R² 0; labelled vanishing-gradients, the rate is not its label) and 3e7x (se-stats-418955); every
# other repro and fixed program stays at or below 1.62x except MorvanZhou's fixed program (lr 0.4:
# 10.1x, then recovers to R² 0.95, which the R² <= 0 condition keeps out). 5 lies between 1.62 and 13.9.
EARLY_JUMP = 5.0
EARLY_SHARE = 0.1
EARLY_MIN_STEPS = 10
# The early blow-up is this run's failure only when it left lasting damage the run measured: units it
# killed or saturated (dead_fraction / saturated_fraction >= DAMAGED at the end) or weights that stopped
# moving (_common.STOPPED). A network that came back to the mean-prediction level with live units
# and moving weights was not kept there by the rate: what keeps it there is another finding's to name,
# and the jump alone is a warning. Read from the tuning half: gh-MorvanZhou-PyTorch-Tutorial-31 (labelled
# learning-rate-too-high) ends with 100 % dead units and weights at rest; se-ai-16557 (labelled
# vanishing-gradients, the same settings train with ReLU) ends with 0 % saturated, weights moving.
# DAMAGED is the dead-units rule's own threshold (half the layer). A loss that never came down (its last
# tenth still EARLY_JUMP times its first value) is lasting damage too, whatever the task: a network back
# at a constant prediction's level ends near its first loss (the probe tests/fixtures/rules_s9/
# k20_keras_adam_lr2_multiclass.py: Adam 2.0, the cross-entropy jumps 11x and stays there, at chance).
DAMAGED = 0.5
# The same early blow-up on a run that came back above the mean-prediction level (R² > 0) is still
# this run's failure when the run fails (below the healthy bar, or the reference fit's) and the damage
# lasts: half a layer dead or saturated at the end, the units the first overshooting steps killed,
# which the rest of training never revived (the network fits with what is left). Read from the tuning
# half: gh-MorvanZhou-PyTorch-Tutorial-31's fixed program (SGD 0.4: a 10x jump, 80 % of its ReLU layer
# dead) fits as well as its reference (R² 0.95 against 0.957) and is kept out by the failing condition;
# no other tuning program, repro or fixed, jumps past EARLY_JUMP (above). The probe
# tests/fixtures/rules_s6/p2_torch_adam_positional_lr.py (Adam 0.3: a 46x jump, 85 % dead, R² 0.95
# against a reference 0.9994) is the case it is for. No new threshold: EARLY_JUMP and DAMAGED as above.
# Small batches are compared in blocks of BLOCK_ROWS rows (block_losses, at most one epoch's steps): the
# loss of one small batch is the loss of its few rows, and rows differ (a regression's squared error on a
# constant prediction is (y - f)^2 row by row: batch-1 steps on targets 10 and 40 differ 16x before any
# weight has moved). EARLY_JUMP above was read from runs in batches of 32 rows or more (the tuning half's
# three early-jump programs train full-batch or in batches of 32 and 100), where a batch's loss is
# already the mean over that many rows; BLOCK_ROWS carries that reading to smaller batches by averaging
# consecutive steps over as many rows (32: Keras's default batch size, the smallest batch the threshold
# was read from). A run in batches of 32 or more is read step by step, as before.
BLOCK_ROWS = 32


def _rate_for_data_scale(run: TrainingRun, name: str, lr: float | None) -> float | None:
    """lr x max(1, |x|) x max(1, |y|) when it reaches STATIC_SGD for plain SGD on a squared error (None:
    below it, another optimiser or loss, or the data not known)."""
    if lr is None or name not in ("sgd", "") or canonical_loss(run.config.loss) not in SQUARED_ERROR \
            or index_inputs(run):
        return None     # token indices read by an embedding are not magnitudes
    x, y = scale(run.data.inputs), scale(run.data.targets)
    if x is None or y is None:
        return None
    value = lr * max(1.0, x) * max(1.0, y)
    return value if value >= STATIC_SGD else None


def steps_per_block(run: TrainingRun) -> int:
    """How many consecutive per-step losses make one comparable value (see BLOCK_ROWS): the number of
    batches nearest BLOCK_ROWS rows, never more than one epoch's steps; 1 for batches of BLOCK_ROWS rows or more, or
    when the batch size is unknown."""
    h, batch = run.history, run.config.batch_size
    if not batch or batch >= BLOCK_ROWS or not h.batch_loss:
        return 1
    per_epoch = len(h.batch_loss) / len(h.loss) if h.loss else (
        math.ceil(run.data.n_samples / batch) if run.data.n_samples else None)
    # the whole number of batches whose rows come nearest BLOCK_ROWS (batches of 17-31 rows: their own
    # blocks, already means over about as many rows as the threshold was read from)
    want = max(1, round(BLOCK_ROWS / batch))
    return max(1, min(want, int(per_epoch))) if per_epoch else want


def block_losses(run: TrainingRun) -> tuple[list[float], int]:
    """(the per-step losses averaged over blocks of steps_per_block steps, that block length): batches
    of BLOCK_ROWS rows or more are their own blocks. A block with a NaN / inf step is NaN / inf."""
    steps, k = run.history.batch_loss, steps_per_block(run)
    if k <= 1:
        return list(steps), 1
    return [sum(steps[i:i + k]) / k for i in range(0, len(steps) - k + 1, k)], k


def early_jump(run: TrainingRun) -> tuple[float, int] | None:
    """(the largest per-step loss in the first EARLY_SHARE of the updates, at least EARLY_MIN_STEPS, over
    the first one; the index of that step), or None with fewer than 3 finite steps or a first loss of 0.
    Small batches are read in blocks (block_losses): the first block against the later ones, and the step
    index is the last of the block that peaked."""
    blocks, k = block_losses(run)
    span = max(EARLY_MIN_STEPS, int(EARLY_SHARE * len(run.history.batch_loss)))
    early = [v for v in blocks[:max(3, math.ceil(span / k))] if math.isfinite(v)]
    if len(early) < 3 or early[0] <= 0:
        return None
    top = max(early[1:])
    return top / early[0], (early.index(top) + 1) * k - 1


def _lasting_damage(run: TrainingRun) -> str | None:
    """What the run measured broken at its end: dead or saturated units, weights at rest (None: nothing)."""
    from nnfit.doctor.rules._common import weights_stopped

    for what, fractions in (("dead", run.history.dead_fraction), ("saturated", run.history.saturated_fraction)):
        hit = [(name, v[-1]) for name, v in fractions.items() if v and v[-1] >= DAMAGED]
        if hit:
            name, frac = max(hit, key=lambda t: t[1])
            return f"{frac:.0%} of layer '{name}' {what}"
    if weights_stopped(run):
        return "the weights at rest"
    steps = [v for v in block_losses(run)[0] if math.isfinite(v)]
    k = max(1, len(steps) // 10)
    if len(steps) >= 2 * k + 1 and steps[0] > 0:
        # the blow-up never came down: the last tenth of the per-step losses still sits EARLY_JUMP times
        # above the first (a classifier's softmax saturated on the wrong classes, a regression's outputs
        # thrown far off); a run that came back to a constant prediction's level ends near its first loss
        # (se-ai-16557 above: R² 0, a mean-level loss). EARLY_JUMP's own bar, carried to the end of the run.
        end = sum(steps[-k:]) / k
        if end >= EARLY_JUMP * steps[0]:
            return f"the loss still {end / steps[0]:.0f}x its first value at the end"
    return None


def _never_recovered(run: TrainingRun) -> bool:
    """The run ends no better than the best constant answer: a regression's training R² <= 0 (the mean's),
    a classifier's training accuracy short of ABOVE_CHANCE of the way from the majority share to 1 (the
    shared bar for telling the classes apart, rules/_common.py) or its predictions collapsed onto one
    class (loss_output_mismatch.COLLAPSED, the class-imbalance rule's bar). The classifier's reading is
    the regression's carried to accuracy, not a new threshold: a blown-up classifier's loss sits at a
    constant's level (or far above) and its R² is not defined."""
    if run.task in (None, "regression"):
        r2 = run.fit.train_r2
        return r2 is not None and r2 <= 0.0
    from nnfit.doctor.rules._common import ABOVE_CHANCE, accuracy_gain_share
    from nnfit.doctor.rules.loss_output_mismatch import COLLAPSED

    gain = accuracy_gain_share(run)
    collapsed = run.fit.majority_fraction is not None and run.fit.majority_fraction >= COLLAPSED
    return (gain is not None and gain < ABOVE_CHANCE) or collapsed


def _median(values: list[float]) -> float | None:
    vals = sorted(v for v in values if math.isfinite(v))
    return vals[len(vals) // 2] if vals else None


@rule("NF103")
def learning_rate_too_high(run: TrainingRun) -> Iterator[Finding]:
    state = healthy(run)
    name, lr, line = optimizer_facts(run)
    limit = STATIC_ADAPTIVE if name in ADAPTIVE else STATIC_SGD if name in ("sgd", "") else None
    large = lr is not None and limit is not None and lr >= limit
    if state is True and not large:
        return   # a run that fits, with an ordinary rate: nothing to explain
    batch = run.config.batch_size
    lower = lr / 10 if lr else None   # one decade at a time; repair re-trains to show it is enough
    fix = f"lower the learning rate to {fmt(lower)}" if lower else "lower the learning rate 10-100x"
    if batch is not None and batch <= 4:
        fix += f", or raise batch_size from {batch} to 32"
    evidence: dict = {"optimizer": name or None, "learning_rate": lr, "batch_size": batch}

    series = loss_series(run)
    scaled = _rate_for_data_scale(run, name, lr) if state is None or not series else None
    if scaled is not None and not large:
        evidence["rate_times_data_scale"] = scaled
        yield Finding(
            code="NF103", severity=Severity.WARNING,
            message=f"learning-rate-too-high: plain {name or 'SGD'} at learning rate {fmt(lr)} on a squared error "
                    f"with data this large: the first steps move a weight by about 2 x lr x |x| x |y| "
                    f"({fmt(2 * scaled)})",
            fix=fix + "; or scale the inputs and targets (the rate then fits data of order 1)",
            evidence=evidence, location=location(run, line=line),
            explanation="the gradient of a squared error grows with the inputs and the targets; a rate set for "
                        "data of order 1 overshoots and diverges on data hundreds of times larger",
            basis="data", margin=scaled / STATIC_SGD,
        )
        return
    if state is None or not series:  # static: only the configuration is known
        if not large:
            return
        yield Finding(
            code="NF103", severity=Severity.WARNING,
            message=f"learning-rate-too-high: {name or 'optimizer'} learning rate {fmt(lr)} is large"
                    + (f" for batch size {batch}" if batch and batch <= 4 else ""),
            fix=fix, evidence=evidence, location=location(run, line=line),
            explanation="steps this large overshoot the minimum; the loss oscillates or diverges",
            basis="setting", margin=lr / limit,
        )
        return

    reasons: list[str] = []
    margin = 1.0    # how far past its threshold the strongest sign lies
    early_only = False   # the only sign is an early blow-up that left no lasting damage
    finite = [v for v in series if math.isfinite(v)]
    if len(finite) < len(series):
        first_bad = next(i for i, v in enumerate(series) if not math.isfinite(v))
        reasons.append(f"loss became {series[first_bad]} at step {first_bad + 1}")
        evidence["nonfinite_at"] = first_bad + 1
        margin = 1000.0   # NaN / inf: past any threshold
    measured_jump = early_jump(run)
    if measured_jump is not None:
        jump, at = measured_jump
        evidence["early_jump"] = round(jump, 2)
        never_recovered = _never_recovered(run)
        # a run that came back part of the way still shows the blow-up's work when it failed and the
        # damage lasts (see the note below DAMAGED)
        damage = _lasting_damage(run) if jump >= EARLY_JUMP else None
        if jump >= EARLY_JUMP and (never_recovered or (damage and state is False)):
            reasons.append(f"the loss rose {fmt(jump)}x above its starting value in the first {at + 1} steps")
            margin = max(margin, jump / EARLY_JUMP)
            if damage:
                reasons[-1] += f" and left {damage}"
            else:
                early_only = True
    epoch_loss = [v for v in run.history.loss if math.isfinite(v)] or finite
    if epoch_loss:
        lo, last = min(epoch_loss), epoch_loss[-1]
        evidence["min_loss"], evidence["final_loss"] = lo, last
        if lo > 0 and last >= DIVERGED * lo and len(epoch_loss) >= 2:
            reasons.append(f"final loss {fmt(last)} is {fmt(last / lo)}x its minimum {fmt(lo)}")
            margin = max(margin, last / lo / DIVERGED)
        half = epoch_loss[len(epoch_loss) // 2:]
        if len(half) >= 4:
            ups = sum(b > a for a, b in zip(half, half[1:])) / (len(half) - 1)
            swing = max(half) / min(half) if min(half) > 0 else math.inf
            evidence["increase_share"] = round(ups, 2)
            evidence["late_swing"] = round(swing, 2) if math.isfinite(swing) else swing
            if ups >= OSCILLATING and swing >= SWING:
                reasons.append(f"loss rose in {ups:.0%} of the late epochs (oscillating)")
                margin = max(margin, swing / SWING)
    probe = [v for v in run.history.probe_loss if math.isfinite(v)]
    late = probe[len(probe) // 2:]
    if len(late) >= 6 and min(late) > 0:
        ups = sum(b > a for a, b in zip(late, late[1:])) / (len(late) - 1)
        jump = max(late) / min(late)
        evidence["probe_loss_jump"] = round(jump, 2)
        evidence["probe_loss_increase_share"] = round(ups, 2)
        if ups >= OSCILLATING and jump >= JUMP:
            reasons.append(f"late in training the loss on a fixed batch jumps {jump:.0f}x between checks "
                           f"and rises in {ups:.0%} of them")
            margin = max(margin, jump / JUMP)
    ratios = [_median(v[len(v) // 2:]) for v in run.history.update_ratio.values() if v]
    ratios = [r for r in ratios if r is not None]
    if ratios:
        top = max(ratios)
        evidence["update_ratio"] = top
        if top > UPDATE_RATIO_HIGH and reasons:
            reasons.append(f"each step changes weights by {top:.0%} of their size")
            margin *= 1.1
    if not reasons:
        # the steps this run measured were never large (the median per-step weight change of every layer's
        # first half below UPDATE_RATIO_HIGH, the rule's own bar): a large setting that moved the weights
        # this little is not overshooting anything (a sigmoid network whose gradients are small), and
        # lowering it only slows the run further
        early = [_median(v[:max(1, len(v) // 2)]) for v in run.history.update_ratio.values() if v]
        early = [r for r in early if r is not None]
        small_steps = bool(early) and max(early) < UPDATE_RATIO_HIGH
        if small_steps:
            evidence["early_update_ratio"] = max(early)
        if large and state is False and not small_steps:
            # a failing run at a rate past the static bar whose curve shows none of the signs above: the
            # setting is still the likeliest suspect worth naming, as lint names it (a warning, setting)
            yield Finding(
                code="NF103", severity=Severity.WARNING,
                message=f"learning-rate-too-high: {name or 'optimizer'} learning rate {fmt(lr)} is large"
                        + (f" for batch size {batch}" if batch and batch <= 4 else "")
                        + " and the run falls short of a good fit",
                fix=fix, evidence=evidence, location=location(run, line=line),
                explanation="steps this large overshoot the minimum; the loss oscillates or diverges",
                basis="setting", margin=lr / limit,
            )
        return
    early_only = early_only and len(reasons) == 1
    if large:
        # measured overshooting at a rate that overshoots on data of order 1 too (STATIC_ADAPTIVE /
        # STATIC_SGD): not the data's scale's doing (ranking.OWN_SCALE)
        evidence["rate_past_static_bar"] = True
    # a run that fits anyway: the large rate and the measured oscillation are worth a warning, no more;
    # an early blow-up the network came back from, with nothing left broken, is a warning too
    severity = Severity.WARNING if state is True or early_only else None
    if early_only:
        margin = 1.0
    yield Finding(
        severity=severity,
        code="NF103",
        message=f"learning-rate-too-high: {'; '.join(reasons)}" + (f" (lr {fmt(lr)}" + (f", batch size {batch})" if batch else ")") if lr else ""),
        fix=fix, evidence=evidence, location=location(run, line=line),
        explanation="steps this large overshoot the minimum; the loss oscillates or diverges",
        basis="measured", margin=margin,
    )
