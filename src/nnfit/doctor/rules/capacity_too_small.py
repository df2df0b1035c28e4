"""capacity-too-small (NF115)

What it finds: a model too small for the data: the training loss has levelled off (less than 2 %
fall over the last fifth of training, or a fall so slow that reaching R² 0.999 would take over 4x
the training so far) while the fit is poor (training R² below 0.999), and the
network is tiny (at most 2 units in its widest hidden layer, or no hidden layer at all), and the data
allow better: a reference fit of the same data (least squares and ridge on random tanh features,
cross-validated, doctor/reference.py) beats the network by CAPACITY_GAP in R², and for a network without
hidden layer also beats least squares by that much (a linear model on linear data is not too small).
Without a history it notes (info) a model with no hidden layer and a linear output, or with hidden
layers none of which has an activation (one linear map, whatever monotone activation its single output
unit then applies: Dense(64) -> Dense(16) -> Dense(1, activation="relu") for a parabola).
A watched network with no nonlinear activation anywhere is one linear map of its inputs: the best it
can ever reach is the least-squares fit of the same data; when the reference fit beats least squares
by CAPACITY_GAP the model is too small whatever its training did (diverged, stopped early), a fact of
the data alone (basis "data"; the tuning half's se-stats-418955: two linear Dense(1) layers for
x**2 + 3, least squares 0.92 against the reference's 0.9999).
Why it matters: more epochs will not help; the function the network can represent is too simple for
the target, whatever the optimiser does.
Example: Dense(2, activation="tanh") -> Dense(1) for y = sin(6 x) on [0, 1].
Fix: widen the hidden layer(s), e.g. to 16-64 units (one hidden layer is enough for smooth 1-3 input
targets).
"""
from __future__ import annotations

import math
from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import activation, hidden_layers, healthy, location, output_layer, tail_drop, train_r2, trend_series, windows_to_healthy
from nnfit.doctor.run import TrainingRun
from nnfit.doctor.vocab import MONOTONE_ACTIVATIONS

TINY_WIDTH = 2
PLATEAU = 0.02
PLATEAU_WINDOWS = 20
# R² a flexible reference model (cross-validated) must gain over the network, and over least squares
# for a network without hidden layer, before the model's size is blamed: well above the ~0.01 spread
# of a 5-fold R² estimate; the seed-1-like tiny nets miss by 0.5-1.0.
CAPACITY_GAP = 0.05
# the layer kinds of a plain MLP; only such a stack without activations is known to be one linear map
PLAIN_KINDS = ("dense", "dropout", "activation", "batchnorm", "input")


@rule("NF115")
def capacity_too_small(run: TrainingRun) -> Iterator[Finding]:
    state = healthy(run)
    out = output_layer(run)
    if state is True or out is None:
        return
    hidden = hidden_layers(run)
    widest = max((l.units or 0 for l in hidden), default=0)
    if state is None:  # static
        # no hidden layer, or hidden layers without activation: a stack of linear layers is one linear map; a
        # monotone output activation on one output unit (Dense(1, activation='relu')) only bends that map
        if any(activation(l) not in ("linear", "none", "") for l in hidden):
            return
        if activation(out) not in ("linear", "none", "") and not (
                hidden and (out.units or 0) == 1 and activation(out) in MONOTONE_ACTIVATIONS):
            return
        if any(l.kind not in PLAIN_KINDS for l in run.layers):
            return      # a recurrent, convolutional or embedding layer: not a stack of linear maps the reader can judge
        yield Finding(
            code="NF115", severity=Severity.INFO,   # nothing measured: a linear model may be what the data need
            message="capacity-too-small: " + (f"{len(hidden)} hidden layer(s) without activation" if hidden else "no hidden layer")
                    + "; the model is a linear function of its inputs"
                    + (f" (passed through a {activation(out)} output)" if activation(out) not in ("linear", "none", "") else ""),
            fix="add a hidden layer, e.g. Dense(32, activation='tanh'), before the output" if not hidden
                else "give the hidden layer(s) a nonlinear activation, e.g. activation='tanh'",
            evidence={"hidden_layers": len(hidden)}, location=location(run, layer=out),
            explanation="a linear model cannot fit a curved target", basis="code",
        )
        return
    ref, lin = run.fit.reference_r2, run.fit.linear_r2
    linear_map = all(activation(l) in ("linear", "none", "") for l in hidden + [out])
    if linear_map and ref is not None and lin is not None and ref - lin >= CAPACITY_GAP:
        yield Finding(
            code="NF115",
            message=f"capacity-too-small: the network has no nonlinear activation, so it is one linear map of its "
                    f"inputs: least squares reaches R² {lin:.3f} on these data, a flexible fit {ref:.4f}",
            fix="add a hidden layer with a nonlinear activation, e.g. Dense(32, activation='tanh')" if not hidden
                else "give the hidden layer(s) a nonlinear activation (activation='tanh') and 16-64 units",
            evidence={"linear_r2": lin, "reference_r2": ref, "hidden_widths": [l.units for l in hidden]},
            location=location(run, layer=hidden[0] if hidden else out),
            explanation="a linear model cannot fit a curved target, however long it trains",
            basis="data", margin=(ref - lin) / CAPACITY_GAP,
            severity=Severity.ERROR if state is False else Severity.WARNING,
        )
        return
    if widest > TINY_WIDTH or any(activation(l).startswith("custom") for l in hidden):
        return
    drop = tail_drop(trend_series(run))
    more = windows_to_healthy(run, drop)
    # levelled off: at the current rate it would take more than 4x the training so far (20 windows)
    if drop is None or (drop > PLATEAU and (more is None or more <= PLATEAU_WINDOWS)):
        return
    r2 = train_r2(run)
    # the data must allow a better fit than this network's function class: a flexible reference
    # (doctor/reference.py) beats the network, and, for a network without hidden layer, least squares
    if ref is not None and r2 is not None:
        if ref - r2 < CAPACITY_GAP or (not hidden and lin is not None and ref - lin < CAPACITY_GAP):
            return
    if not hidden and lin is not None and r2 is not None and lin - r2 >= CAPACITY_GAP:
        return   # least squares does better than this linear network: it is under-trained, not too small
    yield Finding(
        code="NF115",
        message=f"capacity-too-small: loss levelled off at training R² {r2:.3f} with hidden widths "
                f"{[l.units for l in hidden] or 'none'} ({run.n_params} parameters)",
        fix="widen the hidden layer(s) to 16-64 units",
        evidence={"train_r2": r2, "reference_r2": ref, "linear_r2": lin, "hidden_widths": [l.units for l in hidden], "n_params": run.n_params,
                  "loss_drop_last_window": drop},
        location=location(run, layer=hidden[0] if hidden else out),
        explanation="the network cannot represent the target; more training will not help",
        # measured plateau of a tiny net: this is the explanation; saturation of its 1-2 units is a symptom
        basis="measured", margin=(more / PLATEAU_WINDOWS) if more and math.isfinite(more) else 10.0,
        severity=Severity.ERROR,
    )
