"""wrong-update-rule (NF116), PyTorch: `loss.backward(loss)`, the gradient scaled by the loss

What it finds: a training step that calls `loss.backward(loss)` (or `loss.backward(gradient=loss)`,
`loss.backward(loss.detach())`): the argument of backward() is the gradient of the output, so passing
the loss itself multiplies every parameter's gradient by the current loss value. The optimiser then
steps along d(loss**2 / 2), not along d(loss).
Why it matters: the step is lr x loss x gradient: while the loss is large (unscaled targets, the first
epochs) every step is that many times too large and training diverges; once the loss is small the steps
shrink with it and training stalls far from the fit. Neither is the learning rate's fault.
Example: loss = criterion(model(X), y); loss.backward(loss); optimizer.step()
Fix: call `loss.backward()` with no argument (a scalar loss needs none).
Threshold: none fitted; the call is wrong by construction. `doctor lint` reads it through the static
reader (static/interp.py backward_with_itself, an update rule that uses no plain gradient, reported by
wrong_update_rule.py); this rule speaks for a watched run, which records no update rule of its own. The
run's loss series gives the factor each step was scaled by (the loss at the first and the last step).
Severity: an error when the run fails its task (rules/_common.py healthy), a warning when its fit is
unknown; silent on a run that fits well (the scaling did no harm there). On the tuning half it fires on
gh-sotte-pytorch_tutorial-5 (labelled wrong-update-rule) and on no fixed program.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import code_lines, fmt, healthy, location, loss_series
from nnfit.doctor.run import TrainingRun

# `name.backward(name)`, `name.backward(gradient=name)`, with `.data` / `.detach()` / `.clone()` on the
# argument: the tensor passed as its own output gradient
SELF_BACKWARD = re.compile(r"(?<![\w.])(?P<me>[A-Za-z_][\w.]*?)\.backward\(\s*(?:gradient\s*=\s*)?(?P=me)"
                           r"(?:\.data|\.detach\(\)|\.clone\(\))*\s*[,)]")


def self_backward_line(run: TrainingRun) -> tuple[int, str] | None:
    """(1-based line, the loss's name) of the first `loss.backward(loss)` in the script's code."""
    for i, text in enumerate(code_lines(run)):
        m = SELF_BACKWARD.search(text)
        if m:
            return i + 1, m.group("me")
    return None


@rule("NF116")
def gradient_scaled_by_loss(run: TrainingRun) -> Iterator[Finding]:
    if run.is_static or run.framework != "torch":
        return      # lint: the static reader's update rule (wrong_update_rule.py) names it
    found = self_backward_line(run)
    if found is None:
        return
    state = healthy(run)
    if state is True:
        return
    line, me = found
    series = [x for x in loss_series(run) if x == x]
    evidence: dict = {"call": f"{me}.backward({me})"}
    why = "every gradient is multiplied by the loss value, so each step is scaled by the current loss"
    if series:
        first, last = series[0], series[-1]
        evidence |= {"scale_first_step": first, "scale_last_step": last}
        why += f" (x{fmt(first)} at the first step, x{fmt(last)} at the last)"
    finite = [abs(x) for x in series if abs(x) not in (0.0, float("inf"))]
    # how far from 1 the factor went: decades of a step too large (loss > 1) or too small (loss < 1)
    margin = max([max(x, 1 / x) for x in finite], default=10.0)
    yield Finding(
        code="NF116",
        message=f"wrong-update-rule: `{me}.backward({me})` passes the loss as its own output gradient: {why}",
        fix=f"call `{me}.backward()` with no argument (a scalar loss needs none)",
        evidence=evidence,
        location=location(run, line=line),
        explanation="backward(g) computes g x d(loss)/d(weights); with g = loss the optimiser descends loss**2 / 2, "
                    "its steps growing and shrinking with the loss",
        basis="measured" if series and state is False else "code",
        margin=max(margin, 2.0),
        severity=Severity.ERROR if state is False else Severity.WARNING,
    )
