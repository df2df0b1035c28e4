"""too-few-updates (NF102): the model built anew inside the training loop

What it finds: a network made (and trained) again and again at one line of the script: the model is
built inside the epoch loop (`for epoch in ...: model = Net(); optimizer = Adam(model.parameters())`,
or a Keras model built, compiled and fitted for one epoch on each pass). Every pass starts from new
random weights, so the network the script goes on to use has had only the last pass's updates, however
many the loop made in all.
Why it matters: training never accumulates: each model gets one epoch (or one step) and is then thrown
away; the loss starts over at its initial level on every pass, and the final network is barely trained.
Example: for epoch in range(100): model = Net(); opt = torch.optim.SGD(model.parameters(), 0.01); train(model, opt)
Fix: build the model (and its optimiser, and compile it) once, before the loop; the loop then only trains.
Threshold: too_few_updates.MIN_UPDATES, that rule's own bar: the recorded (last) network made fewer updates
than it while all the networks built at that line made at least as many together (the script did plan
enough training, it just spread it over new models). Two or more networks of one kind from one line is
the fact the runner records (runner._models_rebuilt); k-fold or ensemble loops, which train each model
fully, make MIN_UPDATES or more updates per model and are left alone. Not on a run that fits well.
The loss restarting on every pass swings between passes and never gets lower: what the learning-rate
rules read (NF103's oscillation, NF104's flat loss) is this fault's doing (Finding.explains).
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import healthy, location
from nnfit.doctor.run import TrainingRun


@rule("NF102")
def model_rebuilt_in_loop(run: TrainingRun) -> Iterator[Finding]:
    from nnfit.doctor.rules.too_few_updates import MIN_UPDATES

    facts = run.models_rebuilt
    if not facts or run.is_static:
        return
    state = healthy(run)
    if state is True:
        return
    models, last, total = int(facts["models"]), int(facts["updates_last"]), int(facts["updates_total"])
    if models < 2 or last >= MIN_UPDATES or total < MIN_UPDATES:
        return
    line = facts.get("line")
    yield Finding(
        code="NF102",
        message=f"too-few-updates: the model is built anew at line {line} on every pass of the loop: {models} networks "
                f"were trained, {total} updates in all, but each starts from new weights and the last one (the one "
                f"the script keeps) made only {last}",
        fix=f"build the model and its optimiser once, before the loop (move line {line} out of it); the loop then "
            "only trains",
        evidence={"models": models, "updates_last": last, "updates_total": total, "line": line, "rebuilt": True},
        location=location(run, line=line),
        explanation="every pass throws the trained weights away and starts from random ones: training never accumulates",
        basis="measured", margin=max(1.0, MIN_UPDATES / max(last, 1)),
        severity=Severity.ERROR if state is False else Severity.WARNING,
        # the loss starting over on every pass is what the rate's findings read: swings between passes
        # (NF103's oscillation) and a curve that never gets lower (NF104's flat loss)
        explains=["NF103", "NF104"],
    )
