"""Findings rendered as rustc prints diagnostics (text) or as JSON; the Report object users hold."""
from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import run_rules
from nnfit.doctor.run import TrainingRun


def _summary(run: TrainingRun) -> str:
    parts = [f"framework {run.framework}"]
    dense = [l for l in run.layers if l.kind == "dense"]
    if dense:
        n_in = dense[0].input_units
        widths = "-".join(str(x) for x in [n_in] + [l.units for l in dense])
        parts.append(f"network {widths} ({', '.join(l.activation or 'linear' for l in dense)})")
    c = run.config
    if c.optimizer:
        parts.append(f"{c.optimizer.name} lr={c.optimizer.learning_rate:.3g}" if c.optimizer.learning_rate is not None
                     else c.optimizer.name)
    if c.epochs is not None:
        parts.append(f"{c.epochs} epoch(s)")
    if c.batch_size is not None:
        parts.append(f"batch {c.batch_size}")
    if run.data.n_samples:
        parts.append(f"{run.data.n_samples} samples")
    if run.task:
        parts.append(f"task {run.task}")
    fit = run.fit
    if run.task not in (None, "regression") and fit.train_accuracy is not None:
        parts.append(f"training accuracy {fit.train_accuracy:.4f}")
    else:
        r2 = fit.train_r2
        if r2 is not None:
            parts.append(f"training R² {r2:.4f}" if math.isfinite(r2) else "training R² -inf")
    if fit.reference_r2 is not None and run.task in (None, "regression"):
        parts.append(f"reference fit R² {fit.reference_r2:.3f}")
    elif fit.reference_accuracy is not None:
        parts.append(f"reference fit accuracy {fit.reference_accuracy:.3f}")
    if run.history.seconds is not None:
        parts.append(f"{run.history.seconds:.1f} s")
    if run.seed is not None:
        parts.append(f"seed {run.seed}")
    return ", ".join(parts)


def render_finding(f: Finding, run: TrainingRun | None = None) -> str:
    sev = f.severity.value
    out = [f"{sev}[{f.code}]: {f.message}"]
    loc = f.location
    if loc.file or loc.layer:
        where = _relative(loc.file) if loc.file else "<model>"
        if loc.file and loc.line:
            where += f":{loc.line}" + (f":{loc.column}" if loc.column else "")
        if loc.layer and not (loc.file and loc.line):
            where += f" (layer '{loc.layer}')"
        out.append(f"  --> {where}")
    lines = run.source_lines if run is not None else []
    if loc.line and lines and loc.line <= len(lines):
        text = lines[loc.line - 1].rstrip()
        pad = " " * len(str(loc.line))
        out.append(f"{pad} |")
        out.append(f"{loc.line} | {text}")
        if loc.column:
            end = loc.end_column or loc.column
            note = _evidence_note(f)
            out.append(f"{pad} | {' ' * (loc.column - 1)}{'^' * max(1, end - loc.column + 1)}" + (f" {note}" if note else ""))
        out.append(f"{pad} |")
    pad = " " * (len(str(loc.line)) if loc.line and lines else 2)
    if f.explanation:
        out.append(f"{pad} = why: {f.explanation}")
    out.append(f"{pad} = fix: {f.fix}")
    return "\n".join(out)


def _relative(path: str) -> str:
    import os

    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def _evidence_note(f: Finding) -> str:
    ev = f.evidence
    if ev.get("saturated_fraction", 0) >= 0.5:
        return f"{ev['saturated_fraction']:.0%} of its outputs are saturated"
    if "updates" in ev and ev["updates"] is not None:
        return f"{ev['updates']} updates"
    return ""


class Report:
    """A diagnosis: the run, its ranked findings, and (when the data is known) a repair."""

    def __init__(self, run: TrainingRun, findings: list[Finding], capture: Any = None, notes: list[str] | None = None):
        self.run = run
        self.findings = findings
        self.capture = capture
        self.notes = list(notes or [])
        self.repair_result: Any = None

    @classmethod
    def from_run(cls, run: TrainingRun, capture: Any = None, notes: list[str] | None = None) -> "Report":
        return cls(run, run_rules(run), capture, notes)

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    def text(self) -> str:
        out = []
        for f in self.findings:
            out.append(render_finding(f, self.run))
            out.append("")
        counts = {s: sum(f.severity is s for f in self.findings) for s in Severity}
        if self.findings:
            out.append(f"{len(self.findings)} finding(s): {counts[Severity.ERROR]} error, "
                       f"{counts[Severity.WARNING]} warning, {counts[Severity.INFO]} info")
        else:
            out.append(_no_findings_line(self.run))
        out.append(f"run: {_summary(self.run)}")
        for note in self.notes:
            out.append(f"note: {note}")
        return "\n".join(out)

    def to_dict(self) -> dict[str, Any]:
        from nnfit.io import to_jsonable

        d: dict[str, Any] = {
            "findings": [f.to_dict() for f in self.findings],
            "run": {"framework": self.run.framework, "source": self.run.source, "summary": _summary(self.run),
                    "train_r2": to_jsonable(self.run.fit.train_r2), "seed": self.run.seed, "task": self.run.task,
                    "fit": to_jsonable(dataclasses.asdict(self.run.fit))},
            "notes": self.notes,
        }
        if self.repair_result is not None:
            d["repair"] = self.repair_result.to_dict()
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def show(self) -> None:
        print(self.text())

    def repair(self, *, budget_s: float = 40.0, show: bool = True, seed: int | None = None) -> Any:
        """Apply each fix separately, then all together; re-train with the same data and seed."""
        from nnfit.doctor.repair import repair

        if self.capture is None or getattr(self.capture, "X", None) is None:
            from nnfit.errors import NNFitError

            raise NNFitError("repair needs the training data; use doctor.diagnose(model, X, y) or `doctor run`")
        self.repair_result = repair(self.capture, self.findings, budget_s=budget_s,
                                    seed=seed if seed is not None else (self.run.seed or 0))
        self.findings = rerank_by_repair(self.findings, self.repair_result)
        if show:
            print(self.repair_result.text())
        return self.repair_result

    def __repr__(self) -> str:
        return f"Report({self.codes})"

    def _repr_html_(self) -> str:
        """Notebook display: the findings table and the run summary (every value escaped)."""
        from nnfit.report.html import findings_section, notebook_html

        return notebook_html("nnfit doctor", [findings_section(self.findings)],
                             subtitle="; ".join([f"run: {_summary(self.run)}", *self.notes]))


def repair_gains(result: Any) -> dict[str, float]:
    """Held-out R² gained by each single fix over the original row (rows[0]) of a repair result
    (repair.RepairResult rows carry `.result`, script repairs `.heldout`)."""
    rows = getattr(result, "rows", None) or []

    def r2_of(row: Any) -> float | None:
        scores = getattr(row, "result", None) or getattr(row, "heldout", None)
        value = scores.get("r2") if isinstance(scores, dict) else None
        return float(value) if isinstance(value, (int, float)) else None

    if len(rows) < 2:
        return {}
    base = r2_of(rows[0])
    base = base if base is not None and math.isfinite(base) else -1.0
    gains: dict[str, float] = {}
    for row in rows[1:]:
        codes = list(getattr(row, "codes", []) or [])
        r2 = r2_of(row)
        if len(codes) == 1 and r2 is not None and math.isfinite(r2):
            gains[codes[0]] = max(-1.0, min(1.0, r2 - base))
    return gains


def rerank_by_repair(findings: list[Finding], result: Any) -> list[Finding]:
    """The ranking model's step 3: the measured effect of each fix orders the findings it repaired."""
    from nnfit.doctor.ranking import apply_repair

    gains = repair_gains(result)
    return apply_repair(findings, gains) if gains else findings


def _no_findings_line(run: TrainingRun) -> str:
    """What an empty report says: a poor measured fit is not "nothing to fix" (no rule named its cause)."""
    from nnfit.doctor.ranking import GOOD_FIT, fit_metric

    metric = None if run.is_static else fit_metric(run)
    if metric is None or metric >= GOOD_FIT:
        return "no findings: nothing in this run needs fixing"
    classification = run.task is not None and run.task != "regression"
    name = "accuracy" if classification else "R²"
    where = "held-out" if (run.fit.heldout_accuracy if classification else run.fit.heldout_r2) is not None else "training"
    reference = run.fit.reference_accuracy if classification else run.fit.reference_r2
    if reference is not None and math.isfinite(reference) and metric >= reference:
        # noisy or hard data: a flexible model fitted to the same rows does no better, so the network
        # is not what holds the score down
        return (f"no findings: {where} {name} {metric:.4g} is as good as a reference model on the same data "
                f"reaches ({reference:.3f}); nothing in this run needs fixing")
    line = f"no findings, but this run fits poorly: {where} {name} {metric:.4g}"
    if reference is not None and math.isfinite(reference):
        line += f" (a reference model on the same data reaches {reference:.3f})"
    return line + "; no rule named its cause: `--repair` measures the usual fixes on it"
