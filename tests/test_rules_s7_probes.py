"""`nnfit doctor run` on probes written here (tests/fixtures/rules_s7/, taken from no corpus folder): one
planted fault each, in the idioms people post (Keras Sequential / functional, torch nn.Sequential and
nn.Module with a hand-written loop or a DataLoader, sklearn data helpers, pandas frames). The planted
fault must come first, resting on the run; a fault another finding explains is no second error; the
controls (c*) get no error and no NF116.

The four torch probes of the known gaps run by default; the rest are slow-marked.
"""
from __future__ import annotations

import contextlib
import io
import os
import warnings
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.findings import Severity  # noqa: E402
from nnfit.doctor.report import Report  # noqa: E402
from nnfit.doctor.runner import run_script  # noqa: E402

PROBES = Path(__file__).resolve().parent / "fixtures" / "rules_s7"

# probe, task (None: the script stops before a task is known), the planted fault (first)
FAST = [
    ("q01_torch_no_zero_grad.py", "regression", "NF116"),
    ("q03_torch_ce_after_softmax.py", "multiclass", "NF126"),
    ("q05_torch_bce_on_regression.py", "regression", "NF110"),
    ("q19_torch_no_zero_grad_minibatch_classifier.py", "binary", "NF116"),
]
SLOW = [
    ("q02_keras_mae_on_sigmoid_moons.py", "binary", "NF126"),
    ("q04_torch_nll_without_log_softmax.py", "multiclass", "NF126"),
    ("q06_keras_sigmoid_on_price_targets.py", "regression", "NF107"),
    ("q07_torch_sgd_lr_too_high_dead_relu.py", "regression", "NF103"),
    ("q08_keras_unscaled_inputs_classifier.py", "binary", "NF105"),
    ("q09_torch_class_imbalance.py", "binary", "NF131"),
    ("q10_keras_too_few_epochs.py", "regression", "NF102"),
    ("q11_torch_one_unit_bottleneck.py", "regression", "NF101"),
    ("q12_torch_long_inputs.py", None, "NF128"),
    ("q13_torch_rmsprop_low_lr.py", "regression", "NF104"),
    ("q14_keras_sgd_lr_too_high.py", "regression", "NF103"),
    ("q15_keras_int_targets_regression.py", "regression", "NF128"),
    ("q16_keras_adam_lr_too_low_softmax.py", "multiclass", "NF104"),
    ("q17_torch_adam_lr_too_high_classifier.py", "multiclass", "NF103"),
    ("q18_keras_mse_sigmoid_percent_inputs.py", "binary", "NF126"),
    ("q20_torch_target_shape_broadcast.py", "regression", "NF125"),
    ("q21_keras_validation_split_sorted.py", "regression", "NF127"),
    ("q22_torch_float64_inputs.py", None, "NF132"),
    ("q23_keras_linear_output_categorical_ce.py", "multiclass", "NF126"),
]
CONTROLS = ["c1_torch_healthy_classifier.py", "c2_torch_grad_accumulation_on_purpose.py",
            "c3_keras_healthy_regression_large_targets.py"]


def diagnose(name: str):
    out = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(out):
        warnings.simplefilter("ignore")
        capture = run_script(str(PROBES / name), budget_s=300, seed=0)
    capture.run.seed = 0
    return capture, Report.from_run(capture.run, capture, capture.notes).findings, out.getvalue()


def check(name: str, task: str | None, code: str) -> None:
    capture, findings, printed = diagnose(name)
    if task is not None:
        assert "HELDOUT" in printed, f"{name}: the probe did not run to its end"
    assert capture.run.task == task, f"{name}: task {capture.run.task}, expected {task}"
    codes = [f.code for f in findings]
    assert codes and codes[0] == code, f"{name}: {code} expected first, got {codes}"
    assert findings[0].basis in ("measured", "data", "setting")
    assert codes.count(code) == 1, f"{name}: {code} reported {codes.count(code)} times"
    errors = [f.code for f in findings[1:] if f.severity is Severity.ERROR and f.consequence_of]
    assert not errors, f"{name}: explained findings still errors: {errors}"


@pytest.mark.parametrize("name,task,code", FAST, ids=[c[0] for c in FAST])
def test_probe_names_its_fault_first(name, task, code):
    check(name, task, code)


@pytest.mark.slow
@pytest.mark.parametrize("name,task,code", SLOW, ids=[c[0] for c in SLOW])
def test_slow_probe_names_its_fault_first(name, task, code):
    check(name, task, code)


@pytest.mark.slow
@pytest.mark.parametrize("name", CONTROLS)
def test_control_gets_no_error(name):
    _, findings, _ = diagnose(name)
    assert not [f.code for f in findings if f.severity is Severity.ERROR]
    assert "NF116" not in [f.code for f in findings]


def test_every_probe_is_in_the_matrix():
    listed = {c[0] for c in FAST + SLOW} | set(CONTROLS)
    assert {p.name for p in PROBES.glob("*.py")} == listed
