"""Rules of the ninth session, on probes written here (tests/fixtures/rules_s9/, taken from no corpus
folder) and on records built by hand:

- a hidden layer whose every unit is dead makes the output a constant: a loss still falling there is the
  output bias reaching the mean, not too-few-updates (too_few_updates.layer_all_dead), so dead-units
  stands as the cause;
- a loss that stays flat after enough updates at a rate a decade or more below the usual one is
  learning-rate-too-low (learning_rate_too_low.flat_at_low_rate), as a loss still falling slowly there is;
- an early blow-up whose loss never came down (the last tenth still EARLY_JUMP x its first value) is
  lasting damage, on a classifier as on a regression; a classifier at the majority share has not
  recovered (learning_rate_too_high._never_recovered);
- Keras models with several inputs (`fit([x1, x2], y)`, dicts) have their data read (monitors/_common
  as_2d / take_rows): the scales of every input column.

The torch probes run by default; the Keras probes are slow-marked.
"""
from __future__ import annotations

import contextlib
import io
import os
import warnings
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.findings import Severity  # noqa: E402
from nnfit.doctor.monitors._common import as_2d, fill_data, input_parts, take_rows  # noqa: E402
from nnfit.doctor.report import Report  # noqa: E402
from nnfit.doctor.rules import run_rules  # noqa: E402
from nnfit.doctor.run import Fit, History, LayerInfo, OptimizerInfo, TrainingConfig, TrainingRun  # noqa: E402
from nnfit.doctor.runner import run_script  # noqa: E402

PROBES = Path(__file__).resolve().parent / "fixtures" / "rules_s9"

# probe, task, the planted fault (first), codes that must not be reported
FAST = [
    ("k11_torch_dead_relu_bias.py", "regression", "NF113", {"NF102"}),
    ("k07_torch_sgd_lr_low_flat_binary.py", "binary", "NF104", set()),
]
SLOW = [
    ("k20_keras_adam_lr2_multiclass.py", "multiclass", "NF103", set()),
    ("k01_keras_two_inputs_unscaled.py", "regression", "NF105", set()),
]
CONTROLS = [("c1_torch_binary_bcelogits_healthy.py", "binary"),
            ("c2_torch_multiclass_sgd_momentum_healthy.py", "multiclass")]


def diagnose(name: str):
    out = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(out):
        warnings.simplefilter("ignore")
        capture = run_script(str(PROBES / name), budget_s=300, seed=0)
    capture.run.seed = 0
    return capture, Report.from_run(capture.run, capture, capture.notes).findings, out.getvalue()


def check(name: str, task: str, code: str, absent: set[str]) -> None:
    capture, findings, printed = diagnose(name)
    assert "HELDOUT" in printed, f"{name}: the probe did not run to its end"
    assert capture.run.task == task, f"{name}: task {capture.run.task}, expected {task}"
    codes = [f.code for f in findings]
    assert codes and codes[0] == code, f"{name}: {code} expected first, got {codes}"
    assert findings[0].severity is Severity.ERROR, f"{name}: {code} is {findings[0].severity}"
    assert not absent & set(codes), f"{name}: {absent & set(codes)} reported"


@pytest.mark.parametrize("name,task,code,absent", FAST, ids=[c[0] for c in FAST])
def test_probe_names_its_fault_first(name, task, code, absent):
    check(name, task, code, absent)


@pytest.mark.slow
@pytest.mark.parametrize("name,task,code,absent", SLOW, ids=[c[0] for c in SLOW])
def test_slow_probe_names_its_fault_first(name, task, code, absent):
    check(name, task, code, absent)


@pytest.mark.parametrize("name,task", CONTROLS)
def test_control_gets_no_error_and_its_task(name, task):
    capture, findings, _ = diagnose(name)
    assert capture.run.task == task
    assert not [f.code for f in findings if f.severity is Severity.ERROR]


def test_every_probe_is_in_the_matrix():
    listed = {c[0] for c in FAST + SLOW} | {c[0] for c in CONTROLS}
    assert {p.name for p in PROBES.glob("*.py")} == listed


# ---- records built by hand (fast) -------------------------------------------------------------------

rng = np.random.default_rng(9)


def regression_run(dead: float, falling: bool = True) -> TrainingRun:
    """A failing regression (R² 0.02) whose loss still falls 3 % a window, with a hidden ReLU layer dead."""
    loss = [1.7 * (0.97 ** i) if falling else 1.0 for i in range(40)]
    run = TrainingRun(framework="torch",
                      layers=[LayerInfo("h", units=32, input_units=3, activation="relu"),
                              LayerInfo("out", units=1, input_units=32, activation="linear")],
                      config=TrainingConfig(loss="mseloss", epochs=40, batch_size=20,
                                            optimizer=OptimizerInfo(name="adam", learning_rate=1e-3)),
                      history=History(loss=loss, dead_fraction={"h": [dead] * 5},
                                      update_ratio={"h": [0.0] * 10 if dead >= 1 else [1e-3] * 10, "out": [1e-3] * 10}))
    fill_data(run, rng.normal(size=(400, 3)), rng.normal(size=400))
    run.fit = Fit(train_r2=0.02)
    run.n_updates_planned = 800
    return run


def test_a_wholly_dead_layer_is_the_cause_not_too_few_updates():
    findings = run_rules(regression_run(dead=1.0))
    codes = [f.code for f in findings]
    assert "NF102" not in codes and codes[0] == "NF113"
    assert findings[0].severity is Severity.ERROR


def test_a_partly_dead_layer_still_lets_too_few_updates_speak():
    assert "NF102" in [f.code for f in run_rules(regression_run(dead=0.6))]


def classifier_run(lr: float, name: str, loss: list[float], batch_loss: list[float] | None = None,
                   accuracy: float = 0.5) -> TrainingRun:
    y = rng.integers(0, 2, 600).astype(float)
    run = TrainingRun(framework="torch",
                      layers=[LayerInfo("h", units=32, input_units=4, activation="tanh"),
                              LayerInfo("out", units=1, input_units=32, activation="sigmoid")],
                      config=TrainingConfig(loss="bceloss", epochs=40, batch_size=32,
                                            optimizer=OptimizerInfo(name=name, learning_rate=lr)),
                      history=History(loss=loss, batch_loss=batch_loss or []))
    fill_data(run, rng.normal(size=(600, 4)), y)
    run.fit = Fit(train_accuracy=accuracy)
    run.n_updates_planned = 760
    return run


FLAT_LOSS = [0.70 - 0.0002 * i for i in range(40)]


def test_a_flat_loss_at_a_rate_fifty_times_below_sgds_usual_is_learning_rate_too_low():
    findings = run_rules(classifier_run(2e-4, "sgd", FLAT_LOSS))
    assert findings[0].code == "NF104" and findings[0].severity is Severity.ERROR
    assert findings[0].basis == "measured" and "has not fallen" in findings[0].message


@pytest.mark.parametrize("lr,name", [(1e-2, "sgd"), (1e-3, "adam"), (2e-3, "sgd")])
def test_a_flat_loss_at_an_ordinary_rate_is_not_blamed_on_the_rate(lr, name):
    assert "NF104" not in [f.code for f in run_rules(classifier_run(lr, name, FLAT_LOSS))]


def test_a_classifier_telling_the_classes_apart_is_not_flat():
    assert "NF104" not in [f.code for f in run_rules(classifier_run(2e-4, "sgd", FLAT_LOSS, accuracy=0.9))]


def blown_up(end: float, accuracy: float) -> TrainingRun:
    steps = [1.0] + [11.0, 9.0, 10.5, 9.8] + [end] * 95
    run = classifier_run(2.0, "adam", [9.4, 9.8, 9.8, 9.8, 9.8, 9.8], batch_loss=steps, accuracy=accuracy)
    run.config.epochs, run.n_updates_planned = 6, 100
    return run


def test_a_blow_up_that_never_came_down_is_the_classifiers_cause():
    findings = run_rules(blown_up(end=9.8, accuracy=0.5))
    assert findings[0].code == "NF103" and findings[0].severity is Severity.ERROR
    assert "first value at the end" in findings[0].message


def test_a_blow_up_the_classifier_came_back_from_is_a_warning():
    found = [f for f in run_rules(blown_up(end=0.69, accuracy=0.5)) if f.code == "NF103"]
    assert found and all(f.severity is Severity.WARNING for f in found)


# ---- several-input models ---------------------------------------------------------------------------

def test_several_inputs_are_read_side_by_side():
    a, b = rng.uniform(18, 90, (50, 1)), rng.uniform(2e4, 1.5e5, (50, 2))
    assert input_parts([a, b]) is not None and input_parts({"a": a, "b": b}) is not None
    assert input_parts(a) is None and input_parts([1.0, 2.0, 3.0]) is None
    assert as_2d([a, b]).shape == (50, 3) and as_2d({"a": a, "b": b}).shape == (50, 3)
    taken = take_rows({"a": a, "b": b}, np.arange(5))
    assert set(taken) == {"a", "b"} and taken["b"].shape == (5, 2) and taken["a"].dtype == np.float32
    run = TrainingRun(framework="keras", layers=[LayerInfo("d", units=8, input_units=3, activation="tanh"),
                                                  LayerInfo("o", units=1, input_units=8)],
                      config=TrainingConfig(loss="mse"))
    fill_data(run, [a, b], rng.normal(size=50))
    assert len(run.data.inputs) == 3 and run.data.inputs[2].max > 1e4
    assert run.data.input_shape == (50, 3)


def test_a_classifier_left_at_the_majority_share_after_a_blow_up_has_not_recovered():
    """Adam 0.01 is below the static bar: only the measured early jump can name the rate. A classifier at the
    majority share has not recovered (as a regression at R² 0 has not), so the jump is reported, as a warning
    when the loss came back down."""
    run = blown_up(end=0.69, accuracy=0.5)
    run.config.optimizer = OptimizerInfo(name="adam", learning_rate=0.01)
    found = [f for f in run_rules(run) if f.code == "NF103"]
    assert found and "rose" in found[0].message and found[0].severity is Severity.WARNING
    telling = blown_up(end=0.69, accuracy=0.95)
    telling.config.optimizer = OptimizerInfo(name="adam", learning_rate=0.01)
    assert "NF103" not in [f.code for f in run_rules(telling)]


def test_a_list_of_row_vectors_is_one_input():
    rows = [rng.normal(size=3) for _ in range(40)]
    assert input_parts(rows) is None and as_2d(rows).shape == (40, 3)
