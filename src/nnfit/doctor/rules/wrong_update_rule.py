"""wrong-update-rule (NF116)

What it finds: a hand-written weight update that does not step along the negative gradient: the step
subtracts the weights themselves (`W = W - lr * W`), uses some other array than the parameter's own
gradient, or (measured by `nnfit doctor check`) moves at an angle to -gradient (cosine < 0.5).
Why it matters: `W - lr * W` only shrinks the weights toward zero, whatever the data; the loss
cannot fall. A step that is not along -gradient is not gradient descent.
Example: self.W_hidden = w_hidden_old - learning_rate * self.W_hidden
Fix: subtract the gradient of the loss with respect to that parameter:
self.W_hidden = w_hidden_old - learning_rate * self.Partials_W_hidden.
On a watched run (doctor run) the monitor records no update rule of its own: a PyTorch loop that steps
its parameters by hand (`with torch.no_grad(): p -= lr * p`, no optimiser step seen) is read with the
static reader, as lint reads it (watched_updates), and its steps that use no gradient are reported the
same way. Not on a run that fits well (the step did no harm there). No threshold: the reading is the
static reader's, by construction.
A hand-written step that adds the gradient (`p += lr * p.grad`, `p = p + lr * p.grad`) climbs the loss it
differentiates: reported on a watched run when the loss it recorded ends above where it started (the
ascent measured; a script that maximises on purpose records a value it wants to rise, but then fits well
and is left alone). No threshold: a higher last value than the first is the sign of the step, measured.
"""
from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Location, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.run import TrainingRun

# Cosine between the measured step and -gradient below which an update is not gradient descent.
# SGD and momentum steps have cosine ~1; Adam's sign-like steps measured >= 0.6 on the examples.
MIN_COSINE = 0.5
# Measured |step + lr*g| / |lr*g| above which a step along roughly -g is still not plain gradient descent
# (a warning: momentum or Adam steps legitimately differ from -lr*g).
MAX_DEVIATION = 0.25


def _gradient_for(run: TrainingRun, parameter: str) -> str | None:
    measured = run.gradients.gradient_of
    if parameter in measured:
        return measured[parameter]
    names = run.static.gradient_names if run.static else {}
    own = [n for n in names if n.lower().endswith(parameter.lower()) and len(n) > len(parameter)
           and n[-len(parameter) - 1] in "_dD"]
    return own[0] if own else None


def _suggest(run: TrainingRun, upd) -> str:
    """The corrected assignment, when the update expression and the parameter's gradient are known."""
    if upd.expression and ".backward(" in upd.expression:      # loss.backward(loss) (static reader)
        return f"call `{upd.expression.split('.backward(', 1)[0]}.backward()` with no argument (a scalar loss needs none)"
    grad = _gradient_for(run, upd.parameter)
    fix = f"subtract the gradient of the loss with respect to {upd.parameter}"
    if not (upd.expression and "=" in upd.expression and grad):
        return fix
    lhs, rhs = upd.expression.split("=", 1)
    m = re.search(r"(\*\s*)([\w.]+)\s*$", rhs)
    if not m:
        return fix
    owner = "self." if "self." in rhs and not grad.startswith("self.") else ""
    grad_expr = f"{owner}{grad}"
    if run.gradients.shape_mismatch.get(upd.parameter):
        # e.g. a (3,) gradient for a (3, 1) weight: `W - lr * g` would broadcast to (3, 3)
        grad_expr += f".reshape({lhs.strip()}.shape)"
    fix = f"{lhs.strip()} ={rhs[:m.start(2)]}{grad_expr}"
    if run.framework == "static":
        fix += f" (then check that {grad} is right: `nnfit doctor check`)"
    elif any(c.get("parameter") == upd.parameter and (c.get("relative_error") or 0) > 1e-4
             for c in run.gradients.checks):
        fix += f" (and fix {grad} itself first: NF118)"
    return fix


def watched_updates(run: TrainingRun) -> list:
    """The update rules of a watched PyTorch run that stepped no optimiser (a loop that updates its
    parameters by hand), read from its script by the static reader; [] otherwise (a static run has its
    own, and a run with an optimiser steps along its gradient)."""
    if run.is_static or run.updates or run.framework != "torch" or run.history.steps_with_gradient is not None \
            or not run.source_lines:
        return []
    from nnfit.doctor.rules._common import healthy

    if healthy(run) is True:
        return []
    try:
        from nnfit.doctor.static import analyse

        read = analyse("\n".join(run.source_lines), run.source).updates
    except Exception:   # noqa: BLE001 - the static reading is a best effort beside a measured run
        return []
    out = [u for u in read if u.uses_gradient is False]
    losses = [v for v in run.history.batch_loss or run.history.loss if math.isfinite(v)]
    rose = len(losses) >= 2 and losses[-1] > losses[0]
    for u in read:
        if u.uses_gradient and rose and u.expression and ASCENT.match(u.expression.strip()):
            out.append(dataclasses.replace(u, uses_gradient=False, note=(
                f"the step `{u.expression.strip()}` adds the gradient: it climbs the loss (measured: "
                f"{losses[0]:.4g} at the first step, {losses[-1]:.4g} at the last)")))
    return out


# `p += lr * p.grad`, `p.data += lr * p.grad.data`, `w = w + lr * w.grad`: a positive multiple of the
# gradient added to the parameter (gradient ascent)
ASCENT = re.compile(r"^(?P<p>[\w.\[\]]+)\s*(?:\+=|=\s*(?P=p)\s*\+)\s*\(?\s*[\w.]+\s*\*\s*[\w.\[\]]*grad[\w.\[\]]*\s*\)?\s*$")


@rule("NF116")
def wrong_update_rule(run: TrainingRun) -> Iterator[Finding]:
    for upd in run.updates or watched_updates(run):
        cos = upd.cosine_with_negative_gradient
        static_wrong = upd.uses_gradient is False
        measured_wrong = cos is not None and cos < MIN_COSINE
        if not (static_wrong or measured_wrong):
            continue
        fix = _suggest(run, upd)
        parts = []
        if upd.note:
            parts.append(upd.note)
        elif static_wrong:
            parts.append("the step does not use the parameter's gradient")
        if cos is not None:
            parts.append(f"measured cosine between the step and -gradient: {cos:.2f}")
        yield Finding(
            code="NF116",
            message=f"wrong-update-rule: update of {upd.parameter} does not follow the gradient: " + "; ".join(parts),
            fix=fix,
            evidence={"parameter": upd.parameter, "expression": upd.expression, "cosine": cos},
            location=Location(file=run.source, line=upd.line, column=upd.span[0] if upd.span else None,
                              end_column=upd.span[1] if upd.span else None, layer=upd.parameter),
            explanation="gradient descent moves each weight along minus its own gradient; any other step "
                        "changes the weights without reducing the loss",
            # a step measured climbing the loss (watched_updates) is this run's own evidence
            basis="measured" if cos is not None or "climbs the loss" in (upd.note or "") else "code",
            margin=10.0 if "themselves" in (upd.note or "") or (cos is not None and cos < 0.1) else 2.0,
        )
    deviations = run.gradients.step_deviation
    for upd in run.updates:
        dev = deviations.get(upd.parameter)
        cos = upd.cosine_with_negative_gradient
        if dev is None or dev <= MAX_DEVIATION or upd.uses_gradient is False or (cos is not None and cos < MIN_COSINE):
            continue
        yield Finding(
            code="NF116", severity=Severity.WARNING,
            message=(f"wrong-update-rule: the step of {upd.parameter} points along -gradient (cosine {cos:.2f}) but "
                     f"differs from -lr * gradient by {dev:.0%}"),
            fix=f"for plain gradient descent: {_suggest(run, upd)}; ignore this if you use momentum or Adam on purpose",
            evidence={"parameter": upd.parameter, "deviation": dev, "cosine": cos},
            location=Location(file=run.source, line=upd.line, layer=upd.parameter),
            explanation="a step that is not -lr * gradient (e.g. the output error broadcast instead of the weight "
                        "gradient) changes every weight of the layer by the same amount",
            basis="measured",
        )
