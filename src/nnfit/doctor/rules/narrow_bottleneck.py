"""narrow-bottleneck (NF101)

What it finds: a hidden layer narrower than the problem needs:
- narrower than the output needs (k softmax classes need k - 1 directions, m regression targets m):
  the predictions can only vary in fewer directions than the output has, by construction;
- one or two units fed by more inputs (a one- or two-number summary of the input), or a single unit
  with a saturating activation (sigmoid, tanh) in front of a wider layer; read statically (lint, nothing
  measured), also a single ReLU unit in front of a wider layer: it passes 0 for every input on one side
  of its kink, and for all of them once its pre-activation is negative over the data (a run measures
  that as a dead unit instead: the "lost" case below);
- one or two ReLU units as wide as the input, of which the run measured one dead at the end (a 2-2-1
  XOR network left with one live unit: the tuning half's gh-lmjohns3-theanets-67 and se-stats-320672);
- fewer units than inputs for problems with up to 32 inputs, where each input carries information
  (a warning: a 16-unit layer after 30 inputs is ordinary compression unless the run shows otherwise).
Why it matters: every later layer sees only what passes through the narrow layer. A single sigmoid
unit squashes the input into (0, 1); unless its weights happen to keep it in the near-linear middle,
information is lost at once and the gradient through the saturated unit vanishes.
Example: Dense(1, activation="sigmoid", input_dim=1) before Dense(50, activation="sigmoid").
Fix: remove the layer (the next layer can take the input directly), or widen it to at least the
next layer's width.
When the run measured the lost case, the levelled-off poor fit that capacity-too-small (NF115) reads
from the same tiny network is this layer's doing (the live width is what limits the fit): NF101 explains
it (Finding.explains), so the layer is named first and the same widening fixes both.
Severity: an error only for the narrow layers of the first three kinds (below the output's needs; one or
two units; one saturating unit (statically also one ReLU unit); one or two units left with a dead one), and only when the run fails its task (rules/_common.py healthy: training R² or accuracy
below the shared bar, itself lowered to a flexible reference model's fit on noisy data), or statically
(lint); more than two units that are merely fewer than the inputs is a warning, also when the layer
saturates (saturation is as much the inputs' scale as the width). No threshold is fitted: one or two
units and the output's width are counts, not measured values. On the tuning half the warning case is
gh-keras-team-keras-14729's Dense(16) after 30 breast-cancer features (its fault is the loss); seed 1's
Dense(1, sigmoid) stays an error.
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import activation, dense_layers, failing, healthy, location, n_inputs
from nnfit.doctor.run import TrainingRun
from nnfit.doctor.vocab import CLIPPING, SATURATING


# Inputs up to this many are "a few physical inputs" that each matter on their own; from hundreds of
# pixels a narrower layer is ordinary compression (the lint corpus's 3072 -> 256 CIFAR classifier was a
# false alarm).
FEW_INPUTS = 32
# A layer of at most this many units summarises its input in one or two numbers (counts, not fitted).
SUMMARY_UNITS = 2


def output_needs(run: TrainingRun) -> int | None:
    """The directions the output varies in: m for m linear/sigmoid outputs, k - 1 for a k-unit softmax."""
    dense = dense_layers(run)
    if not dense or dense[-1].units is None:
        return None
    units = dense[-1].units
    return max(1, units - 1) if activation(dense[-1]) == "softmax" else units


@rule("NF101")
def narrow_bottleneck(run: TrainingRun) -> Iterator[Finding]:
    if not failing(run):
        return
    dense = dense_layers(run)
    n_in = n_inputs(run)
    need = output_needs(run)
    state = healthy(run)
    for i, layer in enumerate(dense[:-1]):
        units, nxt = layer.units, dense[i + 1].units
        if units is None:
            continue
        act = activation(layer)
        below_output = need is not None and units < need
        summary = n_in is not None and units <= SUMMARY_UNITS and units < n_in
        # a layer of one or two units as wide as its inputs that lost a unit (dead at the end of training:
        # dead_units.py's measurement) passes fewer numbers than it is given: measured, not read
        dead = run.history.dead_fraction.get(layer.name)
        live = units - round(units * dead[-1]) if dead else units
        lost = n_in is not None and units <= SUMMARY_UNITS and live < units and live < n_in and not summary
        squashed = units == 1 and (act in SATURATING or run.is_static and act in CLIPPING) and (nxt or 0) > 1
        too_few_inputs = n_in is not None and units < n_in <= FEW_INPUTS
        if not (below_output or summary or squashed or too_few_inputs or lost):
            continue
        hard = below_output or summary or squashed or lost
        sat = run.history.saturated_fraction.get(layer.name)
        evidence = {"units": units, "activation": act, "next_units": nxt, "n_inputs": n_in, "output_needs": need}
        if sat:
            evidence["saturated_fraction"] = round(sat[-1], 3)
            sat = sat if sat[-1] >= 0.5 else None
        if dead:
            evidence |= {"dead_fraction": round(dead[-1], 3), "live_units": live}
        if lost:
            why = f"{units} unit(s) for {n_in} inputs, {units - live} of them dead at the end: {live} live"
        elif below_output:
            why = f"{units} unit(s), fewer than the {need} direction(s) the output needs"
        elif summary or too_few_inputs:
            why = f"{units} unit(s) for {n_in} inputs"
        else:
            why = f"1 {act} unit before a {nxt}-unit layer"
        if sat:
            why += f"; {sat[-1]:.0%} of its outputs saturated at the end"
        if lost:
            fix = (f"widen this layer (a width of {max(16, nxt or 1)} keeps units of both signs alive whatever the "
                   "initialisation), or remove it")
        elif below_output or summary or too_few_inputs:
            fix = f"widen this layer to at least {max(n_in or 1, nxt or 1, need or 1)} units, or remove it"
        elif i + 1 < len(dense) - 1:
            fix = f"remove this layer; the {nxt}-unit layer after it can take the input directly"
        else:
            fix = f"widen this layer to at least {max(nxt or 1, 16)} units"
        # an error only where the width alone rules the fit out and the run fails (or lint: unknown)
        severity = Severity.ERROR if hard and state is not True else Severity.WARNING
        margin = max(2.0, (max(nxt or 1, n_in or 1)) / max(units, 1)) / (1.0 if not sat else 0.5 / sat[-1])
        yield Finding(
            code="NF101",
            message=f"narrow-bottleneck: layer '{layer.name}' has {why}",
            fix=fix,
            evidence=evidence,
            location=location(run, layer=layer),
            explanation=("all information must pass through this layer; a saturating unit also "
                         "blocks the gradient to the layers before it"),
            basis="measured" if sat or lost else "setting",
            margin=(float(n_in or 1) / max(live, 1) if lost else margin) if hard else min(margin, 2.0),
            severity=severity,
            # a layer left with fewer live units than its inputs is the network's width: the levelled-off poor
            # fit capacity-too-small reads from the same run (its "at most 2 units" network) is this layer's
            # doing, and both fixes are the same widening (see the note on the lost case above)
            explains=["NF115"] if lost else [],
        )
