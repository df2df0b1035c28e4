"""legacy-keras-api (NF117)

What it finds: Keras 1/2 names that Keras 3 renamed or removed: `nb_epoch=` (now `epochs=`),
`init=` (now `kernel_initializer=`), `output_dim=` (now `units=`), optimiser `lr=` (now
`learning_rate=`), `decay=` (ignored; use a learning-rate schedule), `fit_generator`, `predict_classes`,
module paths such as `keras.layers.core`.
Why it matters: Keras 3 raises on most of them (`TypeError: fit() got an unexpected keyword argument
'nb_epoch'`), and silently ignores `decay=`, so a script from an old answer either crashes or trains
differently from what its author saw.
Example: r.fit(X, Y, batch_size=100, nb_epoch=1)
Fix: use the Keras 3 name shown in the finding, e.g. `epochs=1`.
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Location
from nnfit.doctor.rules import rule
from nnfit.doctor.run import TrainingRun

_WHY = {
    "nb_epoch=": "Keras 3 raises TypeError: unexpected keyword argument 'nb_epoch'",
    "init=": "Keras 3 raises ValueError: unrecognized keyword argument 'init'",
    "output_dim=": "Keras 3 raises TypeError: missing required argument 'units'",
    "lr=": "Keras 3 raises ValueError: argument(s) not recognized: 'lr'",
    "decay=": "Keras 3 ignores `decay=` (with a warning): the learning rate never decays",
}


def _snippet(run: TrainingRun, line: int | None, span: tuple[int, int] | None) -> str | None:
    if not line or not span or line > len(run.source_lines):
        return None
    text = run.source_lines[line - 1]
    return text[span[0] - 1:span[1] - 1].strip() or None


@rule("NF117")
def legacy_keras_api(run: TrainingRun) -> Iterator[Finding]:
    # the same catalogue entry covers old PyTorch idioms (loss.data[0], Variable) in a torch script
    torch = run.framework == "torch" or (run.static is not None and run.static.frameworks == ["torch"])
    for use in run.legacy:
        old, new = use.old, use.new
        snippet = _snippet(run, use.line, use.span)
        if old.endswith("=") and snippet and snippet.startswith(old[:-1]) and "=" in snippet:
            value = snippet.split("=", 1)[1].strip().rstrip(",")
            if old == "decay=":
                fix = (f"remove `{snippet}`; to decay the rate use learning_rate="
                       f"keras.optimizers.schedules.InverseTimeDecay(<lr>, decay_steps=1, decay_rate={value})")
            else:
                fix = f"replace `{snippet}` with `{new}{value}`"
        elif old.startswith("."):
            fix = f"replace `{old}` with `{new}`"
        else:
            fix = f"use `{new}` instead of `{old}`"
        why = _WHY.get(old, "renamed in Keras 3")
        yield Finding(
            code="NF117",
            message=(f"legacy-keras-api: `{old}` is an old PyTorch idiom; PyTorch today uses `{new}`" if torch else
                     f"legacy-keras-api: `{old}` is a Keras 2 name; Keras 3 uses `{new}`"),
            fix=fix,
            evidence={"old": old, "new": new},
            location=Location(file=run.source, line=use.line, column=use.span[0] if use.span else None,
                              end_column=use.span[1] if use.span else None),
            explanation=why,
            basis="code", margin=10.0 if old in _WHY else 1.0,
        )
