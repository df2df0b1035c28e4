"""The diagnosis corpus: expected codes found, healthy setups get no error finding.

The default suite runs a small fast subset; the whole corpus is slow-marked (bench/doctor_bench.py
prints the per-rule precision/recall table from the same cases).
"""
from __future__ import annotations

import os
import sys

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from doctor_cases.cases import CASES, FAST  # noqa: E402
from doctor_cases.harness import run_case  # noqa: E402

from nnfit.doctor.findings import Severity  # noqa: E402

BY_ID = {c.id: c for c in CASES}


def test_corpus_is_large_enough_and_labelled_with_known_codes():
    from nnfit.doctor.findings import CATALOGUE

    failing = [c for c in CASES if not c.healthy]
    healthy = [c for c in CASES if c.healthy]
    assert len(failing) >= 25 and len(healthy) >= 10
    assert {c.framework for c in failing} == {"keras", "torch"} == {c.framework for c in healthy}
    assert len({c.id for c in CASES}) == len(CASES)
    for c in CASES:
        assert set(c.expect) | set(c.allow) <= set(CATALOGUE), c.id
        assert 1 <= len(c.domain) <= 3


def check(case):
    report, _ = run_case(case)
    codes = set(report.codes)
    if case.healthy:
        errors = [f.code for f in report.findings if f.severity is Severity.ERROR]
        assert not errors, f"{case.id}: healthy setup got error findings {errors}"
    else:
        assert set(case.expect) <= codes, f"{case.id}: expected {case.expect}, found {report.codes}"
        unexpected = codes - set(case.expect) - set(case.allow)
        assert not unexpected, f"{case.id}: unexpected {sorted(unexpected)}"


@pytest.mark.parametrize("case_id", FAST)
def test_fast_corpus_subset(case_id):
    check(BY_ID[case_id])


@pytest.mark.slow
@pytest.mark.parametrize("case_id", [c.id for c in CASES if c.id not in FAST])
def test_full_corpus(case_id):
    check(BY_ID[case_id])
