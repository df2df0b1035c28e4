"""unused-optimizer (NF109)

What it finds: an optimiser object that the script builds (with its own learning rate, momentum,
...) but never uses: compile() is given a different one (often the string "sgd"), or a PyTorch
optimiser is created and never stepped.
Why it matters: the settings the author chose silently do nothing; training runs with the defaults
of the other optimiser instead (Keras "sgd": learning rate 0.01, no momentum).
Example: sgd = SGD(lr=0.05, momentum=0.9); model.compile(loss="mse", optimizer="sgd")
Fix: pass the object itself: model.compile(loss="mse", optimizer=sgd).
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import failing, fmt, location
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
