"""Patches of the user's own training script: each fix is an edit of its syntax tree.

`doctor run --repair` turns each finding it can fix into edits of the script itself (libcst keeps the
comments and the layout of everything it does not touch): the layer removed or widened, `epochs=` /
`batch_size=`, the built optimiser passed to `compile`, the learning rate, the output activation,
the loss, scaling inserted where the data enter training and undone on the predictions, Keras 2 names
mapped to Keras 3. One small edit function per kind of fix registers its edits against nodes of the
original tree (found by the line the run recorded); one transformer applies any set of them, so a
patch for one finding and the patch for all findings together come from the same edits.

    plan = plan_patches(source_text, path, capture, findings)
    plan.singles      # one Patch per fixable finding
    plan.combined     # all fixes together (None when nothing is fixable)
    patch.diff()      # a unified diff headed by the codes it fixes

The patched scripts are run by the same runner as the original (repair.py) and written with `--write`.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any

import libcst as cst

from nnfit.doctor.findings import CATALOGUE, Finding, Severity
from nnfit.doctor.patch.core import Context, Edits, Fix, Patch, Plan, _Apply
from nnfit.doctor.patch import handwritten  # noqa: F401 - sets Context.manual_step_sites
from nnfit.doctor.patch.training import LR_STEP, MAX_PATCH_UPDATES, _fix_batch, _fix_exploding, _fix_lr, _fix_optimizer, _fix_updates, _script_lr, _training
from nnfit.doctor.patch.layers import _fix_bad_init, _fix_bias, _fix_bottleneck, _fix_capacity, _fix_dead, _fix_legacy, _fix_output, _fix_saturation
from nnfit.doctor.patch.scaling import _fix_scaling
from nnfit.doctor.patch.losses import _fix_broadcast, _fix_class_output, _fix_loss, _fix_loss_output, _fix_metric, _log_extras
from nnfit.doctor.patch.data import _fix_imbalance, _fix_integer_data, _fix_unshuffled, _fix_validation_order
from nnfit.doctor.patch.grads import _fix_grad_reset
from nnfit.doctor.patch.crash import _fix_dtype, _fix_width

__all__ = ["NO_TRAINING_EFFECT", "FIXES", "Patch", "Plan", "RATE_SYMPTOMS", "plan_patches"]


FIXES: dict[str, Fix] = {
    "NF101": _fix_bottleneck, "NF102": _fix_updates, "NF103": _fix_lr, "NF104": _fix_lr,
    "NF105": _fix_scaling, "NF106": _fix_scaling, "NF107": _fix_output, "NF108": _fix_metric,
    "NF109": _fix_optimizer, "NF110": _fix_loss, "NF111": _fix_saturation, "NF112": _fix_exploding,
    "NF113": _fix_dead, "NF114": _fix_saturation, "NF115": _fix_capacity, "NF116": _fix_grad_reset, "NF117": _fix_legacy, "NF119": _fix_bias, "NF120": _fix_bad_init, "NF124": _fix_batch,
    "NF125": _fix_broadcast, "NF126": _fix_loss_output, "NF127": _fix_validation_order, "NF128": _fix_integer_data,
    "NF129": _fix_unshuffled, "NF130": _fix_class_output, "NF131": _fix_imbalance,
    "NF132": _fix_dtype, "NF133": _fix_width,
}

# Rate and gradient symptoms: left out of the all-fixes patch when the ranking makes them a consequence
# of a cause that patch already fixes.
RATE_SYMPTOMS = {"NF103", "NF104", "NF112"}

# Patches that change no training: part of the all-fixes script, not re-run alone.
NO_TRAINING_EFFECT = {"NF108"}


def _info_for_want_of_measure(ctx: Context, f: Finding) -> bool:
    """An info finding that is info only because the run measured no fit (a loop on raw tensors the
    monitor cannot see into: ranking.assess makes what it read from the code, or what rests on a
    setting alone, info there):
    a cause like any other, so its patch joins the all-fixes script, whose run is then the measure.
    (gh-d2l-ai-d2l-en-1000, tuning half: NF104 for a step divided twice, info for this reason alone.)"""
    from nnfit.doctor.ranking import fit_metric

    run = ctx.run
    rule_severity = CATALOGUE[f.code].severity if f.code in CATALOGUE else Severity.INFO
    return rule_severity is not Severity.INFO and not run.is_static and fit_metric(run) is None \
        and (bool(getattr(f, "from_text", False)) or not (run.history.loss or run.history.batch_loss))


def _apply(ctx: Context, edits: Edits) -> str:
    # added imports and definitions go after the last top-level import (else after the first statement)
    anchor = ctx.index.imports[-1][0] if ctx.index.imports else None
    header_anchor = anchor if anchor is not None else (ctx.module.body[0] if ctx.module.body else None)
    out = ctx.wrapper.module.visit(_Apply(edits, anchor, header_anchor))
    return out.code


def plan_patches(text: str, path: str, capture: Any, findings: list[Finding]) -> Plan:
    ctx = Context(text, path, capture)
    ctx.findings = list(findings)
    by_code: dict[str, Finding] = {}
    for f in findings:
        by_code.setdefault(f.code, f)
    singles: list[Patch] = []
    skipped: list[str] = []
    all_edits = Edits()
    parts: list[tuple[str, Edits]] = []      # the fixes merged into all_edits, in ranking order
    codes_done: list[str] = []
    symptoms: list[Finding] = []
    for code, f in by_code.items():
        name = CATALOGUE[code].name if code in CATALOGUE else code
        fn = FIXES.get(code)
        if fn is None:
            if f.consequence_of:
                symptoms.append(f)      # decided once every cause's patch is known
                continue
            skipped.append(f"{code} {name} (no automatic patch for this finding)")
            continue
        e = Edits()
        try:
            why = fn(ctx, f, e)
        except (ValueError, TypeError, AttributeError, IndexError, KeyError, StopIteration,
                cst.ParserSyntaxError) as exc:
            # an unusual layout of the script: this finding goes unpatched, the others still are
            why = f"the patch could not be built for this script's layout ({type(exc).__name__})"
        if why is not None:
            if f.consequence_of:
                symptoms.append(f)      # its own edit does not apply: perhaps its causes' do
                continue
            skipped.append(f"{code} {name} ({why})")
            continue
        if code == "NF106" and f.evidence.get("transform") == "log":
            _log_extras(ctx, by_code, e)
        single = _training(ctx, e)
        source = _apply(ctx, single)
        if source == text:
            skipped.append(f"{code} {name} (the patch changed nothing)")
            continue
        singles.append(Patch([code], single.changes, path, text, source))
        if f.severity is Severity.INFO and not _info_for_want_of_measure(ctx, f):
            # an info finding is advice, not a cause the rule measured (a layer without bias in a
            # fastText-like model): its patch runs alone, the all-fixes script keeps the script's choice
            # (gh-facebookresearch-fastText-853, tuning half: bias added over 51 epochs 0.505, without 0.845)
            all_edits.changes.append(f"{code} (info) only in its own patch")
            continue
        if code == "NF103" and "NF124" in by_code and ctx.framework == "keras":
            # NF103's fix is "lower the rate, or raise the batch size": with NF124 raising the batch
            # size, lowering the rate as well only slows training (measured on seed 3, repair.py)
            all_edits.changes.append("NF103 through the larger batch")
            codes_done.append(code)
            continue
        slip = bool(f.evidence.get("divisor"))      # NF104: a step divided by the batch size twice
        if code in RATE_SYMPTOMS and set(f.consequence_of) & set(codes_done) and not slip:
            # the ranking names this a consequence of a cause already patched (unscaled data, mostly):
            # its own change would be stacked on a fix that removes it
            all_edits.changes.append(f"{code} through the fix of {', '.join(sorted(set(f.consequence_of) & set(codes_done)))}")
            codes_done.append(code)
            continue
        if code in ("NF103", "NF104") and all_edits.owns_rate and not slip:
            # the scaling of raw data set the rate those data need: a rate read on the unscaled data
            # would undo it
            all_edits.changes.append(f"{code} through the rate the scaling sets")
            codes_done.append(code)
            continue
        if code == "NF104" and "NF102" in codes_done and not slip:
            # two readings of one slow loss: more updates never destabilise, a higher rate can
            all_edits.changes.append("NF104 through the longer training")
            codes_done.append(code)
            continue
        all_edits.merge(e)
        parts.append((code, e))
        codes_done.append(code)
    for f in symptoms:
        # a symptom with no edit of its own (NF122 loss-not-decreasing): fixed through its causes' patches
        # when the all-fixes patch has them; the re-run shows whether the loss now falls
        causes = [c for c in f.consequence_of if c in codes_done]
        name = CATALOGUE[f.code].name if f.code in CATALOGUE else f.code
        if causes:
            all_edits.changes.append(f"{f.code} through the fix of {', '.join(causes)}")
            codes_done.append(f.code)
        else:
            skipped.append(f"{f.code} {name} (no patch of its own, and none of its causes "
                           f"({', '.join(f.consequence_of)}) has one)")
    combined = None
    alternatives: list[Patch] = []
    if codes_done:
        final = _training(ctx, all_edits)
        source = _apply(ctx, final)
        combined = Patch(codes_done, final.changes, path, text, source)
        for variant, codes, edits in _alternatives(ctx, all_edits, parts, codes_done):
            final = _training(ctx, edits)
            alt = Patch(codes, final.changes, path, text, _apply(ctx, final), variant)
            if alt.source not in (text, combined.source) and all(a.source != alt.source for a in alternatives):
                alternatives.append(alt)
    return Plan(singles, combined, skipped, alternatives)


# Alternatives of the all-fixes patch, each one change away from it: the rate a second decade lower,
# UPDATES_ALTERNATIVE times the updates, or one fix left out (never the top-ranked one, the main cause,
# unless that is a rate symptom).
# At most MAX_LEFT_OUT fixes are each left out, the lowest-ranked first. Each alternative is one more
# run of the script, so few are made; which one trains best is measured, not guessed (repair.choose_combined).
UPDATES_ALTERNATIVE = 3
MAX_LEFT_OUT = 3


def _alternatives(ctx: Context, merged: Edits, parts: list[tuple[str, Edits]],
                  codes: list[str]) -> list[tuple[str, list[str], Edits]]:
    out: list[tuple[str, list[str], Edits]] = []
    current = _script_lr(ctx) or (ctx.run.config.optimizer.learning_rate if ctx.run.config.optimizer else None)
    if merged.lr is not None and current and merged.lr < current:
        lower = float(f"{merged.lr / LR_STEP:.3g}")
        updates = min(MAX_PATCH_UPDATES, math.ceil(merged.updates * LR_STEP)) if merged.updates else None
        out.append((f"rate {lower:g}, a decade below the patch's {merged.lr:g}", codes,
                    dataclasses.replace(merged, lr=lower, updates=updates)))
    if merged.lr is not None and current and merged.lr > current * LR_STEP * 1.001 and not merged.owns_rate:
        # a rate raised by more than one decade (NF104 on an adaptive optimiser: its usual rate): the
        # one-decade step too
        step = float(f"{current * LR_STEP:.3g}")
        out.append((f"rate {step:g}, a decade above the script's {current:g}", codes,
                    dataclasses.replace(merged, lr=step)))
    if merged.updates and merged.updates < MAX_PATCH_UPDATES:
        more = min(MAX_PATCH_UPDATES, UPDATES_ALTERNATIVE * merged.updates)
        out.append((f"{more} updates instead of {merged.updates}", codes, dataclasses.replace(merged, updates=more)))
    trains = [(code, e) for code, e in parts if code not in NO_TRAINING_EFFECT]
    if len(trains) >= 2:
        # the top-ranked fix is the main cause and stays, unless it is a rate symptom (NF103, a loss that
        # became NaN): another fix of the patch may remove what made it (cross-entropy on a ReLU output
        # that reaches 0), and the rate cut then only slows training; it is left out last
        keep = 0 if trains[0][0] in RATE_SYMPTOMS else 1
        for code, _ in list(reversed(trains[keep:]))[:MAX_LEFT_OUT]:
            rest = Edits()
            for other, e in parts:
                if other != code:
                    rest.merge(e)
            out.append((f"without the fix of {code}", [c for c in codes if c != code], rest))
    return out
