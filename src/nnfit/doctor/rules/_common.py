"""Signals shared by the rules: read a TrainingRun, never a framework.

Every helper returns None for "unknown" (a static run has no history), so a rule can tell
"no evidence" from "evidence of health". Thresholds used by several rules live here, each with
the measurement that set it (see bench/doctor_bench.py and docs/doctor.md).
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable

from nnfit.doctor.findings import Location
from nnfit.doctor.run import LayerInfo, TrainingRun
from nnfit.doctor.vocab import CLASSIFICATION_LOSSES, REGRESSION_LOSSES, norm

# A run whose training R² (1 - final MSE / var(y)) reaches this is healthy: nothing to explain. nnfit
# aims at R² >= 0.999 fits. Measured on the corpus (bench/doctor_bench.py): healthy setups end at
# 0.9994-1.0; failing ones whose cause a rule must explain end at or below 0.96 (seed 3: 0.90-0.98).
# Several runtime signals (probe-loss jumps, loss swings, update ratios) overlap between healthy and
# failing runs and only separate behind this gate.
HEALTHY_R2 = 0.999
# A classifier that labels this share of its training rows right has nothing to explain (the issue's
# bar for a classification that trains well).
HEALTHY_ACCURACY = 0.99
# A network within this of the reference fit (doctor/reference.py: the better of least squares and
# ridge on random tanh features, 5-fold cross-validated) fits as well as its data allow. It is the
# spread of a 5-fold R² estimate on a few hundred rows (about 0.01), not a corpus-fitted number.
REFERENCE_SLACK = 0.02

def optimizer_facts(run: TrainingRun) -> tuple[str, float | None, int | None]:
    """(normalised optimiser name, learning rate, the line that sets them) for the learning-rate rules."""
    opt = run.config.optimizer
    if opt is None:
        return "", None, run.config.compile_line
    return norm(opt.name), opt.learning_rate, opt.line or run.config.compile_line


def index_inputs(run: TrainingRun) -> bool:
    """The network starts with an embedding: its inputs are token / category indices, not numbers to
    scale or to convert to floats."""
    first = next((layer for layer in run.layers if layer.kind not in ("activation", "dropout")), None)
    return first is not None and first.kind == "embedding"


def dense_layers(run: TrainingRun) -> list[LayerInfo]:
    return [layer for layer in run.layers if layer.kind == "dense"]


def hidden_layers(run: TrainingRun) -> list[LayerInfo]:
    return dense_layers(run)[:-1]


def output_layer(run: TrainingRun) -> LayerInfo | None:
    dense = dense_layers(run)
    return dense[-1] if dense else None


def activation(layer: LayerInfo) -> str:
    """The effective activation of a dense layer, including a following Activation layer."""
    return norm(layer.activation or "linear")


def n_inputs(run: TrainingRun) -> int | None:
    if run.data.inputs:
        return len(run.data.inputs)
    dense = dense_layers(run)
    return dense[0].input_units if dense else None


def is_regression(run: TrainingRun) -> bool | None:
    if run.task is not None:
        return run.task == "regression"
    if run.data.is_regression is not None:
        return run.data.is_regression
    loss = norm(run.config.loss)
    if loss in REGRESSION_LOSSES:
        return True
    if loss in CLASSIFICATION_LOSSES:
        return False
    return None


def scale(columns: Iterable) -> float | None:
    """Largest absolute value over some ColumnStats (None when unknown)."""
    values = [max(abs(c.min), abs(c.max)) for c in columns]
    return max(values) if values else None


def target_variance(run: TrainingRun) -> float | None:
    if not run.data.targets:
        return None
    return sum(c.std ** 2 for c in run.data.targets) / len(run.data.targets)


def has_history(run: TrainingRun) -> bool:
    return bool(run.history.loss or run.history.batch_loss)


def train_r2(run: TrainingRun) -> float | None:
    """Training R² at the end: measured by the monitor when it could predict, else from an MSE loss."""
    if classification(run):
        return None    # R² of class labels says nothing; rules judge a classifier by accuracy
    r2 = run.fit.train_r2
    if r2 is not None:
        return float(r2) if math.isfinite(r2) else -math.inf
    loss = final_loss(run)
    var = target_variance(run)
    if loss is None or not var or norm(run.config.loss) not in {"mse", "mean_squared_error", "mseloss"}:
        return None
    return 1.0 - loss / var if math.isfinite(loss) else -math.inf


def classification(run: TrainingRun) -> bool:
    return run.task is not None and run.task != "regression"


def healthy(run: TrainingRun) -> bool | None:
    """True: the run fits (nothing to explain); False: it fails; None: unknown (static).
    A classification is judged by its training accuracy, a regression by its training R²."""
    if classification(run):
        acc = run.fit.train_accuracy
        return None if acc is None else acc >= healthy_bar(HEALTHY_ACCURACY, run.fit.reference_accuracy)
    r2 = train_r2(run)
    if r2 is None:
        # nothing predicted (a hand-written loop with no model the monitor could drive): a loss that
        # ends non-finite is still a failure; otherwise unknown
        series = loss_series(run)
        if not run.is_static and series and not math.isfinite(series[-1]):
            return False
        return None
    return r2 >= healthy_bar(HEALTHY_R2, run.fit.reference_r2)


def healthy_bar(bar: float, reference: float | None) -> float:
    """The fit a run must reach to be healthy: `bar`, or, when these data do not allow it (a flexible
    reference model, cross-validated, stays below it: noisy targets), the reference less
    REFERENCE_SLACK. A network that fits as well as the data allow has nothing to explain."""
    if reference is None or reference >= bar:
        return bar
    return reference - REFERENCE_SLACK


def failing(run: TrainingRun) -> bool:
    """Known to fail, or unknown (static). Cause rules fire only then."""
    return healthy(run) is not True


def final_loss(run: TrainingRun) -> float | None:
    series = run.history.loss or run.history.batch_loss
    return float(series[-1]) if series else None


def loss_series(run: TrainingRun) -> list[float]:
    """The finest loss series available (per batch when the monitor recorded it)."""
    return list(run.history.batch_loss or run.history.loss)


def trend_series(run: TrainingRun) -> list[float]:
    """The series to judge a trend on: epoch losses when there are 5+, else the probe-batch losses,
    else the per-batch losses (noisy with small batches)."""
    if len(run.history.loss) >= 5:
        return list(run.history.loss)
    probe = run.history.probe_loss
    if len(probe) >= 5:
        return list(probe)
    return loss_series(run)


def windows_to_healthy(run: TrainingRun, drop: float | None) -> float | None:
    """At the current rate (a relative fall `drop` per 20 %-window of training), how many more windows
    until training R² reaches HEALTHY_R2? (inf when the loss is not falling; None when unknown.)"""
    r2 = train_r2(run)
    if r2 is None or drop is None:
        return None
    gap = (1 - r2) / (1 - HEALTHY_R2)
    if gap <= 1:
        return 0.0
    if drop <= 0:
        return math.inf
    return math.log(gap) / -math.log(1 - min(drop, 0.999))


def n_updates_planned(run: TrainingRun) -> int | None:
    """epochs * ceil(n / batch): the parameter updates the setup asks for (times the iterations each
    step of a quasi-Newton optimiser runs: torch's LBFGS makes up to max_iter updates per step())."""
    per_step = 1
    opt = run.config.optimizer
    if opt is not None and opt.name == "lbfgs":
        per_step = int(opt.arguments.get("max_iter") or 20)     # torch's default max_iter
    planned = run.n_updates_planned
    if planned:
        return int(planned) * per_step
    epochs, n = run.config.epochs, run.data.n_samples
    batch = run.config.batch_size
    if epochs is None or n is None:
        return run.history.n_updates * per_step if run.history.n_updates is not None else None
    if batch is None:
        batch = 32 if run.framework in ("keras", "static") else n
    return int(epochs) * math.ceil(n / max(1, batch)) * per_step


def tail_drop(series: list[float], fraction: float = 0.2) -> float | None:
    """Relative fall of the mean loss between the last two `fraction`-windows (>0: still falling)."""
    vals = [v for v in series if math.isfinite(v)]
    k = max(1, int(len(vals) * fraction))
    if len(vals) < 2 * k or len(vals) < 4:
        return None
    prev = sum(vals[-2 * k:-k]) / k
    last = sum(vals[-k:]) / k
    # a loss below zero (a cross-entropy on targets outside [0, 1], a custom loss) has no zero to
    # measure a relative fall against: no reading, rather than a "fall" of several hundred per cent
    return (prev - last) / prev if prev > 0 and last >= 0 else None


def head_drop(series: list[float], fraction: float = 0.2) -> float | None:
    """Relative fall of the mean loss between the first two `fraction`-windows (the rate at the start,
    to compare tail_drop with: a loss that has levelled off falls far slower at the end)."""
    vals = [v for v in series if math.isfinite(v)]
    k = max(1, int(len(vals) * fraction))
    if len(vals) < 2 * k or len(vals) < 4:
        return None
    first = sum(vals[:k]) / k
    second = sum(vals[k:2 * k]) / k
    return (first - second) / first if first > 0 else None


def _string_statement_lines(lines: list[str]) -> set[int]:
    """0-based numbers of the lines that belong to a string standing alone as a statement (a module or
    function docstring, a commented-out block in triple quotes): prose, not code. Empty when the text
    does not tokenize (pasted Python 2, broken indentation): then every line counts as code."""
    import io
    import tokenize

    skip = {tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING}
    found: set[int] = set()
    try:
        previous = tokenize.NEWLINE
        pending = None
        for tok in tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline):
            if tok.type in skip:
                continue
            if tok.type == tokenize.STRING and previous in (tokenize.NEWLINE, None) and pending is None:
                pending = (tok.start[0], tok.end[0])
            elif tok.type == tokenize.NEWLINE and pending is not None:
                found.update(range(pending[0] - 1, pending[1]))
                pending = None
            else:
                pending = None
            previous = tok.type if tok.type != tokenize.STRING or pending is None else None
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return set()
    return found


def code_lines(run: TrainingRun) -> list[str]:
    """The script's lines with their comments cut off and docstrings blanked (for the rules that read
    the code's text: a docstring that mentions `loss.backward()` is not the line that calls it)."""
    prose = _string_statement_lines(run.source_lines)
    return ["" if i in prose else text.split("#", 1)[0] for i, text in enumerate(run.source_lines)]


def first_line_matching(run: TrainingRun, pattern: "re.Pattern[str] | str") -> int | None:
    """The 1-based number of the first code line that matches `pattern` (a regex or a plain substring)."""
    match = pattern.search if hasattr(pattern, "search") else (lambda text: pattern in text)
    return next((i + 1 for i, text in enumerate(code_lines(run)) if match(text)), None)


def location(run: TrainingRun, line: int | None = None, layer: LayerInfo | None = None,
             layer_name: str | None = None) -> Location:
    span = layer.span if layer is not None else None
    return Location(
        file=run.source,
        line=line if line is not None else (layer.line if layer is not None else None),
        column=span[0] if span else None,
        end_column=span[1] if span else None,
        layer=layer.name if layer is not None else layer_name,
    )


def fmt(x: float | None) -> str:
    if x is None:
        return "?"
    if not math.isfinite(x):
        return str(x)
    if x == 0:
        return "0"
    if abs(x) >= 1e4 or abs(x) < 1e-3:
        return f"{x:.2g}"
    return f"{x:.3g}"


# How far from the majority share to 1 a classifier's training accuracy must be to count as telling the
# classes apart (read from the tuning half's classifiers: the distribution is in too_few_updates.py,
# beside AT_CONSTANT, which is read from the same runs). Shared by too-few-updates, loss-not-decreasing
# and loss-output-mismatch.
ABOVE_CHANCE = 0.25


def accuracy_gain_share(run: TrainingRun) -> float | None:
    """(training accuracy - majority share) / (1 - majority share) of a classifier (None: unknown)."""
    counts = run.data.class_counts or {}
    n = sum(counts.values())
    acc = run.fit.train_accuracy
    if not classification(run) or not n or acc is None or len(counts) < 2:
        return None
    majority = max(counts.values()) / n
    return (acc - majority) / (1 - majority) if majority < 1 else None


# Weights that have stopped moving: the median per-step update ratio ||dW||/||W|| of every layer over
# the second half of training is below float32's resolution (1.2e-7: a smaller step does not change a
# float32 weight). More updates of the same kind then change nothing (dead ReLU units, a loss without
# gradient), so neither the update count nor the rate is the explanation (too_few_updates, learning_rate_too_high). Not a fitted number: the tuning half's stuck runs
# (gh-MorvanZhou-PyTorch-Tutorial-31: all units dead after three steps) measure exactly 0, its
# learning runs 1e-6 and up (gh-nethsix-gentle_tensorflow-10 at lr 1e-7 still moves its weights).
STOPPED = 1.2e-7


def weights_stopped(run: TrainingRun) -> bool:
    """Every layer's late update ratio is below STOPPED (False when no ratio was measured)."""
    late = []
    for series in run.history.update_ratio.values():
        vals = sorted(v for v in series[len(series) // 2:] if math.isfinite(v))
        if vals:
            late.append(vals[len(vals) // 2])
    return bool(late) and max(late) < STOPPED


# The learning rate's bars shared by learning_rate_too_low and too_few_updates (kept here, where both
# rules read them, so that neither imports the other). STATIC_LOW: a rate below it is too low on its
# own (learning_rate_too_low's docstring says where it comes from).
STATIC_LOW = 1e-5
# Slow and steady: a failing run whose loss is still falling when training ends (too_few_updates's own
# test: more than 5 % per 20 %-window, or not levelled off), after at least too_few_updates.MIN_UPDATES
# updates (so the count is not small by that rule's bar), at a rate SLOW_RATE or more times below the
# family's usual one (vocab.good_learning_rate: plain SGD 1e-2, Adam-like 1e-3). The loss is going the
# right way at a pace the rate sets; the rate, not the count, is what to change (a decade more updates
# costs ten times the training; a decade more rate costs nothing). A factor of 10 is one decade, the
# step of the fix itself, not a fitted number. The tuning half's programs labelled too-few-updates first
# (cnpython-3299 and so-78199673: RMSprop 0.005, 100 updates; gh-nethsix-gentle_tensorflow-10: SGD 1e-7,
# 100 updates) all make fewer than MIN_UPDATES updates, and the programs whose rate is a decade below the
# usual one with more updates than that (fastai-18783: 1e-6 by hand, 5000 updates) are labelled
# learning-rate-too-low.
SLOW_RATE = 10.0
# Too slow to get anywhere (planned, from the script): a rate SLOW_RATE or more times below the family's
# usual one (vocab.good_learning_rate) with a planned update count whose worth at the usual rate,
# updates x lr / usual, is below SLOW_PROGRESS. Plain and adaptive steps both scale with the rate, so a
# tenth of the rate needs ten times the updates to go as far. Read from the tuning half's planned rate x
# updates (lint's own reading of posted.py and fixed.py), for the programs whose rate is a decade below
# the usual one: the failing ones labelled learning-rate-too-low make 4 usual-rate updates' worth or less
# (gh-microsoft-CNTK-699: SGD 1e-4 x 400 = 4; fastai-18783 0.5 and gh-Smadx-USTC-ML24-Fall-47 0.2, both
# below STATIC_LOW anyway), while the programs at such a rate that train well make 20 or more
# (discuss-pytorch-7618's fixed.py: SGD 1e-5 x 20001 = 20; gh-tensorflow-tensorflow-28718's: RMSprop
# 1e-4 x 500 = 50; gh-trentsartain-Neural-Network-7's: SGD 1e-4 x 16000 = 160; fastai-18783's: SGD 1e-3 x
# 5000 = 500). 10 lies between 4 and 20 (their geometric middle, rounded to a decade); no tuning program
# lies in between, so the exact bar is a choice. A setting, reported as a warning. Only for rates from
# STATIC_LOW up: below it the rate is reported on its own, and the worth is no measure there (the tuning
# half's gh-nethsix-gentle_tensorflow-10 fixed.py trains well at SGD 1e-7 x 1000, worth 0.01: on
# unscaled data the gradients are that much larger than on standardised ones).
SLOW_PROGRESS = 10.0


def usual_rate_worth(run: TrainingRun) -> dict | None:
    """The planned updates' worth at the usual rate (updates x lr / usual) when the rate is SLOW_RATE or
    more times below its family's usual one and that worth is below SLOW_PROGRESS; None otherwise."""
    from nnfit.doctor.vocab import good_learning_rate

    name, lr, _ = optimizer_facts(run)
    if not lr or lr <= 0 or not name or float(f"{lr:.6g}") < STATIC_LOW:
        return None
    usual = good_learning_rate(name)
    updates = n_updates_planned(run)
    if not far_below(lr, usual) or not updates or updates <= 0:
        return None
    worth = updates * lr / usual
    if worth >= SLOW_PROGRESS:
        return None
    return {"usual_learning_rate": usual, "updates": updates, "usual_rate_updates": round(worth, 3)}


def far_below(lr: float, usual: float) -> bool:
    """Is lr SLOW_RATE or more times below the usual rate? Compared at 6 significant digits, as the
    static bar is: Keras keeps the rate in float32, so 1e-3 reads back as 1.0000000474974513e-03 and ten
    times it would otherwise sit just above SGD's usual 1e-2."""
    return float(f"{lr * SLOW_RATE:.6g}") <= usual
