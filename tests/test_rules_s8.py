"""Rules of the eighth session, on probes written here (tests/fixtures/rules_s8/, taken from no corpus
folder) and on records built by hand:

- a Keras cross-entropy built with from_logits=True on a sigmoid / softmax output, or left at its
  default from_logits=False on a linear output, is loss-output-mismatch (NF126), in `run` and `lint`;
  so are torch's logits losses after a Sigmoid / softmax output;
- `loss.backward(loss)` (every gradient scaled by the loss) is wrong-update-rule (NF116) in `run` as
  in `lint`, with the fix `loss.backward()`;
- narrow-bottleneck (NF101) is an error only for a layer whose width alone rules the fit out (one or
  two units, below the output's needs, one saturating unit) on a failing run; a Dense(16) after 30
  inputs is a warning below the run's real fault;
- two logits under CrossEntropyLoss on 0/1 targets are a binary task;
- a fact of the data read from the script's text weighs as a reading of the code, not as data the
  run trained on (ranking).

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

from nnfit.doctor import lint as L  # noqa: E402
from nnfit.doctor.findings import Finding, Location, Severity  # noqa: E402
from nnfit.doctor.monitors._common import fill_data  # noqa: E402
from nnfit.doctor.ranking import assess  # noqa: E402
from nnfit.doctor.report import Report  # noqa: E402
from nnfit.doctor.rules import run_rules  # noqa: E402
from nnfit.doctor.run import (ColumnStats, DataStats, Fit, History, LayerInfo, OptimizerInfo,  # noqa: E402
                              TrainingConfig, TrainingRun)
from nnfit.doctor.runner import run_script  # noqa: E402
from nnfit.doctor.task import infer_task  # noqa: E402

PROBES = Path(__file__).resolve().parent / "fixtures" / "rules_s8"

# probe, task, the planted fault (first in `run`), what `lint` must name among its findings
FAST = [
    ("r04_torch_sequential_sigmoid_bcewithlogits.py", "binary", "NF126", "NF126"),
    ("r05_torch_two_logits_softmax_ce_binary.py", "binary", "NF126", "NF126"),
    ("r06_torch_backward_with_loss.py", "regression", "NF116", "NF116"),
]
SLOW = [
    ("r01_keras_softmax_sparse_from_logits.py", "multiclass", "NF126", "NF126"),
    ("r02_keras_sigmoid_bce_from_logits.py", "binary", "NF126", "NF126"),
    ("r03_keras_linear_output_sparse_default.py", "multiclass", "NF126", "NF126"),
    ("r07_keras_dense16_of_30_unscaled.py", "binary", "NF105", "NF105"),
]
CONTROLS = [("c1_torch_two_logits_binary_healthy.py", "binary")]


def diagnose(name: str):
    out = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(out):
        warnings.simplefilter("ignore")
        capture = run_script(str(PROBES / name), budget_s=300, seed=0)
    capture.run.seed = 0
    return capture, Report.from_run(capture.run, capture, capture.notes).findings, out.getvalue()


def check(name: str, task: str, code: str, lint_code: str) -> None:
    capture, findings, printed = diagnose(name)
    assert "HELDOUT" in printed, f"{name}: the probe did not run to its end"
    assert capture.run.task == task, f"{name}: task {capture.run.task}, expected {task}"
    codes = [f.code for f in findings]
    assert codes and codes[0] == code, f"{name}: {code} expected first, got {codes}"
    assert codes.count(code) == 1, f"{name}: {code} reported {codes.count(code)} times"
    assert findings[0].fix, f"{name}: no fix text"
    narrow = [f for f in findings if f.code == "NF101"]
    assert all(f.severity is not Severity.ERROR for f in narrow), f"{name}: a narrow-bottleneck error"
    linted = [f.code for f in L.lint_file(PROBES / name)]
    assert lint_code in linted, f"{name}: lint found {linted}, not {lint_code}"


@pytest.mark.parametrize("name,task,code,lint_code", FAST, ids=[c[0] for c in FAST])
def test_probe_names_its_fault_first(name, task, code, lint_code):
    check(name, task, code, lint_code)


@pytest.mark.slow
@pytest.mark.parametrize("name,task,code,lint_code", SLOW, ids=[c[0] for c in SLOW])
def test_slow_probe_names_its_fault_first(name, task, code, lint_code):
    check(name, task, code, lint_code)


@pytest.mark.parametrize("name,task", CONTROLS)
def test_control_gets_no_error_and_its_task(name, task):
    capture, findings, _ = diagnose(name)
    assert capture.run.task == task
    assert not [f.code for f in findings if f.severity is Severity.ERROR]


def test_every_probe_is_in_the_matrix():
    listed = {c[0] for c in FAST + SLOW} | {c[0] for c in CONTROLS}
    assert {p.name for p in PROBES.glob("*.py")} == listed


def test_backward_with_the_loss_names_the_fix_in_run_and_lint():
    _, findings, _ = diagnose("r06_torch_backward_with_loss.py")
    f = next(f for f in findings if f.code == "NF116")
    assert "loss.backward()" in f.fix and f.location.line is not None
    text = (PROBES / "r06_torch_backward_with_loss.py").read_text()
    linted = [f for f in L.lint_source(text) if f.code == "NF116"]
    assert linted and "loss.backward()" in linted[0].fix
    assert "NF116" not in [f.code for f in L.lint_source(text.replace("loss.backward(loss)", "loss.backward()"))]


# ---- records built by hand (fast) -------------------------------------------------------------------

rng = np.random.default_rng(8)


def classifier(act: str, units: int, loss: str, from_logits: bool | None, accuracy: float,
               framework: str = "keras") -> TrainingRun:
    y = rng.integers(0, 3, 300) if units > 1 else rng.integers(0, 2, 300).astype(float)
    run = TrainingRun(framework=framework,
                      layers=[LayerInfo("h", units=16, input_units=4, activation="relu"),
                              LayerInfo("out", units=units, input_units=16, activation=act)],
                      config=TrainingConfig(loss=loss, from_logits=from_logits))
    fill_data(run, rng.normal(size=(300, 4)), y)
    run.fit = Fit(train_accuracy=accuracy)
    return run


@pytest.mark.parametrize("act,units,loss", [("softmax", 3, "sparse_categorical_crossentropy"),
                                            ("sigmoid", 1, "binary_crossentropy"),
                                            ("softmax", 3, "categorical_crossentropy")])
def test_from_logits_on_a_probability_output_is_a_loss_output_mismatch(act, units, loss):
    run = classifier(act, units, loss, True, accuracy=0.6)
    found = [f for f in run_rules(run) if f.code == "NF126"]
    assert found and "from_logits=True" in found[0].message and found[0].evidence["from_logits"] is True
    assert f"remove activation='{act}'" in found[0].fix


def test_from_logits_on_raw_scores_is_right():
    run = classifier("linear", 3, "sparse_categorical_crossentropy", True, accuracy=0.6)
    assert "NF126" not in [f.code for f in run_rules(run)]


def test_a_default_probability_loss_on_raw_scores_is_a_loss_output_mismatch():
    run = classifier("linear", 3, "sparse_categorical_crossentropy", None, accuracy=0.6)
    assert "NF126" in [f.code for f in run_rules(run)]


def test_lint_reads_from_logits_on_a_softmax_output():
    src = ("import keras\nimport numpy as np\nX = np.random.rand(500, 4)\ny = np.random.randint(0, 3, 500)\n"
           "model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(16, activation='relu'),\n"
           "                          keras.layers.Dense(3, activation='softmax')])\n"
           "model.compile(optimizer='adam', loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))\n"
           "model.fit(X, y, epochs=20)\n")
    assert "NF126" in [f.code for f in L.lint_source(src)]
    assert "NF126" not in [f.code for f in L.lint_source(src.replace("activation='softmax'", "activation=None"))]


def narrow_run(widths: list[int], acts: list[str], n_in: int, r2: float | None,
               saturated: dict | None = None) -> TrainingRun:
    layers, prev = [], n_in
    for i, (w, a) in enumerate(zip(widths, acts)):
        layers.append(LayerInfo(f"d{i}", units=w, input_units=prev, activation=a))
        prev = w
    run = TrainingRun(framework="keras", layers=layers, config=TrainingConfig(loss="mse"),
                      history=History(loss=[1.0, 0.5], saturated_fraction=saturated or {}))
    fill_data(run, rng.normal(size=(400, n_in)), rng.normal(size=400))
    run.fit = Fit(train_r2=r2)
    return run


def test_sixteen_units_after_thirty_inputs_is_a_warning_only():
    found = [f for f in run_rules(narrow_run([16, 8, 1], ["relu", "relu", "linear"], 30, 0.5)) if f.code == "NF101"]
    assert found and all(f.severity is Severity.WARNING for f in found)


def test_one_saturating_unit_on_a_failing_run_is_an_error():
    found = [f for f in run_rules(narrow_run([1, 50, 1], ["sigmoid", "sigmoid", "linear"], 1, 0.3)) if f.code == "NF101"]
    assert found and found[0].severity is Severity.ERROR


def test_two_units_for_many_inputs_on_a_failing_run_is_an_error():
    found = [f for f in run_rules(narrow_run([2, 32, 1], ["relu", "relu", "linear"], 8, 0.3)) if f.code == "NF101"]
    assert found and found[0].severity is Severity.ERROR and found[0].evidence["units"] == 2


def test_a_layer_narrower_than_the_output_needs_is_an_error():
    run = narrow_run([32, 3, 10], ["relu", "relu", "softmax"], 4, None)
    run.config.loss = "sparse_categorical_crossentropy"
    fill_data(run, rng.normal(size=(400, 4)), rng.integers(0, 10, 400))
    run.fit = Fit(train_accuracy=0.4)
    found = [f for f in run_rules(run) if f.code == "NF101"]
    assert found and found[0].severity is Severity.ERROR and found[0].evidence["output_needs"] == 9


def test_a_narrow_layer_on_a_run_that_fits_is_silent():
    assert "NF101" not in [f.code for f in run_rules(narrow_run([2, 32, 1], ["relu", "relu", "linear"], 8, 0.9999))]


def test_two_logits_on_zero_one_targets_are_a_binary_task():
    run = classifier("linear", 2, "CrossEntropyLoss", None, accuracy=0.9, framework="torch")
    fill_data(run, rng.normal(size=(300, 4)), rng.integers(0, 2, 300))
    run.task = None
    assert infer_task(run) == "binary"
    fill_data(run, rng.normal(size=(300, 4)), rng.integers(0, 3, 300))
    assert infer_task(run) == "multiclass"
