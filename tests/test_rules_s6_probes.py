"""`nnfit doctor run` on small probes written here (tests/fixtures/rules_s6/, taken from no corpus
folder): the same faults as the real corpus's, each in another common idiom, must be named first.

- p1: Keras, Adam 0.3 from a config dict (keras.optimizers.get), Sequential built with .add;
- p2: torch Module subclass, Adam with its rate given positionally (0.3), hand-sliced batches;
- p3: torch Sequential ending in nn.Sigmoid, nn.L1Loss on 0/1 labels, a DataLoader;
- p4: Keras functional model, sigmoid output, keras.losses.MeanAbsoluteError() object;
- p5: torch subclass, SGD(**config) at 1e-4, 3000 full-batch steps;
- p6: Keras Sequential list, SGD(learning_rate=1e-4), loss='mse', 60 epochs of batch 16.

Torch probes train in a few seconds and run by default; the Keras ones are slow-marked.
"""
from __future__ import annotations

import contextlib
import io
import os
import warnings
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.report import Report  # noqa: E402
from nnfit.doctor.runner import run_script  # noqa: E402

PROBES = Path(__file__).resolve().parent / "fixtures" / "rules_s6"

# probe, task, the planted fault (it must come first)
TORCH = [
    ("p2_torch_adam_positional_lr.py", "regression", "NF103"),
    ("p3_torch_l1_on_sigmoid.py", "binary", "NF126"),
    ("p5_torch_sgd_low_lr_config.py", "regression", "NF104"),
]
KERAS = [
    ("p1_keras_adam_lr_in_config_dict.py", "regression", "NF103"),
    ("p4_keras_mae_object_on_sigmoid.py", "binary", "NF126"),
    ("p6_keras_sgd_low_lr_string_loss.py", "regression", "NF104"),
]


def check(name: str, task: str, code: str) -> None:
    out = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(out):
        warnings.simplefilter("ignore")
        capture = run_script(str(PROBES / name), budget_s=300, seed=0)
    capture.run.seed = 0
    report = Report.from_run(capture.run, capture, capture.notes)
    assert "HELDOUT" in out.getvalue(), f"{name}: the probe did not run to its end"
    assert capture.run.task == task, f"{name}: task {capture.run.task}, expected {task}"
    codes = [f.code for f in report.findings]
    assert codes and codes[0] == code, f"{name}: {code} expected first, got {codes}"
    first = report.findings[0]
    assert first.basis == "measured", f"{name}: {code} rests on {first.basis}, not on the run"


@pytest.mark.parametrize("name,task,code", TORCH, ids=[c[0] for c in TORCH])
def test_torch_probe_names_its_fault_first(name, task, code):
    check(name, task, code)


@pytest.mark.slow
@pytest.mark.parametrize("name,task,code", KERAS, ids=[c[0] for c in KERAS])
def test_keras_probe_names_its_fault_first(name, task, code):
    check(name, task, code)


def test_every_probe_is_in_the_matrix():
    listed = {c[0] for c in TORCH + KERAS}
    assert {p.name for p in PROBES.glob("*.py")} == listed
