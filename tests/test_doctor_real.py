"""The corpus of real failing programs (corpus/real): its labels and split, and the doctor on it.

The default suite checks every label against the catalogue and the recorded split rule, and runs
`doctor run` on a few fast PyTorch programs (about a second of training each); the whole corpus is
slow-marked (`make test-slow`) and measured by bench/doctor_real.py.
The doctor tests use tuning-half programs only: the test half is measured (bench/doctor_real.py),
never asserted on, so that no one adjusts a rule until a test-half program passes.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import warnings
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.findings import BY_NAME, Severity  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "real"
PROGRAMS = sorted(p.name for p in CORPUS.iterdir() if (p / "label.json").is_file()) if CORPUS.is_dir() else []
SPLIT = json.loads((CORPUS / "split.json").read_text()) if (CORPUS / "split.json").is_file() else {"tune": []}
TUNE = [p for p in PROGRAMS if p in SPLIT["tune"]]
TASKS = {"regression", "binary", "multiclass", "multilabel"}
# fast PyTorch programs, one per rule they pin (the labelled root cause must be found, the fixed
# program must get no error finding)
# (MorvanZhou-31: an early blow-up that kills the ReLU units applied by F.relu, then a flat loss)
FAST = ["so-75202594", "discuss-pytorch-148155", "gh-MorvanZhou-PyTorch-Tutorial-31"]


def label(pid: str) -> dict:
    return json.loads((CORPUS / pid / "label.json").read_text())


@pytest.mark.skipif(not PROGRAMS, reason="corpus/real is empty")
@pytest.mark.parametrize("pid", PROGRAMS)
def test_label_is_complete_and_uses_catalogue_names(pid):
    lab = label(pid)
    assert lab["id"] == pid and lab["task"] in TASKS and lab["framework"] in ("keras", "torch")
    for key in ("faults", "root_cause", "fix_addresses"):
        unknown = [f for f in lab[key] if f not in BY_NAME and not f.startswith("other:")]
        assert not unknown, f"{pid}: {key} names outside the catalogue: {unknown}"
    assert set(lab["root_cause"]) <= set(lab["faults"]) | {f for f in lab["root_cause"] if f.startswith("other:")}
    for name in ("repro.py", "fixed.py", "posted.py"):
        assert (CORPUS / pid / name).is_file(), f"{pid}: {name} missing"


@pytest.mark.skipif(not (CORPUS / "split.json").is_file(), reason="no split.json")
def test_split_follows_the_recorded_rule():
    split = json.loads((CORPUS / "split.json").read_text())
    for half in ("tune", "test"):
        for pid in split[half]:
            digest = int(hashlib.sha256(f"{split['seed']}:{pid}".encode()).hexdigest(), 16)
            assert ("tune" if digest % 2 == 0 else "test") == half, pid
    assert not set(split["tune"]) & set(split["test"])


def diagnose(path: Path):
    from nnfit.doctor.report import Report
    from nnfit.doctor.runner import run_script

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        cap = run_script(str(path), budget_s=90, train_budget_s=30)
        return Report.from_run(cap.run, cap, cap.notes)


def check(pid: str) -> None:
    lab = label(pid)
    report = diagnose(CORPUS / pid / "repro.py")
    names = [f.name for f in report.findings]
    assert set(lab["root_cause"]) & set(names), f"{pid}: root cause {lab['root_cause']} not in {names}"
    fixed = diagnose(CORPUS / pid / "fixed.py")
    errors = [f.name for f in fixed.findings if f.severity is Severity.ERROR]
    assert not set(errors) & set(lab["fix_addresses"]), f"{pid}: the fixed program still gets {errors}"


@pytest.mark.parametrize("pid", [p for p in FAST if p in TUNE])
def test_fast_real_programs(pid):
    check(pid)


@pytest.mark.slow
@pytest.mark.parametrize("pid", [p for p in TUNE if p not in FAST])
def test_whole_tuning_half(pid):
    check(pid)


# tuning-half programs whose labelled root cause is named only by evidence of the run's own (a
# classifier's loss at the constant's level while its accuracy rises; a gradient shrinking through
# sigmoid layers): it must come first, not merely be found
FIRST = ["gh-facebookresearch-fastText-853", "se-ai-16557"]


@pytest.mark.slow
@pytest.mark.parametrize("pid", [p for p in FIRST if p in TUNE])
def test_the_labelled_root_cause_comes_first(pid):
    report = diagnose(CORPUS / pid / "repro.py")
    assert report.findings and report.findings[0].name in label(pid)["root_cause"], [f.name for f in report.findings]
