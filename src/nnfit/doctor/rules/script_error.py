"""The fault a script's own exception names (doctor run)

What it finds: a training script that raised a framework error whose message is evidence of a
known fault (doctor/crashes.py lists the messages): float64 data into float32 layers (NF132),
integer tensors into float layers (NF128), float targets for a class-index loss (NF132), a data
width the first layer does not take (NF133), a class label without an output unit (NF130),
one-hot targets for CrossEntropyLoss or a BCELoss on outputs that are not probabilities (NF126), a
binary cross-entropy on real-valued targets (NF110).
Why it matters: the script stops before (or while) it trains; the traceback names a tensor
operation deep inside the framework, not the line of the script that made the wrong data.
Example: X = torch.from_numpy(np.linspace(0, 1, 100).reshape(-1, 1)) fed to nn.Linear(1, 16)
Fix: the pattern's fix (X = torch.from_numpy(x).float() for the example).
Threshold: none: the framework's message is the evidence; an unknown message is reported as it is.
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.crashes import diagnose
from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import location
from nnfit.doctor.run import TrainingRun

# every code a crash pattern can name (doctor/crashes.py PATTERNS)
CODES = ("NF110", "NF126", "NF128", "NF130", "NF132", "NF133")


def _rule_for(code: str):
    def script_error(run: TrainingRun) -> Iterator[Finding]:
        found = diagnose(run.script_error)
        if found is None or found.code != code:
            return
        err = run.script_error
        yield Finding(
            code=code,
            message=f"{_name(code)}: {found.what} (the script raised {err.kind}: {err.message})",
            fix=found.fix, explanation=found.why,
            evidence={"exception": err.kind, "message": err.message, "line": err.line},
            location=location(run, line=err.line),
            basis="measured", margin=10.0, severity=Severity.ERROR,
        )
    script_error.__name__ = f"script_error_{code}"
    # the docs a rule table and `nnfit doctor rule CODE` print: "<name> (<code>), ..." then the module's
    script_error.__doc__ = f"{_name(code)} ({code}), from the script's own exception\n\n" + __doc__.split("\n", 2)[2]
    return rule(code)(script_error)


def _name(code: str) -> str:
    from nnfit.doctor.findings import CATALOGUE

    return CATALOGUE[code].name


for _code in CODES:
    _rule_for(_code)
