"""The finding format shared by every diagnosis: `doctor run`, `doctor lint` and `doctor check`.

A rule has a stable code and name (the catalogue below); a Finding is one occurrence of it with its
location, the evidence (numbers that triggered it), a plain explanation and a concrete fix.
"""
from __future__ import annotations

import dataclasses
import enum
from typing import Any


class Severity(str, enum.Enum):
    ERROR = "error"      # explains a failure; gates CI (exit code 1)
    WARNING = "warning"  # likely to hurt, worth fixing
    INFO = "info"        # noted, harmless on its own

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclasses.dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    severity: Severity
    summary: str


# Stable codes and names: findings can be compared across tools and versions. Add, never renumber.
CATALOGUE: dict[str, RuleInfo] = {
    info.code: info
    for info in [
        RuleInfo("NF101", "narrow-bottleneck", Severity.ERROR, "a hidden layer narrower than the problem needs"),
        RuleInfo("NF102", "too-few-updates", Severity.ERROR, "too few parameter updates; loss still falling when training stopped"),
        RuleInfo("NF103", "learning-rate-too-high", Severity.ERROR, "loss diverges, oscillates or becomes NaN/inf"),
        RuleInfo("NF104", "learning-rate-too-low", Severity.WARNING, "updates too small for the loss to move"),
        RuleInfo("NF105", "unscaled-inputs", Severity.ERROR, "inputs far outside [-1, 1]"),
        RuleInfo("NF106", "unscaled-targets", Severity.ERROR, "targets far outside [-1, 1]"),
        RuleInfo("NF107", "output-activation-range", Severity.ERROR, "output activation cannot produce the target range"),
        RuleInfo("NF108", "classification-metric-on-regression", Severity.WARNING, "accuracy reported on a regression"),
        RuleInfo("NF109", "unused-optimizer", Severity.ERROR, "an optimiser object built but not passed to compile"),
        RuleInfo("NF110", "wrong-loss", Severity.ERROR, "a loss that does not fit the task"),
        RuleInfo("NF111", "vanishing-gradients", Severity.WARNING, "gradients shrink to nothing in early layers"),
        RuleInfo("NF112", "exploding-gradients", Severity.ERROR, "gradients grow without bound"),
        RuleInfo("NF113", "dead-units", Severity.WARNING, "ReLU units that never activate"),
        RuleInfo("NF114", "saturated-units", Severity.WARNING, "sigmoid/tanh units stuck at their limits"),
        RuleInfo("NF115", "capacity-too-small", Severity.WARNING, "the model is too small for the data"),
        RuleInfo("NF116", "wrong-update-rule", Severity.ERROR, "a weight update that does not follow the gradient"),
        RuleInfo("NF117", "legacy-keras-api", Severity.WARNING, "Keras 2 argument or API name"),
        RuleInfo("NF118", "wrong-gradient", Severity.ERROR, "an analytic gradient that disagrees with finite differences"),
        RuleInfo("NF119", "missing-bias", Severity.WARNING, "layers without bias terms"),
        RuleInfo("NF120", "bad-initial-scale", Severity.WARNING, "initial weights too large or too small"),
        RuleInfo("NF121", "python2-syntax", Severity.ERROR, "code that Python 3 cannot parse (print statement, broken indentation)"),
        RuleInfo("NF122", "loss-not-decreasing", Severity.ERROR, "the training loss does not fall"),
        RuleInfo("NF123", "capacity-too-large", Severity.INFO, "far more parameters than data points"),
        RuleInfo("NF124", "batch-size-too-small", Severity.WARNING, "batch size 1 with a large learning rate: noisy updates"),
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
    score: float = 1.0                 # how much it explains the failure; findings are ranked by it
    severity: Severity | None = None   # defaults to the catalogue's

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
            "evidence": _jsonable(self.evidence),
            "explanation": self.explanation,
            "fix": self.fix,
            "score": self.score,
        }


def rank(findings: list[Finding]) -> list[Finding]:
    """Most explanatory first: severity, then score, then position in the file."""
    return sorted(findings, key=lambda f: (f.severity.rank, -f.score, f.location.line or 0, f.code))


def _jsonable(value: Any) -> Any:
    import numpy as np

    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)
    return value
