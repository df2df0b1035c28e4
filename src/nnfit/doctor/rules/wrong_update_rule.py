"""wrong-update-rule (NF116)

What it finds: a hand-written weight update that does not step along the negative gradient: the step
subtracts the weights themselves (`W = W - lr * W`), uses some other array than the parameter's own
gradient, or (measured by `nnfit doctor check`) moves at an angle to -gradient (cosine < 0.5).
Why it matters: `W - lr * W` only shrinks the weights toward zero, whatever the data; the loss
cannot fall. A step that is not along -gradient is not gradient descent.
Example: self.W_hidden = w_hidden_old - learning_rate * self.W_hidden
Fix: subtract the gradient of the loss with respect to that parameter:
self.W_hidden = w_hidden_old - learning_rate * self.Partials_W_hidden.
"""
from __future__ import annotations

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


@rule("NF116")
def wrong_update_rule(run: TrainingRun) -> Iterator[Finding]:
    for upd in run.updates:
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
            basis="measured" if cos is not None else "code",
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
