"""The seed examples: doctor names the accepted answer's fault first, and repair proves the fix.

Each check runs a real example script (Keras 3 or its PyTorch translation) through `doctor run`'s
runner and the repair, so these are slow-marked; `make test-slow` runs them.
"""
from __future__ import annotations

import contextlib
import io
import os
import time
import warnings

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from nnfit.doctor.report import Report  # noqa: E402
from nnfit.doctor.runner import run_script  # noqa: E402

SEEDS = [
    # script, code the accepted answer names (must be first), other codes it names
    ("examples/seed1_sine/train_sine.py", "NF101", {"NF102"}),
    ("examples/seed1_sine/train_sine_torch.py", "NF101", {"NF102"}),
    ("examples/seed3_parabola/train_parabola.py", "NF103", set()),
    ("examples/seed3_parabola/train_parabola_torch.py", "NF103", set()),
    ("examples/seed4_product/train_product.py", "NF106", {"NF105"}),
    ("examples/seed4_product/train_product_torch.py", "NF106", {"NF105"}),
]


def diagnose(script):
    t0 = time.perf_counter()
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        cap = run_script(os.path.join(ROOT, script), budget_s=60, train_budget_s=15)
        report = Report.from_run(cap.run, cap, cap.notes)
        result = report.repair(budget_s=20, show=False)
    return report, result, time.perf_counter() - t0


@pytest.mark.slow
@pytest.mark.parametrize("script,first,also", SEEDS)
def test_seed_example_diagnosed_and_repaired(script, first, also):
    report, result, seconds = diagnose(script)
    assert report.codes[0] == first, report.codes
    assert also <= set(report.codes)
    best = result.best.result
    if "seed4" in script:
        assert best["median_rel_error"] <= 0.01, best
    else:
        assert best["r2"] >= 0.999, best
    assert seconds <= 60 + 15  # 60 s on an idle 2-core machine; margin for a shared one
