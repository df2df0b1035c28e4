"""vanishing-gradients (NF111)

What it finds: gradients that shrink towards the input: the first layer's gradient norm is below
1e-3 of the last layer's and below 1e-5 in absolute size, or, through three or more layers, by a
factor 0.35 or less per layer, measured while training.
Through three or more sigmoid layers the measured shrink is the activations' doing: the finding is
then a cause (ranked with the causes, not as a symptom of them) and its fix is the activation.
Why it matters: the early layers stop learning; the network behaves like its last layer alone on a
fixed random feature map. Deep stacks of sigmoid/tanh units and saturated units are the usual cause.
Example: five Dense(10, activation="sigmoid") layers in a row with a poor initialisation.
Fix: use ReLU-family or tanh activations with Glorot/He initialisation, fewer layers, scaled inputs;
remove saturated bottleneck layers.
"""
from __future__ import annotations

import math
from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import failing, healthy, location
from nnfit.doctor.run import TrainingRun

# AUTOTRAINER: ratio < 1e-3 and first-layer norm < 1e-4. Measured (median over the second half of
# training): healthy runs 0.17-1.8, vanishing cases < 1e-5, other failing cases >= 0.01 except dead
# ReLU networks (0, left to dead-units).
RATIO = 1e-3
ABSOLUTE = 1e-5
# Normalised to the depth: the gradient shrinks by a factor (first / last) ** (1 / (layers - 1)) per
# layer. A sigmoid's derivative is at most 0.25, so a deep sigmoid stack shrinks by about 0.25 |W| per
# layer. Read from the tuning half (late medians): the failing deep stacks se-ai-16557 (four sigmoid
# layers, labelled vanishing-gradients) 0.27 and so-77588498 0.30; every fixed program and every other
# failing program 0.58 or more (most 0.9-1.5). PER_LAYER = 0.35 lies between; it counts only with at
# least MIN_TRANSITIONS layer-to-layer steps (one small factor in a shallow net is not a vanishing
# signal) and an overall shrink below OVERALL.
PER_LAYER = 0.35
MIN_TRANSITIONS = 3
OVERALL = 1e-2
# Read from the code (doctor lint, no gradients measured): the sigmoid's derivative is at most 1/4, so the
# gradient reaching the first of k stacked sigmoid hidden layers is at most 4**-k of what the last one
# gets, before the weights shrink it further; k >= 4 (bound 1/256, within 4x of RATIO) is flagged as a
# warning. Read from the tuning half of corpus/real: its one stack of 4 sigmoid layers fails (vanishing);
# no program there, failing or healthy, has 2-3 sigmoid hidden layers; tanh (derivative up to 1) is left out.
DEEP_SIGMOID = 4
SIGMOID_FAMILY = {"sigmoid", "hard_sigmoid"}
# A cause, not a symptom, when the measured shrink is what the activations predict: the gradient passes
# through at least MIN_TRANSITIONS sigmoid hidden layers (derivative <= 1/4 each) and shrinks by
# PER_LAYER or less per layer. Nothing else need be found to explain it: the activation choice is the
# fault and its fix (ReLU / tanh) is the remedy (the tuning half's se-ai-16557: four sigmoid layers,
# 0.26 per layer, fixed by ReLU with every other setting kept).


def _deep_sigmoid_stack(run: TrainingRun) -> Iterator[Finding]:
    hidden = [l for l in run.layers if l.kind == "dense"][:-1]
    stack = [l for l in hidden if (l.activation or "") in SIGMOID_FAMILY]
    if len(stack) < DEEP_SIGMOID:
        return
    yield Finding(
        code="NF111",
        message=f"vanishing-gradients: {len(stack)} sigmoid hidden layers in a row: the gradient reaching "
                f"'{stack[0].name}' is at most 1/{4 ** len(stack)} of the last layer's (sigmoid' <= 1/4 per layer)",
        fix="use ReLU (or tanh) hidden activations with Glorot/He initialisation, or fewer layers",
        evidence={"sigmoid_layers": len(stack), "bound": 4.0 ** -len(stack)},
        location=location(run, layer=stack[0]),
        explanation="early layers receive almost no gradient and stop learning",
        basis="code", margin=len(stack) / DEEP_SIGMOID, severity=Severity.WARNING,
    )


def _late_median(values: list[float]) -> float | None:
    vals = sorted(v for v in values[len(values) // 2:] if math.isfinite(v))
    return vals[len(vals) // 2] if vals else None


@rule("NF111")
def vanishing_gradients(run: TrainingRun) -> Iterator[Finding]:
    grads = run.history.grad_norm
    if run.is_static and failing(run):
        yield from _deep_sigmoid_stack(run)
        return
    if len(grads) < 2 or not failing(run):
        return
    if any(v and v[-1] >= 0.5 for v in run.history.dead_fraction.values()):
        return  # dead ReLU units pass no gradient: dead-units is the finding, not this one
    names = list(grads)
    first, last = _late_median(grads[names[0]]), _late_median(grads[names[-1]])
    if first is None or last is None or last <= 0:
        return
    ratio = first / last
    transitions = len(names) - 1
    per_layer = ratio ** (1.0 / transitions) if ratio > 0 else 0.0
    deep_shrink = transitions >= MIN_TRANSITIONS and per_layer <= PER_LAYER and ratio < OVERALL
    if (ratio >= RATIO or first >= ABSOLUTE) and not deep_shrink:
        return
    layer = next((l for l in run.layers if l.name == names[0]), None)
    by_name = {l.name: l for l in run.layers}
    sigmoid = [n for n in names[:-1] if (by_name.get(n) and (by_name[n].activation or "") in SIGMOID_FAMILY)]
    own_cause = deep_shrink and len(sigmoid) >= MIN_TRANSITIONS
    yield Finding(
        kind="cause" if own_cause else None,
        code="NF111",
        message=f"vanishing-gradients: layer '{names[0]}' gradient norm {first:.1e} is {ratio:.1e} of the last layer's"
                f" ({per_layer:.2f} per layer over {transitions})"
                + (f", through {len(sigmoid)} sigmoid layers (sigmoid' <= 1/4 per layer)" if own_cause else ""),
        fix=("use ReLU (or tanh) hidden activations with Glorot/He initialisation" if own_cause else
             "remove saturating bottleneck layers; use tanh/ReLU with Glorot/He initialisation; scale the inputs"),
        evidence={"first_layer": names[0], "first_grad_norm": first, "last_grad_norm": last, "ratio": ratio,
                  "per_layer": per_layer, "layers": len(names)},
        location=location(run, layer=layer, layer_name=names[0]),
        explanation="early layers receive almost no gradient and stop learning",
        basis="measured", margin=max(RATIO / ratio if ratio > 0 else 10.0, PER_LAYER / per_layer if per_layer > 0 else 10.0),
        severity=Severity.ERROR if healthy(run) is False else Severity.WARNING,
    )
