"""narrow-bottleneck (NF101)

What it finds: a hidden layer narrower than the problem needs: fewer units than there are inputs
(for problems with up to 32 inputs, where each input carries information), or a single unit with a saturating activation (sigmoid, tanh) in front of a wider layer.
Why it matters: every later layer sees only what passes through the narrow layer. A single sigmoid
unit squashes the input into (0, 1); unless its weights happen to keep it in the near-linear middle,
information is lost at once and the gradient through the saturated unit vanishes.
Example: Dense(1, activation="sigmoid", input_dim=1) before Dense(50, activation="sigmoid").
Fix: remove the layer (the next layer can take the input directly), or widen it to at least the
next layer's width.
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import activation, dense_layers, failing, location, n_inputs
from nnfit.doctor.run import TrainingRun
from nnfit.doctor.vocab import SATURATING


FEW_INPUTS = 32


@rule("NF101")
def narrow_bottleneck(run: TrainingRun) -> Iterator[Finding]:
    if not failing(run):
        return
    dense = dense_layers(run)
    n_in = n_inputs(run)
    for i, layer in enumerate(dense[:-1]):
        units, nxt = layer.units, dense[i + 1].units
        if units is None:
            continue
        act = activation(layer)
        # Fewer units than inputs only loses information when each input matters on its own (a few
        # physical inputs); from hundreds of pixels a narrower layer is ordinary compression
        # (the lint corpus's 3072 -> 256 CIFAR classifier was a false alarm).
        too_few_inputs = n_in is not None and units < n_in <= FEW_INPUTS
        squashed = units == 1 and act in SATURATING and (nxt or 0) > 1
        if not (too_few_inputs or squashed):
            continue
        sat = run.history.saturated_fraction.get(layer.name)
        evidence = {"units": units, "activation": act, "next_units": nxt, "n_inputs": n_in}
        if sat:
            evidence["saturated_fraction"] = round(sat[-1], 3)
            sat = sat if sat[-1] >= 0.5 else None
        why = (f"{units} unit(s) for {n_in} inputs" if too_few_inputs
               else f"1 {act} unit before a {nxt}-unit layer")
        if sat:
            why += f"; {sat[-1]:.0%} of its outputs saturated at the end"
        if too_few_inputs:
            fix = f"widen this layer to at least {max(n_in or 1, nxt or 1)} units, or remove it"
        elif i + 1 < len(dense) - 1:
            fix = f"remove this layer; the {nxt}-unit layer after it can take the input directly"
        else:
            fix = f"widen this layer to at least {max(nxt or 1, 16)} units"
        yield Finding(
            code="NF101",
            message=f"narrow-bottleneck: layer '{layer.name}' has {why}",
            fix=fix,
            evidence=evidence,
            location=location(run, layer=layer),
            explanation=("all information must pass through this layer; a saturating unit also "
                         "blocks the gradient to the layers before it"),
            basis="measured" if sat else "setting",
            margin=max(2.0, (max(nxt or 1, n_in or 1)) / max(units, 1)) / (1.0 if not sat else 0.5 / sat[-1]),
        )
