"""unused-optimizer (NF109)

What it finds: an optimiser object that the script builds (with its own learning rate, momentum,
...) but never uses: compile() is given a different one (often the string "sgd"), or a PyTorch
optimiser is created and never stepped.
Why it matters: the settings the author chose silently do nothing; training runs with the defaults
of the other optimiser instead (Keras "sgd": learning rate 0.01, no momentum).
It also finds the degenerate case of a training loop whose gradients nothing uses: `loss.backward()`
runs, but no optimiser is stepped and no parameter is updated anywhere in the script (the optimiser
lines commented out, or never written): the gradients only pile up in `.grad` and the model never
changes (lint: StaticFacts.backward_without_step from the static reader; a watched run: no weight
changed between the first and the last backward(), History.weights_changed).
Example: sgd = SGD(lr=0.05, momentum=0.9); model.compile(loss="mse", optimizer="sgd")
Fix: pass the object itself: model.compile(loss="mse", optimizer=sgd); for a bare loop, build an
optimiser and call optimizer.zero_grad() / loss.backward() / optimizer.step() on every pass.
It also finds a loss cut from the network's graph and made to require a gradient by hand
(`loss.requires_grad = True`, `loss = torch.tensor(value, requires_grad=True)`: static/cut_loss.py):
backward() then runs on a new leaf no weight feeds, and every step finds no gradient.
Severity: a warning read from the code; an error on a watched run that fails. No threshold: nothing
that trains can leave every step (or every gradient) out. A watched run measures it on every step, and
its margin (ranking.py) is the number of steps that changed nothing: each one is a wasted update.
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import failing, fmt, healthy, location
from nnfit.doctor.run import TrainingRun


@rule("NF109")
def unused_optimizer(run: TrainingRun) -> Iterator[Finding]:
    if not failing(run):
        return
    used = run.config.optimizer
    for opt in run.config.optimizers_built:
        if opt.passed_to_compile is not False:
            continue
        if used is not None and used is opt:
            continue
        var = opt.variable or opt.name
        parts = ([f"lr={fmt(opt.learning_rate)}"] if opt.learning_rate is not None else []) + [
            f"{k}={v}" for k, v in opt.arguments.items() if k not in ("lr", "learning_rate")]
        settings = ", ".join(parts)
        used_desc = (f"{used.name} (learning rate {fmt(used.learning_rate)})" if used and used.learning_rate is not None
                     else (used.name if used else "another optimiser"))
        yield Finding(
            code="NF109",
            message=f"unused-optimizer: '{var}' = {opt.name}({settings}) is built but training uses {used_desc}",
            fix=(f"pass it to compile: optimizer={opt.variable}" if opt.variable and run.framework in ("keras", "static")
                 else f"step the optimiser you configured ({var}), or delete it"),
            evidence={"built": opt.name, "built_arguments": opt.arguments, "built_learning_rate": opt.learning_rate,
                      "used": used.name if used else None, "used_learning_rate": used.learning_rate if used else None},
            location=location(run, line=opt.line),
            explanation="the optimiser settings you chose do nothing; training runs with another optimiser's defaults",
            basis="setting",
        )


@rule("NF109")
def gradients_never_applied(run: TrainingRun) -> Iterator[Finding]:
    line = run.static.backward_without_step if run.static is not None else None
    measured = run.history.weights_changed is False and not run.config.optimizer    # a watched loop
    if (line is None and not measured) or not failing(run) or run.config.optimizer is not None:
        return
    commented = [i for i, text in enumerate(run.source_lines, start=1)
                 if text.lstrip().startswith("#") and ".step(" in text]
    yield Finding(
        code="NF109",
        message="unused-optimizer: loss.backward() computes gradients, but no optimiser step and no parameter "
                "update uses them: the model never changes" + (
                    f" (the step is commented out on line {commented[0]})" if commented else ""),
        fix="build an optimiser (torch.optim.SGD(model.parameters(), lr=...)) and call optimizer.zero_grad(), "
            "loss.backward(), optimizer.step() on every pass",
        evidence={"backward_line": line, "commented_step_lines": commented,
                  "weights_changed": run.history.weights_changed, "updates": run.history.n_updates},
        location=location(run, line=line or backward_line(run)),
        explanation="gradients that nothing applies only accumulate in .grad; the weights keep their initial values",
        basis="measured" if measured else "setting",
        margin=float(run.history.n_updates or 1) if measured else 1.0,
        # read from the code: a warning; a watched run that fails shows it hurts this training
        severity=Severity.ERROR if healthy(run) is False else Severity.WARNING,
    )


def backward_line(run: TrainingRun) -> int | None:
    """The first line of the script that calls .backward() (where a watched loop's gradients are made)."""
    return next((i for i, text in enumerate(run.source_lines, start=1)
                 if ".backward(" in text and not text.lstrip().startswith("#")), None)


@rule("NF109")
def steps_without_gradient(run: TrainingRun) -> Iterator[Finding]:
    """The other half of the same fault: optimizer.step() runs, but no loss.backward() gave it a gradient
    (lint: StaticFacts.step_without_backward; a watched run: no step found a gradient on any parameter)."""
    line = run.static.step_without_backward if run.static is not None else None
    stale = run.static.stale_optimizer if run.static is not None else None
    cut = run.static.cut_loss if run.static is not None else None
    measured = run.history.steps_with_gradient is False
    if measured and cut is None and run.source_lines:
        cut = _cut_loss_in_source(run.source_lines)    # a watched run: what in its code explains the measurement
    if (line is None and stale is None and cut is None and not measured) or not failing(run):
        return
    opt = run.config.optimizer
    name = opt.name if opt else "the optimiser"
    if cut is not None and (measured or (line is None and stale is None)):
        # the loss made to require a gradient by hand: something on its way cut it from the network's graph
        line, loss, how = cut
        what = (f"line {line} sets `{how}`: a loss computed from the network already requires a gradient, so "
                "the graph was cut on its way (a .detach(), .item(), .numpy() or a new tensor), and backward() "
                f"on '{loss}' reaches no weight" + (": no step of the optimiser found a gradient" if measured else ""))
        fix = ("compute the loss from the network's output tensor itself (no .detach(), .item(), .numpy() or "
               f"torch.tensor() on the way) and delete `{how}`")
    elif stale is not None and not measured:
        var, _, model, rebind = stale
        line = rebind
        what = (f"'{var}' is built from {model}.parameters(), but line {rebind} makes '{model}' again before "
                f"{var}.step() runs: backward() fills the new model's gradients and {var} steps the old weights")
        fix = f"build '{var}' after the last `{model} = ...`, from the parameters of the model you train"
    elif measured and run.history.backward_calls:
        line = stale[3] if stale is not None else line
        # backward() ran, yet the stepped parameters never got a gradient: they are not the trained model's
        what = (f"{name}.step() runs, and loss.backward() runs {run.history.backward_calls} time(s), but the "
                "parameters this optimiser holds never get a gradient: it was built from another model's "
                "parameters (or before the model was created again)")
        fix = "build the optimiser from the parameters of the model you train, after that model is created"
    else:
        what = (f"{name}.step() runs, but no loss.backward() computes a gradient for it: every step finds no "
                "gradient and the weights never change")
        fix = "call loss.backward() between optimizer.zero_grad() and optimizer.step() on every pass"
    evidence = {"step_line": line, "steps_with_gradient": run.history.steps_with_gradient,
                "updates": run.history.n_updates, "backward_calls": run.history.backward_calls}
    if cut is not None and line == cut[0]:
        evidence.update(cut_line=cut[0], cut_loss=cut[1], cut_how=cut[2])    # what the patch undoes
    yield Finding(
        code="NF109",
        message=f"unused-optimizer: {what}",
        fix=fix,
        evidence=evidence,
        location=location(run, line=line or (opt.line if opt else None)),
        explanation="an optimiser steps along the gradients backward() leaves in .grad; without them it does nothing",
        basis="measured" if measured else "setting",
        margin=float(run.history.n_updates or 1) if measured else 1.0,
        severity=Severity.ERROR if healthy(run) is False else Severity.WARNING,
    )


def _cut_loss_in_source(lines: list[str]) -> tuple[int, str, str] | None:
    """static/cut_loss.py on the script's own text (None when it does not parse as Python 3)."""
    import ast

    from nnfit.doctor.static.cut_loss import cut_loss

    try:
        return cut_loss(ast.parse("\n".join(lines)))
    except (SyntaxError, ValueError, RecursionError):
        return None
