"""The finding format shared by every diagnosis: `doctor run`, `doctor lint` and `doctor check`.

A rule has a stable code and name (the catalogue below); a Finding is one occurrence of it with its
location, the evidence (numbers that triggered it), a plain explanation and a concrete fix.
"""
from __future__ import annotations

import dataclasses
import enum
from typing import Any

from nnfit.io import to_jsonable


class Severity(str, enum.Enum):
    ERROR = "error"      # explains a failure; gates CI (exit code 1)
    WARNING = "warning"  # likely to hurt, worth fixing
    INFO = "info"        # noted, harmless on its own

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


# What a rule's finding is to the failure (nnfit.doctor.ranking orders by it): a cause explains it; a
# symptom is what a cause does to training (shown as the consequence of the causes found); advice is
# about the code, not about why this training fails.
CAUSE, SYMPTOM, ADVICE = "cause", "symptom", "advice"


@dataclasses.dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    severity: Severity
    summary: str
    kind: str = CAUSE
    task: str | None = None     # "regression" / "classification": the rule fires only on that task


# Stable codes and names: findings can be compared across tools and versions. Add, never renumber.
CATALOGUE: dict[str, RuleInfo] = {
    info.code: info
    for info in [
        RuleInfo("NF101", "narrow-bottleneck", Severity.ERROR, "a hidden layer narrower than the problem needs"),
        RuleInfo("NF102", "too-few-updates", Severity.ERROR, "too few parameter updates; loss still falling when training stopped"),
        RuleInfo("NF103", "learning-rate-too-high", Severity.ERROR, "loss diverges, oscillates or becomes NaN/inf"),
        RuleInfo("NF104", "learning-rate-too-low", Severity.WARNING, "updates too small for the loss to move"),
        RuleInfo("NF105", "unscaled-inputs", Severity.ERROR, "inputs far outside [-1, 1]"),
        RuleInfo("NF106", "unscaled-targets", Severity.ERROR, "targets far outside [-1, 1]", CAUSE, "regression"),
        RuleInfo("NF107", "output-activation-range", Severity.ERROR, "output activation cannot produce the target range", CAUSE, "regression"),
        RuleInfo("NF108", "classification-metric-on-regression", Severity.WARNING, "accuracy reported on a regression", ADVICE, "regression"),
        RuleInfo("NF109", "unused-optimizer", Severity.ERROR, "an optimiser object built but not passed to compile"),
        RuleInfo("NF110", "wrong-loss", Severity.ERROR, "a classification loss on a regression", CAUSE, "regression"),
        RuleInfo("NF111", "vanishing-gradients", Severity.WARNING, "gradients shrink to nothing in early layers", SYMPTOM),
        RuleInfo("NF112", "exploding-gradients", Severity.ERROR, "gradients grow without bound", SYMPTOM),
        RuleInfo("NF113", "dead-units", Severity.WARNING, "ReLU units that never activate", SYMPTOM),
        RuleInfo("NF114", "saturated-units", Severity.WARNING, "sigmoid/tanh units stuck at their limits", SYMPTOM),
        RuleInfo("NF115", "capacity-too-small", Severity.WARNING, "the model is too small for the data", CAUSE, "regression"),
        RuleInfo("NF116", "wrong-update-rule", Severity.ERROR, "a weight update that does not follow the gradient"),
        RuleInfo("NF117", "legacy-keras-api", Severity.WARNING, "Keras 2 argument or API name", ADVICE),
        RuleInfo("NF118", "wrong-gradient", Severity.ERROR, "an analytic gradient that disagrees with finite differences"),
        RuleInfo("NF119", "missing-bias", Severity.WARNING, "layers without bias terms"),
        RuleInfo("NF120", "bad-initial-scale", Severity.WARNING, "initial weights too large or too small"),
        RuleInfo("NF121", "python2-syntax", Severity.ERROR, "code that Python 3 cannot parse (print statement, broken indentation)", ADVICE),
        RuleInfo("NF122", "loss-not-decreasing", Severity.ERROR, "the training loss does not fall", SYMPTOM),
        RuleInfo("NF123", "capacity-too-large", Severity.INFO, "far more parameters than data points", ADVICE),
        RuleInfo("NF124", "batch-size-too-small", Severity.WARNING, "batch size 1 with a large learning rate: noisy updates"),
        RuleInfo("NF125", "target-shape-broadcast", Severity.ERROR, "targets of shape (n,) against predictions (n, 1), broadcast inside the loss"),
        RuleInfo("NF126", "loss-output-mismatch", Severity.ERROR, "a loss that does not fit the output activation or the task"),
        RuleInfo("NF127", "validation-split-unshuffled", Severity.WARNING, "validation_split takes the tail of ordered data"),
        RuleInfo("NF128", "integer-typed-data", Severity.ERROR, "integer-typed inputs or targets"),
        RuleInfo("NF129", "data-not-shuffled", Severity.WARNING, "ordered data batched without shuffling"),
        RuleInfo("NF130", "classification-output-mismatch", Severity.ERROR, "output units or activation that do not fit the classification task", CAUSE, "classification"),
        RuleInfo("NF131", "class-imbalance", Severity.WARNING, "one class dominates; the model predicts it for (nearly) every row", CAUSE, "classification"),
        RuleInfo("NF132", "dtype-mismatch", Severity.ERROR, "data of another floating type than the layers (float64 arrays into float32 layers), or float targets for a class-index loss"),
        RuleInfo("NF133", "input-width-mismatch", Severity.ERROR, "the data's number of input columns differs from what the first layer takes"),
    ]
}

BY_NAME: dict[str, RuleInfo] = {info.name: info for info in CATALOGUE.values()}


def lookup(code_or_name: str) -> RuleInfo:
    """The catalogue entry for a code (`NF101`) or a name (`narrow-bottleneck`)."""
    key = code_or_name.strip()
    if key.upper() in CATALOGUE:
        return CATALOGUE[key.upper()]
    if key.lower() in BY_NAME:
        return BY_NAME[key.lower()]
    from nnfit.errors import NNFitError

    raise NNFitError(f"unknown rule {code_or_name!r}; `nnfit doctor rules` lists them")


@dataclasses.dataclass
class Location:
    file: str | None = None
    line: int | None = None       # 1-based
    column: int | None = None     # 1-based
    end_column: int | None = None
    layer: str | None = None      # layer / parameter name when the finding is about the model

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file + (f":{self.line}" if self.line else "") + (f":{self.column}" if self.line and self.column else ""))
        if self.layer:
            parts.append(f"layer '{self.layer}'")
        return ", ".join(parts) or "<model>"


@dataclasses.dataclass
class Finding:
    code: str
    message: str                       # one line: what is wrong, with the key number
    fix: str                           # the concrete change to make
    evidence: dict[str, Any] = dataclasses.field(default_factory=dict)
    location: Location = dataclasses.field(default_factory=Location)
    explanation: str = ""              # why it matters, in plain words
    severity: Severity | None = None   # defaults to the catalogue's
    # the evidence, for the ranking model (nnfit.doctor.ranking): what kind it is and how far past the
    # rule's threshold it lies (1.0: at the threshold; 10.0: ten times past it)
    basis: str = "setting"             # measured / data / setting / code
    margin: float = 1.0
    score: float = 0.0                 # strength of the evidence, set by the ranking model
    consequence_of: list[str] = dataclasses.field(default_factory=list)   # a symptom: the causes found
    # the catalogue's kind for this one finding when its own evidence names the cause (a vanishing
    # gradient measured through a stack of sigmoid layers is the activations' doing: a cause); None: the catalogue's
    kind: str | None = None
    repair_gain: float | None = None   # measured effect of this finding's fix (held-out metric gain)
    # a watched run's finding whose facts were read from the script's text, not observed by the monitor
    # (data or a hand-written loop's learning rate read statically): set by the ranking model
    from_text: bool = False
    # codes whose evidence this one finding's own evidence produces, beyond ranking.EXPLAINS (a rate
    # measured too low while the loss still falls slowly explains that loss's "too few updates")
    explains: list[str] = dataclasses.field(default_factory=list)

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:
            raise KeyError(f"finding code {self.code} is not in the catalogue")
        if self.severity is None:
            self.severity = CATALOGUE[self.code].severity

    @property
    def name(self) -> str:
        return CATALOGUE[self.code].name

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "location": dataclasses.asdict(self.location),
            "evidence": to_jsonable(self.evidence),
            "explanation": self.explanation,
            "fix": self.fix,
            "basis": self.basis,
            "score": round(self.score, 4),
            "kind": self.kind or CATALOGUE[self.code].kind,
            "consequence_of": self.consequence_of,
            "repair_gain": self.repair_gain,
        }
