"""Each new rule pinned by its fixtures, as ruff pins its rules: tests/rule_fixtures/NFxxx_fail.py must
get the rule's finding, NFxxx_healthy.py (the same program with the fault fixed) must not, and the
findings of both match the snapshot in tests/rule_fixtures/snapshots/ (code, severity, line).

A rule change shows up as a snapshot diff; refresh the snapshots on purpose with
`NNFIT_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_rule_fixtures.py`.
Torch fixtures train in about a second; Keras ones take longer and are slow-marked.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import warnings
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.findings import Severity  # noqa: E402
from nnfit.doctor.report import Report  # noqa: E402
from nnfit.doctor.runner import run_script  # noqa: E402

HERE = Path(__file__).resolve().parent / "rule_fixtures"
SNAPSHOTS = HERE / "snapshots"
FIXTURES = sorted(p.name for p in HERE.glob("NF*_*.py"))


def _is_keras(name: str) -> bool:
    return "keras" in (HERE / name).read_text()


def diagnose(name: str) -> list[dict]:
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        cap = run_script(str(HERE / name), budget_s=60, train_budget_s=30)
        report = Report.from_run(cap.run, cap, cap.notes)
    return [{"code": f.code, "severity": f.severity.value, "line": f.location.line} for f in report.findings]


def check(name: str) -> None:
    code = name.split("_")[0]
    found = diagnose(name)
    codes = [f["code"] for f in found]
    if name.endswith("_fail.py"):
        assert code in codes, f"{name}: {code} not found in {codes}"
    else:
        assert code not in codes, f"{name}: {code} found in the fixed program"
        assert not [f for f in found if f["severity"] == Severity.ERROR.value], f"{name}: error findings {found}"
    snap = SNAPSHOTS / (name[:-3] + ".json")
    if os.environ.get("NNFIT_UPDATE_SNAPSHOTS") or not snap.exists():
        SNAPSHOTS.mkdir(exist_ok=True)
        snap.write_text(json.dumps(found, indent=1) + "\n")
        return
    assert found == json.loads(snap.read_text()), f"{name}: findings differ from the snapshot {snap.name}"


@pytest.mark.parametrize("name", [n for n in FIXTURES if not _is_keras(n)])
def test_torch_rule_fixture(name):
    check(name)


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in FIXTURES if _is_keras(n)])
def test_keras_rule_fixture(name):
    check(name)


# The lint corpus (tests/lint_corpus/, one program per static rule, failing and healthy) pinned the same
# way, read statically: a threshold change shows which programs it moves.
LINT_CORPUS = Path(__file__).resolve().parent / "lint_corpus"
LINT_PROGRAMS = sorted(p.name for p in LINT_CORPUS.glob("*.py"))


@pytest.mark.parametrize("name", LINT_PROGRAMS)
def test_lint_corpus_snapshot(name):
    from nnfit.doctor.lint import lint_file

    found = [{"code": f.code, "severity": f.severity.value, "line": f.location.line}
             for f in lint_file(LINT_CORPUS / name)]
    snap = SNAPSHOTS / "lint" / (name[:-3] + ".json")
    if os.environ.get("NNFIT_UPDATE_SNAPSHOTS") or not snap.exists():
        snap.parent.mkdir(parents=True, exist_ok=True)
        snap.write_text(json.dumps(found, indent=1) + "\n")
        return
    assert found == json.loads(snap.read_text()), f"{name}: findings differ from the snapshot lint/{snap.name}"
