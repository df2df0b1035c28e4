"""The rule registry. One file per rule; each registers itself with @rule.

A rule is a function TrainingRun -> iterator of Finding. Its docstring (What it finds / Why it
matters / Example / Fix) is what `nnfit doctor rule CODE` prints, so docs and code cannot drift.
"""
from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections.abc import Callable, Iterator

from nnfit.doctor.findings import CATALOGUE, Finding, rank
from nnfit.doctor.run import TrainingRun

RuleFn = Callable[[TrainingRun], Iterator[Finding]]


@dataclasses.dataclass(frozen=True)
class RegisteredRule:
    code: str
    fn: RuleFn

    @property
    def doc(self) -> str:
        """The rule function's docstring, else its module's (a rule file documents its one rule)."""
        import sys

        doc = self.fn.__doc__ or getattr(sys.modules.get(self.fn.__module__), "__doc__", None) or ""
        return doc.strip()


REGISTRY: dict[str, list[RegisteredRule]] = {}


def rule(code: str) -> Callable[[RuleFn], RuleFn]:
    if code not in CATALOGUE:
        raise KeyError(f"{code} is not in nnfit.doctor.findings.CATALOGUE")

    def register(fn: RuleFn) -> RuleFn:
        REGISTRY.setdefault(code, []).append(RegisteredRule(code, fn))
        return fn

    return register


def load_all() -> None:
    """Import every rule module in this package so that each registers itself."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


def run_rules(run: TrainingRun) -> list[Finding]:
    load_all()
    findings: list[Finding] = []
    for rules in REGISTRY.values():
        for registered in rules:
            findings.extend(registered.fn(run))
    return rank(findings)
