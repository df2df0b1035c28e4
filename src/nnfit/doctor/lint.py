"""`nnfit doctor lint`: diagnose a training script without running it.

    findings = lint_file("train.py")          # list[Finding], most explanatory first
    text = render_text(findings, run)         # rustc/ruff-like report

The script is read as text, repaired where pasting broke it, parsed (parso + ast) and interpreted
abstractly by nnfit.doctor.static; nothing in it is imported or executed. The findings come
from the same rules as `nnfit doctor run` (nnfit.doctor.rules.run_rules), so codes match.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from nnfit.doctor.findings import CATALOGUE, Finding, Severity
from nnfit.doctor.ranking import order as rank
from nnfit.doctor.run import TrainingRun
from nnfit.errors import NNFitError
from nnfit.io import json_text

# Scripts larger than this are refused with a one-line message (a training script is a few kB;
# a 10 MB "script" is data or generated code, and reading it would only waste time).
MAX_BYTES = 2_000_000


def read_script(path: str | os.PathLike[str]) -> str:
    """The text of a script, or an NNFitError saying in one line why it cannot be linted."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise NNFitError(f"{path}: no such file")
    if os.path.isdir(path):
        raise NNFitError(f"{path}: is a directory; give a Python script")
    size = os.path.getsize(path)
    if size > MAX_BYTES:
        raise NNFitError(f"{path}: {size / 1e6:.1f} MB is too large for a training script "
                         f"(limit {MAX_BYTES / 1e6:.0f} MB); lint the script, not its data")
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise NNFitError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return decode_script(raw, path)


def decode_script(raw: bytes, path: str = "<script>") -> str:
    if b"\x00" in raw[:8192]:
        raise NNFitError(f"{path}: binary file (contains NUL bytes), not a Python script")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise NNFitError(f"{path}: not UTF-8 text; save the script as UTF-8") from None
        printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in text)
        if printable < 0.95 * len(text):
            raise NNFitError(f"{path}: binary file, not a Python script")
        return text


def analyse_source(text: str, path: str | None = None) -> TrainingRun:
    from nnfit.doctor.static import analyse

    return analyse(text, path)


def lint_source(text: str, path: str | None = None, select: Iterable[str] | None = None,
                ignore: Iterable[str] | None = None) -> list[Finding]:
    """Findings for a script's text (never executed)."""
    return lint_run(analyse_source(text, path), select=select, ignore=ignore)


def lint_file(path: str | os.PathLike[str], select: Iterable[str] | None = None,
              ignore: Iterable[str] | None = None) -> list[Finding]:
    path = os.fspath(path)
    return lint_source(read_script(path), path, select=select, ignore=ignore)


def lint_run(run: TrainingRun, select: Iterable[str] | None = None,
             ignore: Iterable[str] | None = None) -> list[Finding]:
    from nnfit.doctor.rules import run_rules

    findings = run_rules(run) + predicted_crashes(run)
    sel = {c.upper() for c in select} if select else None
    ign = {c.upper() for c in ignore} if ignore else set()
    for code in (sel or set()) | ign:
        if code not in CATALOGUE:
            raise NNFitError(f"unknown rule code {code!r}; `nnfit doctor rules` lists them")
    out = [f for f in findings if (sel is None or f.code in sel) and f.code not in ign]
    return rank(_dedupe(out))


def predicted_crashes(run: TrainingRun) -> list[Finding]:
    """The exceptions the static reader can see coming (static/analysis.py `predicted_crashes`), as the
    findings `doctor run` gives the same script when it raises them (rules/script_error.py, with
    doctor/crashes.py's words): data wider or narrower than the first layer, a 1-D torch tensor of
    samples fed to nn.Linear, float targets for a class-index loss. Not raised twice: a code the rules
    already report at that line is left to them."""
    from nnfit.doctor import crashes
    from nnfit.doctor.findings import Location

    out: list[Finding] = []
    for c in (run.static.predicted_crashes if run.static else []):
        if c["code"] == "NF133":
            d = crashes.vector_input(str(c["width"]), str(c["declared"])) if c.get("vector") else \
                crashes.input_width("2", str(c["width"]), str(c["declared"]))
            evidence = {"declared_inputs": c["declared"], "data_width": c["width"], "layer": c["layer"]}
        elif c["code"] == "NF132":
            d = crashes.class_index_target(c["dtype"])
            evidence = {"target_dtype": c["dtype"], "loss": c["loss"]}
        else:
            continue
        out.append(Finding(
            code=d.code, message=f"{CATALOGUE[d.code].name}: {d.what} (the script will raise when it runs)",
            fix=d.fix, explanation=d.why, evidence=evidence,
            location=Location(file=run.source, line=c.get("line")), basis="code", margin=10.0,
            severity=Severity.ERROR,
        ))
    return out


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple] = set()
    out = []
    for f in findings:
        key = (f.code, f.location.line, f.location.column, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def exit_code(findings: list[Finding]) -> int:
    """1 when an error-severity finding exists (gates CI), else 0."""
    return 1 if any(f.severity == Severity.ERROR for f in findings) else 0


# --------------------------------------------------------------------------------------------------
# rendering

_WINDOW = 100  # characters of a long source line shown around the caret


def _excerpt(line: str, col: int | None, end: int | None) -> tuple[str, int, int]:
    """A window of a (possibly very long) line, and the caret start/length within it (0-based)."""
    line = line.rstrip("\n").replace("\t", "    ")
    start = (col or 1) - 1
    stop = max(start + 1, (end or (len(line.rstrip()) + 1)) - 1)
    if len(line) <= _WINDOW:
        if col is None:
            start = len(line) - len(line.lstrip())
            stop = max(start + 1, len(line.rstrip()))
        return line, start, min(stop, max(len(line), start + 1)) - start
    left = max(0, start - 20)
    right = min(len(line), left + _WINDOW)
    shown = ("..." if left else "") + line[left:right] + ("..." if right < len(line) else "")
    offset = 3 if left else 0
    caret_start = start - left + offset
    caret_len = max(1, min(stop, right) - start)
    return shown, caret_start, caret_len


def render_finding(f: Finding, source_lines: list[str] | None = None, color: bool = False) -> str:
    sev = f.severity.value
    loc = f.location
    out = [f"{sev}[{f.code}]: {f.message}"]
    width = len(str(loc.line)) if loc.line else 1
    pad = " " * width
    if loc.file or loc.line:
        where = (loc.file or "<script>") + (f":{loc.line}" if loc.line else "") + (f":{loc.column}" if loc.line and loc.column else "")
        out.append(f"{pad}--> {where}")
    if loc.line and source_lines and 0 < loc.line <= len(source_lines):
        text, cstart, clen = _excerpt(source_lines[loc.line - 1], loc.column, loc.end_column)
        out.append(f"{pad} |")
        out.append(f"{loc.line} | {text}")
        out.append(f"{pad} | {' ' * cstart}{'^' * clen}" + (f" {f.explanation}" if f.explanation else ""))
    elif f.explanation:
        out.append(f"{pad} = why: {f.explanation}")
    if f.fix:
        out.append(f"{pad} = fix: {f.fix}")
    text = "\n".join(out)
    if color:
        colour = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "info": "\x1b[1;36m"}[sev]
        text = text.replace(f"{sev}[{f.code}]", f"{colour}{sev}[{f.code}]\x1b[0m", 1)
    return text


def render_text(findings: list[Finding], run: TrainingRun | None = None, path: str | None = None,
                color: bool = False) -> str:
    lines = run.source_lines if run is not None else None
    blocks = [render_finding(f, lines, color) for f in findings]
    n_err = sum(f.severity == Severity.ERROR for f in findings)
    n_warn = sum(f.severity == Severity.WARNING for f in findings)
    n_info = len(findings) - n_err - n_warn
    name = path or (run.source if run else None) or "<script>"
    if findings:
        summary = (f"{name}: {len(findings)} finding{'s' if len(findings) != 1 else ''} "
                   f"({n_err} error{'s' if n_err != 1 else ''}, {n_warn} warning{'s' if n_warn != 1 else ''}, {n_info} info)")
    else:
        summary = f"{name}: no findings"
    return "\n\n".join(blocks + [summary])


def setup_summary(run: TrainingRun) -> dict[str, Any]:
    """What the static reading recovered (layers, optimiser, data ranges): shown by --setup and in JSON."""
    cfg = run.config
    opt = cfg.optimizer
    return {
        "layers": [{"name": la.name, "kind": la.kind, "units": la.units, "input_units": la.input_units,
                    "activation": la.activation, "use_bias": la.use_bias, "line": la.line} for la in run.layers],
        "optimizer": None if opt is None else {"name": opt.name, "learning_rate": opt.learning_rate, "line": opt.line},
        "optimizers_built": [{"name": o.name, "learning_rate": o.learning_rate, "variable": o.variable,
                              "passed_to_compile": o.passed_to_compile, "line": o.line} for o in cfg.optimizers_built],
        "loss": cfg.loss, "metrics": cfg.metrics, "epochs": cfg.epochs, "batch_size": cfg.batch_size,
        "n_samples": run.data.n_samples,
        "inputs": [{"min": c.min, "max": c.max, "integer": c.is_integer} for c in run.data.inputs],
        "targets": [{"min": c.min, "max": c.max, "integer": c.is_integer} for c in run.data.targets],
        "is_regression": run.data.is_regression,
        "updates": [{"parameter": u.parameter, "expression": u.expression, "uses_gradient": u.uses_gradient,
                     "line": u.line} for u in run.updates],
    }


def render_setup(run: TrainingRun) -> str:
    s = setup_summary(run)
    out = ["recovered setup (from literals; nothing was run):"]
    for la in s["layers"]:
        out.append(f"  layer {la['name']}: {la['kind']} {la['input_units']}->{la['units']} {la['activation'] or ''}"
                   f"{'' if la['use_bias'] is not False else ' (no bias)'}  line {la['line']}")
    if s["optimizer"]:
        o = s["optimizer"]
        out.append(f"  optimizer: {o['name']} lr={o['learning_rate']} (line {o['line']})")
    for o in s["optimizers_built"]:
        if not o["passed_to_compile"]:
            out.append(f"  optimizer built but not used: {o['variable'] or o['name']} lr={o['learning_rate']} (line {o['line']})")
    out.append(f"  loss={s['loss']} metrics={s['metrics']} epochs={s['epochs']} batch_size={s['batch_size']} "
               f"samples={s['n_samples']}")
    for kind in ("inputs", "targets"):
        for i, c in enumerate(s[kind]):
            out.append(f"  {kind[:-1]} {i}: [{c['min']:g}, {c['max']:g}]{' integers' if c['integer'] else ''}")
    for u in s["updates"]:
        out.append(f"  update (line {u['line']}): {u['expression']}  uses gradient: {u['uses_gradient']}")
    return "\n".join(out)


def render_json(results: list[tuple[str, TrainingRun | None, list[Finding]]]) -> str:
    files = []
    for path, run, findings in results:
        files.append({
            "file": path,
            "findings": [f.to_dict() for f in findings],
            "summary": {
                "errors": sum(f.severity == Severity.ERROR for f in findings),
                "warnings": sum(f.severity == Severity.WARNING for f in findings),
                "info": sum(f.severity == Severity.INFO for f in findings),
            },
            "setup": setup_summary(run) if run is not None else None,
        })
    return json_text({"tool": "nnfit doctor lint", "files": files})
