"""bench/explain_bench.py --set dso counts every row: skipped and errored rows are misses, not left out."""
from __future__ import annotations

import argparse
import importlib.util
import os

import numpy as np
import pytest

BENCH = os.path.join(os.path.dirname(__file__), "..", "bench", "explain_bench.py")


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("explain_bench_under_test", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _row(case, status, seconds=1.0, **extra):
    base = {"case": case, "status": status, "inputs": 1}
    if status in ("exact", "miss"):
        base.update(seconds=seconds, cpu_seconds=seconds, test_rmse_rel=0.0, ratio=None, formula="x1")
    return base | extra


def test_summary_divides_by_every_row(bench, capsys):
    rows = [_row("a", "exact"), _row("b", "exact"), _row("c", "miss"), _row("d", "skipped", reason="r"),
            _row("e", "error", reason="boom")]
    code = bench._dso_summary(rows, argparse.Namespace())
    out = capsys.readouterr().out
    assert "exact: 2/5 (40.0 %) of all rows" in out
    assert code == 1                       # 40 % is under the 75 % target


def test_summary_passes_only_at_three_quarters_of_all_rows(bench, capsys):
    rows = [_row(str(i), "exact") for i in range(3)] + [_row("s", "skipped", reason="r")]
    assert bench._dso_summary(rows, argparse.Namespace()) == 0          # 3/4
    rows.append(_row("t", "skipped", reason="r"))
    assert bench._dso_summary(rows, argparse.Namespace()) == 1          # 3/5
    capsys.readouterr()


def test_drop_mode_keeps_only_finite_points_and_counts_the_dropped(bench):
    rng = np.random.default_rng(0)
    X, y, dropped = bench._finite_draw(lambda x: np.sqrt(x), [(-1.0, 1.0)], 200, rng)
    assert X.shape == (200, 1) and np.all(np.isfinite(y)) and np.all(X[:, 0] >= 0)
    assert dropped > 0
    X, y, dropped = bench._finite_draw(lambda x: x**2, [(-1.0, 1.0)], 200, rng)
    assert dropped == 0


def test_drop_is_the_default(bench):
    import sys

    argv = sys.argv
    seen = {}

    def fake_run_dso(args):
        seen["nonfinite"] = args.nonfinite
        return 0

    original = bench.run_dso
    bench.run_dso = fake_run_dso
    try:
        bench.main(["--set", "dso"])
    finally:
        bench.run_dso = original
        sys.argv = argv
    assert seen["nonfinite"] == "drop"
