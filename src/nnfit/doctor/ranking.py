"""The ranking model: which finding explains the failure, declared once for every rule.

No rule sets its own rank. A rule says what its finding is (its catalogue `kind`) and what its
evidence is (`Finding.basis`, `Finding.margin`); this module turns that into an order and a severity:

1. Tiers, in this order:
   causes with error severity, causes with warning severity, symptoms, advice, info.
   A *cause* explains why training fails (a learning rate, the data's scale, the output layer ...).
   A *symptom* (loss-not-decreasing, dead / saturated units, vanishing / exploding gradients) is what a
   cause does to training: when at least one cause was found, each symptom is shown as the
   consequence of the causes found (`consequence_of`) with at most warning severity; it stands alone,
   with its own severity, only when no cause was found.
   *Advice* is about the code (Keras 2 names, Python 2 syntax, the metric) and never outranks a cause.
   A symptom finding whose own evidence names its cause (Finding.kind = "cause": a vanishing gradient
   measured through a stack of sigmoid layers, the shrink their derivative bound predicts) is a cause.
2. Within a tier, the strength of the run's own evidence:
       strength = BASIS[basis] + MARGIN_PER_DECADE * min(MAX_DECADES, log10(margin))
   basis   "measured": this run's measurements show the fault acting (divergence, NaN, saturation,
                       a loss that levels off, the loss computed on broadcast shapes);
           "data":     facts of the data as trained on (ranges, shapes, dtypes, class counts, order);
           "setting":  a configuration value known to fail (learning rate, epochs, units, loss);
           "code":     a pattern in the source, nothing measured (lint without data).
   margin  how far past the rule's own threshold the evidence lies (2.0: twice the threshold).
   So a measurement outranks a fact of the data at the same margin, and a fact three decades past
   its threshold outranks a measurement just past its own.
   One cause can produce another's evidence; EXPLAINS declares the few such pairs (a cause -> the
   findings whose measurements it produces), and a finding may name more from its own evidence
   (`Finding.explains`: a rate measured too low on a loss still falling slowly explains the "too few
   updates" that the same slow fall shows). When both are found the explained finding ranks just
   below the one that explains it, no more severe and at most a warning (a consequence, as a symptom
   beside a cause is), and says so (`consequence_of`).
3. Where repair ran (`apply_repair`), the measured effect of each fix replaces the evidence strength:
   a fix that raised the held-out metric ranks its finding by that gain (above every unrepaired
   finding of its tier); a fix that was tried and changed nothing drops below the untested ones.
4. Severity a user can trust (`assess`): on a run that fits well (best known R² or accuracy >=
   GOOD_FIT, held-out when measured) no finding is an error, and a warning whose evidence is only a
   setting, a code pattern or a fact of the data (nothing this run measured shows it hurting) becomes info. A static run
   (lint) has no measurements: its severities are the rules' own. A watched run whose data were read
   from its script's text (the monitor saw none) gets no error from those data alone (info when it
   measured no fit at all); on a watched run that measured neither a fit nor a loss, a warning from a
   setting alone is info and an error from a setting alone is a warning.
5. Facts read from the text rank below facts of the run (`from_text`): on a watched run, a finding whose
   evidence was read from the script's text rather than observed by the monitor (data the monitor did
   not see, `data.exact` False; the learning rate of a hand-written loop, read statically) gets the same
   severity cap as in 4 and, within its tier, ranks below every finding the run itself observed.

Ties: position in the file, then the code.
"""
from __future__ import annotations

import math

from nnfit.doctor.findings import ADVICE, CATALOGUE, SYMPTOM, Finding, Severity

BASIS = {"measured": 0.6, "data": 0.5, "setting": 0.4, "code": 0.3}
MARGIN_PER_DECADE = 0.1
MAX_DECADES = 3.0
# The bar for "trains well": held-out R² >= 0.99 on a regression, accuracy >= 0.99 on a
# classification (nnfit's own fits reach 0.999+; the corpus's fixed programs 0.97-1.0).
GOOD_FIT = 0.99
# cause -> findings whose evidence it produces when present (ordered batches make the loss swing, which
# reads as a too-high rate; a broadcast loss levels off early, which reads as too few updates / too small
# a model)
# Unscaled data make any fixed learning rate too large for them: the gradient grows with the scale of
# the inputs (squared) and of the targets, so a diverging loss is read as the data's doing (the tuning
# half's programs with both findings name the scaling as the cause).
# A loss whose optimum is a constant (broadcast shapes), an output that cannot reach the targets, a
# loss that does not fit the output: each leaves the gradient (nearly) zero once the network sits at
# that optimum, and weights that barely move read as a too-low rate (NF104); the tuning half's
# programs with such a fault and NF104 (discuss-pytorch-148155, so-63909566, se-stats-565956) are
# fixed by the fault's own fix with the learning rate unchanged (their labels' fix_addresses).
# A loss that does not fit the output (NF126) measures the wrong thing: its trend (still falling, stuck
# at a constant's level) is no evidence about the number of updates (NF102) either.
EXPLAINS = {
    "NF105": {"NF103", "NF112", "NF124"},
    "NF106": {"NF103", "NF112", "NF124"},
    "NF129": {"NF103", "NF124"},
    "NF125": {"NF102", "NF115", "NF106", "NF105", "NF104"},
    # an output layer that cannot express the classes (softmax over one unit is constant 1; fewer units
    # than classes) leaves every loss measuring a network that cannot answer: a loss-output mismatch
    # beside it (MSE on that softmax) shows its harm through the output's fault, and fixing the loss alone
    # changes nothing (the tuning half's gh-keras-team-keras-126: softmax over one unit with MSE, fixed by
    # the sigmoid alone); the slow fall it leaves reads as too few updates or, at a low rate, as that
    # rate (NF104's slow-fall evidence is NF102's, so what explains one explains the other; the tuning
    # half's gh-pytorch-tutorials-1526: a ReLU on the logits before CrossEntropyLoss, SGD 1e-3)
    "NF130": {"NF102", "NF131", "NF126", "NF104"},
    "NF107": {"NF104"},
    "NF126": {"NF104", "NF102"},
    # a classification loss on real-valued targets (BCE-with-logits on a regression: unbounded below for
    # targets outside [0, 1]) is minimised by something other than the targets: its curve (falling past
    # zero, jumping on a probe batch, levelling off) says nothing about the rate or the count of updates
    "NF110": {"NF102", "NF103", "NF104"},
    # a step that is not -lr * (this step's gradient) (gradients summed over every step, a hand-written
    # rule) makes the loss swing or stall whatever the rate: the rate's evidence is its doing. The data's
    # scale and the gradients' size act on training only through that step (unscaled inputs or targets
    # make -lr * gradient too large; vanishing / exploding gradients make it too small / large): with a
    # step that does not descend, scaling the data or mending the gradients' flow leaves a loss that
    # still cannot fall, and so do more updates or a larger network (a count or a size is evidence only
    # about a descent): their findings rank below the rule's and are shown as riding on it
    "NF116": {"NF103", "NF104", "NF112", "NF124", "NF105", "NF106", "NF111", "NF102", "NF115"},
}
# ... except a rate too high for data of order 1 as well: a rate measured overshooting (NaN, divergence,
# oscillation) at or past learning-rate-too-high's static bar (Adam-family >= 0.05, SGD >= 0.5, that rule's
# STATIC_ADAPTIVE / STATIC_SGD: the rates that overshoot with data of order 1, its evidence
# "rate_past_static_bar") diverges whatever the data's scale, so scaling the data does not explain it
# away: NF103 keeps its own rank beside NF105 / NF106 (an unseen program, SGD 0.5 on a tanh network
# with targets of spread 31, still diverges with the targets standardised; at 0.05 it fits).
# Likewise a count of updates below too-few-updates' bar (MIN_UPDATES, its evidence "few_updates") is a
# fact of the settings, not a reading of the loss's trend: a loss that does not fit the output (NF126) or
# an output that cannot answer (NF130) explains the trend NF102 reads (see EXPLAINS), not a count of 20
# updates, which is too few whatever the loss measures (the tuning half's gh-keras-team-keras-7196: one
# epoch of 20 updates, labelled too-few-updates first, beside categorical cross-entropy on sigmoid outputs).
OWN_SCALE = {"NF105": {"NF103": "rate_past_static_bar"}, "NF106": {"NF103": "rate_past_static_bar"},
             "NF126": {"NF102": "few_updates"}, "NF130": {"NF102": "few_updates"}}
# On a run that fits well, a warning resting on these bases alone becomes info: a setting, a code
# pattern or a fact of the data (integer-typed targets, an offset input) that this training fitted
# anyway is noted, not an alarm; only a measurement of this run (an oscillating loss) keeps a warning.
UNMEASURED = ("setting", "code", "data")
# A repair gain below this (in R² or accuracy) is no measured effect.
NO_EFFECT = 0.01


def strength(f: Finding) -> float:
    margin = f.margin if f.margin and math.isfinite(f.margin) else (10.0 ** MAX_DECADES if f.margin else 1.0)
    decades = min(MAX_DECADES, max(0.0, math.log10(max(margin, 1.0))))
    return BASIS.get(f.basis, BASIS["setting"]) + MARGIN_PER_DECADE * decades


def kind(f: Finding) -> str:
    """The finding's own kind when its evidence names a cause (Finding.kind), else the catalogue's."""
    return f.kind or CATALOGUE[f.code].kind


def tier(f: Finding) -> int:
    k = kind(f)
    if f.severity is Severity.INFO:
        return 4
    if k == ADVICE:
        return 3
    if k == SYMPTOM:
        return 2
    return 0 if f.severity is Severity.ERROR else 1


def _key(f: Finding) -> tuple:
    if f.repair_gain is not None:
        score = 1.0 + f.repair_gain if f.repair_gain >= NO_EFFECT else f.score - 1.0
    else:
        score = f.score
    return (tier(f), f.from_text and f.repair_gain is None, -score, f.location.line or 0, f.code)


def read_from_text(f: Finding, run) -> bool:  # noqa: ANN001 - TrainingRun
    """On a watched run: were this finding's facts read from the script's text, not observed? Data the
    monitor did not see (`data.exact` False), or a learning rate the monitor could not see (a hand-written
    update loop, whose rate the static reader read) behind a finding that rests on a setting or code."""
    if run.is_static:
        return False
    if f.basis == "data" and not run.data.exact:
        return True
    if run.framework == "numpy":
        return False        # `doctor check` runs the network's own update with the rate it was built with
    opt = run.config.optimizer
    text_rate = opt is not None and bool(opt.arguments.get("hand_written"))
    return text_rate and f.basis in ("setting", "code") and "learning_rate" in f.evidence


def order(findings: list[Finding]) -> list[Finding]:
    for f in findings:
        if not f.score:
            f.score = strength(f)
    return sorted(findings, key=_key)


def fit_metric(run) -> float | None:  # noqa: ANN001 - TrainingRun (imported lazily: no cycle)
    """The best evidence of how well the run fits: held-out first, else training; accuracy on a
    classification, R² on a regression (None when unmeasured)."""
    fit = run.fit
    classification = run.task is not None and run.task != "regression"
    if classification:
        return fit.heldout_accuracy if fit.heldout_accuracy is not None else fit.train_accuracy
    r2 = fit.heldout_r2 if fit.heldout_r2 is not None else fit.train_r2
    return None if r2 is None or not math.isfinite(r2) else r2


def assess(findings: list[Finding], run) -> list[Finding]:  # noqa: ANN001
    """Strengths, symptoms as consequences, severities from the run's evidence; then the order."""
    for f in findings:
        f.score = strength(f)
    present = {f.code: f for f in findings}
    pairs = {code: set(explained) for code, explained in EXPLAINS.items()}
    for f in findings:      # a finding whose own evidence produces another's (Finding.explains)
        if f.explains:
            pairs.setdefault(f.code, set()).update(f.explains)
    consequences: list[tuple[Finding, Finding]] = []
    for code, explained in pairs.items():
        if code in present:
            for f in findings:
                if f.code in explained and not f.evidence.get(OWN_SCALE.get(code, {}).get(f.code, "")):
                    f.score = min(f.score, present[code].score - 0.001)
                    if f.severity.rank < present[code].severity.rank:
                        f.severity = present[code].severity     # no more alarming than its explanation
                    consequences.append((f, present[code]))
                    if code not in f.consequence_of:
                        f.consequence_of.append(code)
    causes = [f for f in findings if kind(f) not in (SYMPTOM, ADVICE) and f.severity is not Severity.INFO]
    if causes:
        names = [c.code for c in order(list(causes))]
        for f in findings:
            if kind(f) == SYMPTOM:
                f.consequence_of = names
                if f.severity is Severity.ERROR:
                    f.severity = Severity.WARNING
                lead = CATALOGUE[names[0]].name
                if "consequence of" not in f.message:
                    f.message += f" (a consequence of {lead}" + (f" and {len(names) - 1} more" if len(names) > 1 else "") + ")"
    for f in findings:
        f.from_text = read_from_text(f, run)
    if any(f.from_text for f in findings):
        # data (or a hand-written loop's rate) read from the script's text beside a watched run (nothing
        # measured them): whether the fault hurt this training only a measured fit can say (warning when
        # the run measured a poor one, info when it measured none)
        cap = Severity.INFO if fit_metric(run) is None else Severity.WARNING
        for f in findings:
            if f.from_text and f.severity.rank < cap.rank:
                f.severity = cap
    if not run.is_static and fit_metric(run) is None and not (run.history.loss or run.history.batch_loss):
        # a watched run that measured neither a fit nor a loss (a loop the monitor could not see into):
        # a warning from a setting alone has nothing of this run behind it, and an error from a
        # setting alone (201 planned updates) shows no harm to this training either: a warning
        for f in findings:
            if f.severity is Severity.WARNING and f.basis in ("setting", "code") and kind(f) != ADVICE:
                f.severity = Severity.INFO
            elif f.severity is Severity.ERROR and f.basis == "setting" and kind(f) != ADVICE:
                f.severity = Severity.WARNING
    if not run.is_static:
        metric = fit_metric(run)
        if metric is not None and metric >= GOOD_FIT:
            for f in findings:
                if f.severity is Severity.ERROR:
                    f.severity = Severity.WARNING
                if f.severity is Severity.WARNING and f.basis in UNMEASURED and kind(f) != ADVICE:
                    f.severity = Severity.INFO
    for f, cause in consequences:
        # what another finding produces is its consequence, not a second fault to fix first: at most a
        # warning, as a symptom beside a cause is; decided on final severities, since a cause that ends
        # as a mere note (data read from the text only) has not shown that it produced anything
        if f.severity is Severity.ERROR and cause.severity is not Severity.INFO:
            f.severity = Severity.WARNING
    return order(findings)


def apply_repair(findings: list[Finding], gains: dict[str, float]) -> list[Finding]:
    """Re-rank after repair: `gains` maps a finding's code to the held-out metric gain its fix measured."""
    for f in findings:
        if f.code in gains and gains[f.code] is not None and math.isfinite(gains[f.code]):
            f.repair_gain = float(gains[f.code])
    return order(findings)
