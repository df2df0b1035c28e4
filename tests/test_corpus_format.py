"""Format of corpus/real: every program folder is complete, labelled in catalogue names, and not taken
from a published deep-learning bug benchmark (corpus/EXCLUDED.md). Reads files only; runs nothing."""
from __future__ import annotations

import ast
import importlib.util
import json
import math
import re
from pathlib import Path

import pytest

from nnfit.doctor.findings import CATALOGUE

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
REAL = CORPUS / "real"
FILES = ("repro.py", "posted.py", "fixed.py", "label.json")
KEYS = {"id", "source", "framework", "task", "faults", "root_cause", "fix_addresses",
        "metric", "metric_before", "metric_after", "facts"}
TASKS = {"regression", "binary", "multiclass", "multilabel"}
# Codes fixed in corpus/README.md for the rules being added, so corpus and rules agree before they land.
NEW_FAULTS = {"target-shape-broadcast", "loss-output-mismatch", "validation-split-unshuffled",
              "integer-typed-data", "data-not-shuffled", "classification-output-mismatch", "class-imbalance"}
FAULT_NAMES = {info.name for info in CATALOGUE.values()} | NEW_FAULTS

FOLDERS = sorted(p for p in REAL.iterdir() if p.is_dir()) if REAL.is_dir() else []


def _label(folder: Path) -> dict:
    return json.loads((folder / "label.json").read_text())


def _excluded_text() -> str:
    return (CORPUS / "EXCLUDED.md").read_text()


def _excluded_numbers() -> set[str]:
    """Stack Overflow numbers listed in EXCLUDED.md (lines of bare numbers, indented)."""
    numbers: set[str] = set()
    for line in _excluded_text().splitlines():
        if re.fullmatch(r"\s+\d+(\s+\d+)*\s*", line):
            numbers.update(line.split())
    return numbers


def test_corpus_has_programs():
    assert len(FOLDERS) >= 1


def test_excluded_lists_every_benchmark():
    text = _excluded_text()
    for benchmark in ("DeepLocalize", "DeepFD", "AUTOTRAINER", "DeepDiagnosis", "TheDeepChecker",
                      "defects4ML", "TensorFlow-Program-Bugs", "BenchDL4Real", "dl-fl-repair"):
        assert f"## {benchmark}" in text, benchmark
    assert len(_excluded_numbers()) > 100


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_folder_has_the_four_files(folder):
    missing = [name for name in FILES if not (folder / name).is_file()]
    assert not missing, f"{folder.name} lacks {missing}"


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_label_schema(folder):
    label = _label(folder)
    assert set(label) >= KEYS, f"missing keys {KEYS - set(label)}"
    assert label["id"] == folder.name
    assert re.fullmatch(r"[a-z][A-Za-z0-9._-]*-\d+", label["id"]), label["id"]
    assert re.match(r"https?://\S+$", label["source"]), label["source"]
    assert label["framework"] in {"keras", "torch"}
    assert label["task"] in TASKS
    assert label["metric"] == ("r2" if label["task"] == "regression" else "accuracy")
    for key in ("faults", "root_cause", "fix_addresses"):
        assert isinstance(label[key], list) and all(isinstance(f, str) for f in label[key]), key
        unknown = set(label[key]) - FAULT_NAMES
        assert not unknown, f"{key}: not catalogue names {sorted(unknown)}"
    assert label["faults"] and label["root_cause"] and label["fix_addresses"]
    assert set(label["root_cause"]) <= set(label["faults"])
    assert set(label["fix_addresses"]) <= set(label["faults"])
    assert isinstance(label["facts"], str) and len(label["facts"]) > 80


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_metrics_are_measured_and_the_fix_helps(folder):
    label = _label(folder)
    before, after = label["metric_before"], label["metric_after"]
    # null means the reproduction printed a non-finite metric (NaN predictions); the fix must not.
    assert before is None or (isinstance(before, (int, float)) and math.isfinite(before))
    assert isinstance(after, (int, float)) and math.isfinite(after)
    assert before is None or after > before


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_programs_parse_and_print_the_heldout_line(folder):
    metric = _label(folder)["metric"]
    for name in ("repro.py", "fixed.py"):
        source = (folder / name).read_text()
        ast.parse(source, filename=str(folder / name))
        assert f"HELDOUT {metric}=" in source, f"{name} does not print 'HELDOUT {metric}='"


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_not_from_a_published_benchmark(folder):
    label = _label(folder)
    numbers = _excluded_numbers()
    for number in re.findall(r"\d{6,}", label["id"] + " " + label["source"]):
        assert number not in numbers, f"{folder.name}: {number} is listed in EXCLUDED.md"
    match = re.search(r"github\.com/([^/]+/[^/]+)/(?:issues|pull)/(\d+)", label["source"])
    if match:
        text = _excluded_text().lower()
        repo, number = match.group(1).lower(), match.group(2)
        assert f"{repo}/issues/{number}" not in text and f"{repo}/pull/{number}" not in text


def test_split_json_matches_the_recorded_rule():
    spec = importlib.util.spec_from_file_location("make_split", CORPUS / "make_split.py")
    make_split = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_split)
    split = json.loads((REAL / "split.json").read_text())
    labelled = {p.name for p in FOLDERS if (p / "label.json").is_file()}
    assert set(split["tune"]) | set(split["test"]) == labelled, "run corpus/make_split.py"
    assert not set(split["tune"]) & set(split["test"])
    for program_id in labelled:
        assert program_id in split[make_split.half_of(program_id)]
