"""The rule registry. One file per rule; each registers itself with @rule.

A rule is a function TrainingRun -> iterator of Finding. Its docstring (What it finds / Why it
matters / Example / Fix) is what `nnfit doctor rule CODE` prints, so docs and code cannot drift.
"""
from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections.abc import Callable, Iterator

from nnfit.doctor.findings import CATALOGUE, Finding
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


def applies(code: str, run: TrainingRun) -> bool:
    """A rule declared for one task (catalogue `task`) runs only on it (or when the task is unknown)."""
    wanted = CATALOGUE[code].task
    if wanted is None or run.task is None:
        return True
    return (run.task == "regression") == (wanted == "regression")


def run_rules(run: TrainingRun) -> list[Finding]:
    """Every rule that applies to the run's task; ranked and graded by nnfit.doctor.ranking."""
    from nnfit.doctor.ranking import assess
    from nnfit.doctor.task import infer_task

    load_all()
    if not run.is_static and not (run.data.inputs or run.data.targets):
        from nnfit.doctor.static.analysis import fill_unseen_data

        fill_unseen_data(run)   # a loop the monitor could not see into: the script's data, read statically
    if run.task is None:
        run.task = infer_task(run)
    if run.task is not None and run.data.is_regression is None:
        run.data.is_regression = run.task == "regression"
    findings: list[Finding] = []
    for code, rules in REGISTRY.items():
        if not applies(code, run):
            continue
        for registered in rules:
            findings.extend(registered.fn(run))
    return assess(_one_per_crash(findings), run)


def _one_per_crash(findings: list[Finding]) -> list[Finding]:
    """A fault the script's own exception named (rules/script_error.py) is reported once: the other
    rules' findings of the same code (read from the data or the code around the crash) say the same
    thing with less evidence."""
    crashed = {f.code for f in findings if "exception" in f.evidence}
    if not crashed:
        return findings
    return [f for f in findings if f.code not in crashed or "exception" in f.evidence]
