"""Capacity chosen by validation: a small successive-halving search over widths and depths.

The usual width is trained first (nnfit.fit). When it leaves a large validation error, the other
candidates each get a short fit (warm start + a few second-order steps); the better half, on
validation, goes on with twice the steps; and so on until one is left, which is trained to the end
and kept if it validates better than the first. One hidden layer is often best under Levenberg-Marquardt; oscillatory
targets need more units or a second layer, and only validation can tell which (measured on the
DSO table: neither a fixed width nor a fixed depth won on every row).
"""
from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable

from torch import nn

from nnfit import models

# Widths tried per input count: the first is the width that polished best in earlier measurements
# (models.default_hidden), then two layers of about half its width (and twice as wide, one layer,
# when WIDE_CHALLENGER is on).
BASE_WIDTH = {1: 24, 2: 40, 3: 48}
# The wider one-layer challenger (2 x BASE_WIDTH) is not tried: it never won. On 7 random 2-input DSO
# rows without a read-back formula (random.Random(20261203), table mode, network only, load 8-11) its
# validation RMSE after the first round was 7-550x the usual width's final one (0.22, 0.011, 0.0028,
# 0.0045, 1.05x on Livermore2-Vars2-7) and 1.00x on Neat-7 (0.965 against 0.967, both no better than
# the mean), while it took 7-23 s of each fit; the two-layer challenger won on 3 of those rows (2.4x,
# 1.2x, 1.2x). The session before saw the same (random.Random(20261202): never won, 22-31 s).
WIDE_CHALLENGER = False
# At most one parameter per this many training rows: with fewer rows per parameter the held-out
# error drifted away from the validation error on the DSO rows (validation still decides below it).
ROWS_PER_PARAMETER = 2.5
# Levenberg-Marquardt solves a P x P system per step (P**3/3 flops): past this many parameters a
# step costs more than ~30 ms on one core and a fit no longer fits its budget.
MAX_PARAMETERS = 900


# Challengers are tried only when the usual width leaves a validation RMSE (standardised units) above
# this: on the 1-D seed targets it reached <= 3e-7 and residual stages used the time better; on the
# oscillatory 2-D DSO rows (Keijzer-11, Jin-6) it stopped near 1e-2, where capacity is what is missing.
CHALLENGE_ABOVE = 1e-5
CHALLENGE_MIN_SHARE = 0.25   # ... and only with at least this share of the budget left
# In the halving's first round each challenger gets at most an equal share of the time left: without
# it the wider one-layer net (481 parameters on 3 inputs, each LM step 4x the usual width's) used
# 21-28 s of the halving on Livermore2-Vars3-1, -2 and -9 and the two-layer one, started last, got
# 1.2-1.8 s (6.96 s on -1), too few steps to be compared.
FIRST_ROUND_EQUAL_SHARE = True
CHALLENGER_SHARE = 0.8       # of the time left then, the challengers (halving + the winner's polish) get this
# Equal steps for the incumbent too: a challenger goes on after the first round only if its validation
# error is below the one the usual width had after the same number of second-order steps (its polish's
# first first_steps steps, from the fit's history); when no challenger is, the search ends there
# and the winner's long polish is not run. Before this rule, on a random subset of DSO 2-3-input rows
# (random.Random(20261202), table mode, load 4-9) the wider one-layer challenger never won, and the
# search took 22-31 s of the 60 on Neat-8, Livermore2-Vars2-22 and -Vars3-4 where it ended 0.9-1.1x
# of the usual width's validation error (Vars3-4: the usual width stayed best).
BEAT_THE_INCUMBENT = True


@dataclasses.dataclass
class Trial:
    hidden: tuple[int, ...]
    net: nn.Sequential | None
    val_mse: float
    rounds: int = 0
    seconds: float = 0.0

    def record(self, n_inputs: int) -> dict[str, object]:
        return {"hidden": list(self.hidden), "parameters": models.parameter_count(n_inputs, self.hidden),
                "validation_rmse": math.sqrt(self.val_mse) if math.isfinite(self.val_mse) else None,
                "rounds": self.rounds, "seconds": round(self.seconds, 2)}


def candidates(n_inputs: int, n_train: int) -> list[tuple[int, ...]]:
    """Architectures to try, each shrunk until it fits the row and parameter caps; duplicates dropped."""
    base = BASE_WIDTH.get(n_inputs, 32)
    wanted: list[tuple[int, ...]] = [(base,)] + ([(2 * base,)] if WIDE_CHALLENGER else []) + [(max(8, base // 2),) * 2]
    limit = min(MAX_PARAMETERS, int(n_train / ROWS_PER_PARAMETER))
    chosen: list[tuple[int, ...]] = []
    for hidden in wanted:
        while models.parameter_count(n_inputs, hidden) > limit and max(hidden) > 4:
            hidden = tuple(max(4, w * 3 // 4) for w in hidden)
        if hidden not in chosen:
            chosen.append(hidden)
    return chosen


def successive_halving(architectures: list[tuple[int, ...]],
                       start: Callable[[tuple[int, ...], int, float], tuple[float, nn.Sequential]],
                       resume: Callable[[nn.Sequential, int], float],
                       first_steps: int, deadline: float, bar: float = math.inf) -> tuple[Trial, list[Trial]]:
    """start(hidden, steps, deadline) -> (val_mse, net); resume(net, steps) -> val_mse. Best trial and
    all trials.

    Round k gives each survivor first_steps * 2**k second-order steps and keeps the better half. In
    the first round each candidate may use at most an equal share of the time left to the deadline
    (FIRST_ROUND_EQUAL_SHARE); a candidate not started in time is skipped. bar: the validation MSE the
    incumbent had after the same first_steps steps; a candidate that does not get below it in the
    first round goes no further (BEAT_THE_INCUMBENT), and when none does the search ends there (the
    best trial returned is then above the bar).
    """
    trials: list[Trial] = []
    for index, hidden in enumerate(architectures):
        now = time.perf_counter()
        if trials and now > deadline:
            break
        share = (deadline - now) / (len(architectures) - index) if FIRST_ROUND_EQUAL_SHARE else deadline - now
        began = time.perf_counter()
        val, net = start(hidden, first_steps, min(deadline, now + share))
        trials.append(Trial(hidden, net, val, 1, time.perf_counter() - began))
    alive = sorted(trials, key=lambda t: t.val_mse)
    if BEAT_THE_INCUMBENT and alive[0].val_mse < bar:
        alive = [t for t in alive if t.val_mse < bar]
    elif BEAT_THE_INCUMBENT:
        alive = alive[:1]
    steps = first_steps
    while len(alive) > 1:
        alive = alive[: (len(alive) + 1) // 2]  # the better half, rounded up (3 -> 2 -> 1)
        if len(alive) == 1 or time.perf_counter() > deadline:
            break
        steps *= 2
        for trial in alive:
            began = time.perf_counter()
            assert trial.net is not None
            trial.val_mse = resume(trial.net, steps)
            trial.rounds += 1
            trial.seconds += time.perf_counter() - began
        alive.sort(key=lambda t: t.val_mse)
    best = alive[0]
    for trial in trials:
        if trial is not best:
            trial.net = None  # free the losers
    return best, trials
