"""Patches that generalise past the tuning programs' idioms: a Keras softmax classifier of integer class
indices trained by binary cross-entropy (NF126: the sparse loss, not the one-hot one), and the
re-diagnosis of an all-fixes patch that does not yet fit (repair.rediagnosed: the patched run is
diagnosed like the original and the fixes of what it names are added). Probe scripts under
tests/fixtures/patch_s9/ were written for these tests; each prints its held-out metric as its last line."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.patch import Patch, plan_patches  # noqa: E402
from nnfit.doctor.repair import REDIAGNOSED, ScriptRow, rediagnosed  # noqa: E402
from tests.test_doctor_patch import added, capture_of, finding  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "patch_s9"


def heldout(path: Path, metric: str) -> float:
    env = {**os.environ, "KERAS_BACKEND": "torch", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, str(path)], cwd=path.parent, capture_output=True, text=True,
                          timeout=600, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.findall(rf"HELDOUT {metric}=(-?[0-9.]+)", done.stdout)
    assert found, done.stdout[-500:]
    return float(found[-1])


# -- NF126, Keras: binary cross-entropy on a softmax over two units ------------------------------------
SOFTMAX_BCE = textwrap.dedent("""
    import numpy as np
    import keras

    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3)).astype("float32")
    y = (X[:, 0] > 0).astype(int){onehot}
    model = keras.Sequential([keras.layers.Input((3,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(X, y, epochs=1, batch_size=32, verbose=0)
""")


def nf126(units: int = 2):
    return finding("NF126", loss="binary_crossentropy", output_activation="softmax", output_units=units,
                   task="binary")


def test_class_indices_under_a_two_unit_softmax_get_the_sparse_loss(tmp_path):
    text = SOFTMAX_BCE.format(onehot="")
    path, cap = capture_of(tmp_path, "idx.py", text, max_updates=2)
    plan = plan_patches(text, str(path), cap, [nf126()])
    assert plan.combined is not None, plan.skipped
    # one column of class indices: categorical_crossentropy would raise on its shape
    assert any("loss='sparse_categorical_crossentropy'" in line for line in added(plan.combined.diff()))


def test_one_hot_rows_under_a_two_unit_softmax_keep_the_categorical_loss(tmp_path):
    text = SOFTMAX_BCE.format(onehot="\ny = np.eye(2)[y]")
    path, cap = capture_of(tmp_path, "hot.py", text, max_updates=2)
    plan = plan_patches(text, str(path), cap, [nf126()])
    assert plan.combined is not None, plan.skipped
    assert any("loss='categorical_crossentropy'" in line for line in added(plan.combined.diff()))


# -- the re-diagnosis of a patch that does not yet fit -------------------------------------------------
UNSCALED_TORCH = textwrap.dedent("""
    import torch
    from torch import nn

    torch.manual_seed(0)
    X = torch.rand(200, 2) * 1000
    y = torch.sin(X[:, :1] / 300) + X[:, 1:] / 1000
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(40):
        opt.zero_grad()
        loss = ((model(X) - y) ** 2).mean()
        loss.backward()
        opt.step()
""")


def _first_round(tmp_path):
    """The script as a first round left it (40 passes raised to 400: NF102's edit), and its run."""
    original = UNSCALED_TORCH
    patched = original.replace("range(40)", "range(400)")
    path, cap = capture_of(tmp_path, "unscaled.py", patched)
    patch = Patch(["NF102"], ["400 passes of the training loop (was 40)"], str(path), original, patched)
    row = ScriptRow("all fixes", patch.codes, patch.changes, cap.heldout, same_rows=True, capture=cap)
    return path, patch, row


def test_the_rediagnosed_patch_adds_the_fixes_its_own_run_names_to_the_first_rounds(tmp_path):
    path, patch, row = _first_round(tmp_path)
    again = rediagnosed(str(path), patch, row)
    assert again is not None
    assert again.codes[0] == "NF102" and "NF105" in again.codes
    assert REDIAGNOSED in again.variant
    # one patch of the user's script: the first round's edit kept, the scaling added, the diff against the original
    assert again.original == UNSCALED_TORCH
    assert "range(400)" in again.source and "x_scaler = Scaler(X" in again.source
    assert "-for epoch in range(40):" in again.diff()


def test_no_rediagnosis_of_a_run_that_failed_or_left_no_capture(tmp_path):
    path, patch, row = _first_round(tmp_path)
    row.error = "the patched script failed"
    assert rediagnosed(str(path), patch, row) is None
    row.error, row.capture = None, None
    assert rediagnosed(str(path), patch, row) is None


# -- NF105 / NF106 on batches the loop cuts from whole arrays -----------------------------------------
RANDPERM_BATCHES = textwrap.dedent("""
    import torch
    import torch.nn as nn

    torch.manual_seed(0)
    X = torch.rand(96, 2) * 100.0
    y = X[:, :1] * 30.0
    X_train, y_train, X_test = X[:64], y[:64], X[64:]
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.MSELoss()
    for epoch in range(2):
        perm = torch.randperm(X_train.size(0))
        for i in range(0, X_train.size(0), 32):
            idx = perm[i:i + 32]
            xb, yb = X_train[idx], y_train[idx]
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        pred = model(X_test)
""")

ZIPPED_SPLITS = textwrap.dedent("""
    import torch
    from torch import nn

    torch.manual_seed(0)
    xtr = torch.rand(64, 3)
    ytr = (xtr.sum(1, keepdim=True) * 1000.0 + 5000.0)
    net = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    for epoch in range(2):
        for xb, yb in zip(xtr.split(16), ytr.split(16)):
            out = net(xb)
            loss = nn.functional.mse_loss(out, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        p = net(xtr)
""")


def test_inputs_cut_by_index_inside_the_loop_are_scaled_as_the_whole_array(tmp_path):
    path, cap = capture_of(tmp_path, "perm.py", RANDPERM_BATCHES)
    plan = plan_patches(RANDPERM_BATCHES, str(path), cap, [finding("NF105", transform="standardise")])
    assert plan.combined is not None, plan.skipped
    plus = added(plan.combined.diff())
    assert "x_scaler = Scaler(X_train, log=False)" in plus and "X_train_scaled = x_scaler.scale(X_train)" in plus
    assert "xb, yb = X_train_scaled[idx], y_train[idx]" in plus
    assert "pred = model(x_scaler.scale(X_test))" in plus
    space: dict = {}
    exec(compile(plan.combined.source, "patched", "exec"), space)      # two epochs: it runs as written


def test_targets_of_zipped_splits_are_scaled_and_the_predictions_mapped_back(tmp_path):
    path, cap = capture_of(tmp_path, "zip.py", ZIPPED_SPLITS)
    plan = plan_patches(ZIPPED_SPLITS, str(path), cap, [finding("NF106", transform="standardise")])
    assert plan.combined is not None, plan.skipped
    plus = added(plan.combined.diff())
    assert "for xb, yb in zip(xtr.split(16), ytr_scaled.split(16)):" in plus
    assert "p = y_scaler.unscale(net(xtr))" in plus
    space: dict = {}
    exec(compile(plan.combined.source, "patched", "exec"), space)
    assert abs(float(space["ytr_scaled"].mean())) < 1e-3


def test_a_loss_written_out_as_a_difference_names_the_batch_that_is_scaled(tmp_path):
    path, cap = capture_of(tmp_path, "diff.py", UNSCALED_TORCH, max_updates=3)
    plan = plan_patches(UNSCALED_TORCH, str(path), cap, [finding("NF105", transform="standardise")])
    assert plan.combined is not None, plan.skipped
    assert "loss = ((model(X_scaled) - y) ** 2).mean()" in added(plan.combined.diff())


TRAIN_FUNCTION = textwrap.dedent("""
    import torch
    import torch.nn as nn


    def train(model, inputs, targets, epochs=2):
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)
        for _ in range(epochs):
            opt.zero_grad()
            loss = nn.MSELoss()(model(inputs), targets)
            loss.backward()
            opt.step()
        return model


    def evaluate(model, inputs):
        with torch.no_grad():
            return model(inputs)


    torch.manual_seed(0)
    X = torch.rand(64, 2) * 5000
    Y = X[:, :1] / 5000
    net = train(nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1)), X[:48], Y[:48])
    p = evaluate(net, X[48:])
""")


def test_a_training_function_whose_model_parameter_has_another_name_gets_its_inputs_scaled(tmp_path):
    path, cap = capture_of(tmp_path, "fn.py", TRAIN_FUNCTION)
    plan = plan_patches(TRAIN_FUNCTION, str(path), cap, [finding("NF105", transform="standardise")])
    assert plan.combined is not None, plan.skipped
    plus = added(plan.combined.diff())
    assert "x_scaler = Scaler(inputs, log=False)" in plus
    assert "loss = nn.MSELoss()(model(inputs_scaled), targets)" in plus
    assert "return model(x_scaler.scale(inputs))" in plus       # the evaluation reads the training scale
    space: dict = {}
    exec(compile(plan.combined.source, "patched", "exec"), space)


# -- a rate symptom ranked first may be left out ---------------------------------------------------------
RELU_OUTPUT_CE = SOFTMAX_BCE.format(onehot="\ny = np.eye(2)[y]").replace(
    'keras.layers.Dense(2, activation="softmax")', 'keras.layers.Dense(2, activation="relu")').replace(
    'loss="binary_crossentropy"', 'loss="categorical_crossentropy"')


def test_a_nan_rate_finding_ranked_first_is_left_out_in_one_alternative(tmp_path):
    path, cap = capture_of(tmp_path, "relu.py", RELU_OUTPUT_CE, max_updates=2)
    findings = [finding("NF103"), finding("NF126", loss="categorical_crossentropy", output_activation="relu",
                                          output_units=2, task="binary")]
    plan = plan_patches(RELU_OUTPUT_CE, str(path), cap, findings)
    assert plan.combined is not None and plan.combined.codes[:2] == ["NF103", "NF126"], plan.skipped
    left_out = {a.variant for a in plan.alternatives if a.variant.startswith("without")}
    assert "without the fix of NF103" in left_out and "without the fix of NF126" in left_out
    alone = next(a for a in plan.alternatives if a.variant == "without the fix of NF103")
    assert "activation='softmax'" in alone.source and "learning_rate" not in alone.source


# -- end to end: diagnose a probe, build and choose its patch, run the patched script as it is ----------
def _patched_metric(tmp_path, name: str, metric: str) -> tuple[float, list[str], str]:
    import contextlib
    import io
    import shutil
    import warnings

    from nnfit.doctor.repair import choose_combined
    from nnfit.doctor.report import Report
    from nnfit.doctor.runner import run_script

    script = tmp_path / name
    shutil.copy(FIXTURES / name, script)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        cap = run_script(str(script), seed=0)
        report = Report.from_run(cap.run, cap, cap.notes)
        plan = plan_patches(script.read_text(), str(script), cap, report.findings)
        assert plan.combined is not None, plan.skipped
        chosen, _ = choose_combined(str(script), cap, plan, seed=0)
    out = tmp_path / "patched.py"
    out.write_text(chosen.source)
    return heldout(out, metric), chosen.codes, chosen.variant


@pytest.mark.slow
def test_loader_targets_scaled_then_trained_longer_by_the_rediagnosis(tmp_path):
    # first round: the targets (800..1300) scaled in the TensorDataset; its own run then shows the loss
    # still falling at the end (NF102): the second round trains longer
    value, codes, variant = _patched_metric(tmp_path, "t_loader_big_targets.py", "r2")
    assert "NF106" in codes and value >= 0.99, (codes, variant, value)


@pytest.mark.slow
def test_zipped_split_batches_get_their_targets_scaled_end_to_end(tmp_path):
    value, codes, _ = _patched_metric(tmp_path, "t_zipped_splits_big_targets.py", "r2")
    assert "NF106" in codes and value >= 0.99, (codes, value)


@pytest.mark.slow
def test_softmax_class_indices_under_bce_train_with_the_sparse_loss_end_to_end(tmp_path):
    value, codes, _ = _patched_metric(tmp_path, "k_softmax_bce_class_indices.py", "accuracy")
    assert "NF126" in codes and value >= 0.98, (codes, value)
