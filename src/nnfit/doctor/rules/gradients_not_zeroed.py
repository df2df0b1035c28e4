"""wrong-update-rule (NF116), PyTorch: gradients that are never reset between optimiser steps

What it finds: a training loop whose optimiser steps use the sum of every gradient computed so far,
because nothing resets `param.grad` (no `optimizer.zero_grad()`, `model.zero_grad()`, `p.grad = None`
...) between steps. Measured, not read from the code: at each step the watched parameters' `.grad`
is compared with the gradients the backward passes since the previous step delivered
(monitors/grad_accumulation.py), so any way of resetting counts and accumulating over several
backward passes on purpose (reset after the step) is not flagged.
Why it matters: after k steps the update is lr * (g1 + ... + gk): the step grows without bound and
keeps pointing where the loss used to fall; the loss oscillates or diverges, which reads as a
learning rate that is too high although the rate is fine.
Example: for epoch in range(n): loss = crit(net(X), Y); loss.backward(); opt.step()
Also Keras 3 on the torch backend: a custom `train_step` that calls `loss.backward()` and
`self.optimizer.apply(...)` without `self.zero_grad()` (each backward pass inside fit is a step).
Fix: call optimizer.zero_grad() before loss.backward() in every step (Keras: self.zero_grad()).
Threshold: none fitted: the rule fires when most measured steps accumulated (a loop that resets
its gradients matches this step's own gradient to float round-off at every step). `doctor lint`
(nothing measured) warns when a torch script calls backward and steps but resets no gradient
anywhere in its text.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import code_lines, first_line_matching, healthy, location
from nnfit.doctor.run import TrainingRun

# Measured steps needed before a verdict (the first steps are the hooks' warm-up).
MIN_MEASURED_STEPS = 3


# What resets a gradient buffer in PyTorch code (any of them anywhere in the file: the static reading
# does not follow the loop's control flow, so it only speaks when none is written at all)
RESETS = re.compile(r"zero_grad\s*\(|\.grad\s*=\s*None|\.grad(?:\.data)?\.zero_\s*\(|\.grad(?:\.data)?\s*\*=\s*0|"
                    r"\.grad(?:\.data)?\.fill_\s*\(\s*0|set_to_none")
STEPS = re.compile(r"\.step\s*\(|\.grad\b")


def _static(run: TrainingRun) -> Iterator[Finding]:
    """lint: a torch script that calls backward and steps (or reads .grad) but resets no gradient anywhere."""
    if "torch" not in (run.static.frameworks if run.static else []):
        return
    code = "\n".join(code_lines(run))
    if ".backward(" not in code or not STEPS.search(code) or RESETS.search(code):
        return
    yield Finding(
        code="NF116",
        message="wrong-update-rule: loss.backward() adds into .grad, and nothing in the script resets it "
                "(no zero_grad(), no .grad = None): every step would use the sum of all gradients so far",
        fix="call optimizer.zero_grad() before loss.backward() in every training step",
        evidence={"resets_found": 0}, location=location(run, line=first_line_matching(run, ".backward(")),
        explanation="torch adds each backward pass into .grad; without a reset every step repeats all earlier ones",
        basis="code", margin=1.0, severity=Severity.WARNING,
    )


@rule("NF116")
def gradients_not_zeroed(run: TrainingRun) -> Iterator[Finding]:
    if run.is_static:
        yield from _static(run)
        return
    accumulated, reset = run.gradients.accumulated_steps or 0, run.gradients.reset_steps or 0
    if accumulated + reset < MIN_MEASURED_STEPS or accumulated <= reset:
        return
    state = healthy(run)
    # Keras on the torch backend: a custom train_step that calls loss.backward() itself
    fix = ("call self.zero_grad() at the start of train_step, before loss.backward() (as Keras's own torch "
           "train_step does)" if run.framework == "keras" else
           "call optimizer.zero_grad() before loss.backward() in every training step")
    yield Finding(
        code="NF116",
        message=(f"wrong-update-rule: the gradients are never reset between training steps: {accumulated} of "
                 f"{accumulated + reset} measured steps used the sum of all gradients so far, not their own"),
        fix=fix,
        evidence={"accumulated_steps": accumulated, "reset_steps": reset},
        location=location(run, line=first_line_matching(run, ".backward(")),
        explanation="torch adds each backward pass into .grad; without a reset every step repeats all earlier ones",
        basis="measured", margin=float(accumulated) / max(1, reset) if reset else 10.0,
        severity=Severity.WARNING if state is True else Severity.ERROR,
    )
