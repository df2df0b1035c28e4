"""learning-rate-too-low (NF104): the gradient averaged over the batch twice

What it finds: a hand-written update that divides the step by the batch size
(`p -= lr * p.grad / batch_size`) while the loss it differentiates is already the batch mean
(`loss.mean().backward()`, a torch loss module or function with its default reduction='mean').
Why it matters: the mean already divides the gradient by the batch size; dividing again makes every
step batch_size times smaller than the learning rate says, so a rate chosen for the update rule
trains like one batch_size times lower: the loss falls slowly and training stops far from the fit.
Example: `l.mean().backward(); w.data.sub_(lr * w.grad / batch_size)` with batch_size=10: an
effective rate of lr / 10.
Fix: differentiate the summed loss (`l.sum().backward()`) and keep `/ batch_size` in the update, or
keep the mean and drop `/ batch_size` from the update.

Threshold: none is fitted. The effect is exact arithmetic (step = lr / b x the mean gradient), so the
rule fires on any count b > 1 the step divides by that is the batch size (the loop's batch size, or a
name such as batch_size / len(batch)) when every `.backward()` of the script is on a batch mean. On the
tuning half it fires on gh-d2l-ai-d2l-en-1000 (posted and repro: l.mean() and / batch_size, b = 10)
and on no fixed program (d2l's fixed version differentiates l.sum(); no other tuning program divides a
hand-written step by a count). On a run that fits well it is silent (the doubled division did no harm).
Measured: on a watched run whose loss is still falling when training ends (too_few_updates.still_falling,
that rule's own bars: more than 5 % per 20 %-window, or not levelled off), the slow pace the b-times
smaller step sets is this run's own evidence of the fault, and the finding rests on it (basis measured)
rather than on the code pattern alone; that slow fall is what too-few-updates reads too, and this finding
explains it (as learning_rate_too_low.slow_fall does). No new threshold.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import fmt, healthy, location
from nnfit.doctor.run import TrainingRun

# a divisor that names the batch: batch_size, bs, n_batch, len(xb), X.shape[0], x.size(0)
BATCH_TEXT = re.compile(r"(?i)batch|^bs$|^n_?b$|^len\(|\.shape\[0\]|\.size\(0\)")


@rule("NF104")
def gradient_averaged_twice(run: TrainingRun) -> Iterator[Finding]:
    opt = run.config.optimizer
    if opt is None or not opt.arguments.get("hand_written") or healthy(run) is True:
        return
    args = opt.arguments
    divisor, text = args.get("gradient_divisor"), str(args.get("gradient_divisor_text") or "")
    if args.get("loss_reduction") != "mean" or not isinstance(divisor, (int, float)) or divisor <= 1:
        return
    batch = run.config.batch_size
    if not (BATCH_TEXT.search(text) or (batch and abs(batch - divisor) < 0.5)):
        return
    lr = opt.learning_rate
    b = int(round(divisor))
    from nnfit.doctor.rules.too_few_updates import still_falling

    drop, falling = still_falling(run) if not run.is_static else (None, False)
    evidence = {"divisor": b, "learning_rate": lr, "effective_learning_rate": lr / b if lr else None,
                "loss_reduction": "mean"}
    if falling:
        evidence["loss_drop_last_window"] = round(drop, 3)
    yield Finding(
        code="NF104", severity=Severity.WARNING,
        message=f"learning-rate-too-low: the gradient is averaged over the batch twice: the loss is a batch mean "
                f"and the update divides by {text} ({b}) again, so every step is {b}x smaller than the learning rate "
                f"says" + (f" (effective rate {fmt(lr / b)} instead of {fmt(lr)})" if lr else "")
                + (f"; the loss is still falling {drop:.0%} per fifth of training when it stops" if falling else ""),
        fix=f"differentiate the summed loss (`loss.sum().backward()`) and keep `/ {text}`; or keep the mean and "
            f"drop `/ {text}` from the update",
        evidence=evidence,
        location=location(run, line=args.get("gradient_divisor_line")),
        explanation="the mean already divides the gradient by the batch size",
        basis="measured" if falling else "code", margin=float(b),
        # the slow fall is also what too-few-updates reads: at the intended step the same count goes b times
        # as far (learning_rate_too_low.slow_fall explains it the same way)
        explains=["NF102"] if falling else [],
    )
