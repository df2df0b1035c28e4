"""Run-time diagnosis on small self-written programs (session 14):

- batch-1 training with rows held out: the epoch is cut where the script's epoch ends (a batch of
  held-out rows makes no step and records no loss), and the per-step losses of single rows are compared
  in blocks (learning_rate_too_high.BLOCK_ROWS), so rows of different targets are no blow-up;
- a regression whose output layer is wider than its one target column (target-shape-broadcast);
- a hand-written PyTorch step that uses no gradient, watched (wrong-update-rule from the static reading),
  and its rank above the data's scale (ranking.EXPLAINS);
- the gradient averaged twice, measured on a loss still falling (learning-rate-too-low, basis measured);
- a model built anew inside the epoch loop (too-few-updates, rules/model_rebuilt_in_loop.py).
"""
from __future__ import annotations

import textwrap

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.ranking import assess
from nnfit.doctor.rules import run_rules
from nnfit.doctor.run import Fit, History, TrainingConfig, TrainingRun
from tests.test_doctor_patch import capture_of


def _codes(findings):
    return [f.code for f in findings]


BATCH_ONE = textwrap.dedent("""
    import numpy as np
    import torch

    torch.manual_seed(0)
    x_raw = np.linspace(1.0, 10.0, 10)
    x = torch.tensor(((x_raw - x_raw.mean()) / x_raw.std()).reshape(-1, 1), dtype=torch.float32)
    y = torch.tensor((3.0 * x_raw + 20.0).reshape(-1, 1), dtype=torch.float32)
    model = torch.nn.Sequential(torch.nn.Linear(1, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr={lr})
    loss_fn = torch.nn.MSELoss()
    for epoch in range(60):
        for i in range(10):                      # one row per step
            optimizer.zero_grad()
            loss = loss_fn(model(x[i:i + 1]), y[i:i + 1])
            loss.backward()
            optimizer.step()
""")


def test_batch_one_epochs_are_counted_with_the_held_out_rows_skipped(tmp_path):
    _, cap = capture_of(tmp_path, "batch_one.py", BATCH_ONE.format(lr="1e-4"))
    run = cap.run
    assert run.config.batch_size == 1
    assert run.config.epochs == 60, run.config.epochs
    assert len(run.history.loss) == 60


def test_single_row_losses_of_different_targets_are_no_blow_up(tmp_path):
    _, cap = capture_of(tmp_path, "batch_one_slow.py", BATCH_ONE.format(lr="1e-4"))
    findings = run_rules(cap.run)
    assert "NF103" not in _codes(findings), [(f.code, f.message) for f in findings]
    assert _codes(findings)[0] == "NF104", _codes(findings)


def _block_run(steps, batch=1, per_epoch=3):
    loss = [sum(steps[i:i + per_epoch]) / per_epoch for i in range(0, len(steps), per_epoch)]
    return TrainingRun(framework="torch", config=TrainingConfig(batch_size=batch),
                       history=History(batch_loss=list(steps), loss=loss))


def test_early_jump_reads_small_batches_in_blocks():
    from nnfit.doctor.rules.learning_rate_too_high import EARLY_JUMP, early_jump, steps_per_block

    cyclic = [100.0, 900.0, 1600.0] * 100          # three rows, one per step, nothing moving
    run = _block_run(cyclic)
    assert steps_per_block(run) == 3
    assert early_jump(run)[0] < EARLY_JUMP
    # the same steps read one by one (batches of 32 rows or more) are a 16x jump
    assert early_jump(_block_run(cyclic, batch=32))[0] >= EARLY_JUMP
    # a real blow-up survives the blocks
    growing = [v * 1.5 ** (i // 3) for i, v in enumerate(cyclic)]
    assert early_jump(_block_run(growing))[0] >= EARLY_JUMP


WIDE = textwrap.dedent("""
    import numpy as np
    import torch

    torch.manual_seed(0)
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, size=(300, 2)).astype(np.float32)
    y = (X[:, :1] * X[:, 1:] + np.cos(2 * X[:, :1])).astype(np.float32)
    xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, {width}))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = torch.nn.MSELoss()
    for epoch in range(150):
        optimizer.zero_grad()
        loss = loss_fn(model(xt), yt)
        loss.backward()
        optimizer.step()
""")


def test_an_output_layer_wider_than_the_targets_is_a_broadcast(tmp_path):
    _, cap = capture_of(tmp_path, "wide.py", WIDE.format(width=4))
    findings = run_rules(cap.run)
    assert _codes(findings)[0] == "NF125", _codes(findings)
    assert findings[0].evidence["output_width"] == 4 and findings[0].evidence["target_shape"][1] == 1


def test_an_output_as_wide_as_the_targets_is_not(tmp_path):
    _, cap = capture_of(tmp_path, "narrow.py", WIDE.format(width=1))
    assert "NF125" not in _codes(run_rules(cap.run))


HAND_STEP = textwrap.dedent("""
    import numpy as np
    import torch

    torch.manual_seed(0)
    rng = np.random.default_rng(2)
    X = rng.uniform(-1, 1, size=(200, 2)).astype(np.float32)
    y = (2.0 * X[:, :1] - X[:, 1:] + 0.5).astype(np.float32)
    xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    w = torch.randn(2, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    lr = 0.05
    for step in range(200):
        loss = ((xt @ w + b - yt) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            for p in (w, b):
                p -= lr * {step}
                p.grad.zero_()
""")


def test_a_watched_hand_written_step_without_gradient_is_a_wrong_update_rule(tmp_path):
    _, cap = capture_of(tmp_path, "hand_wrong.py", HAND_STEP.format(step="p"))
    findings = run_rules(cap.run)
    assert _codes(findings)[0] == "NF116", _codes(findings)


def test_a_watched_hand_written_step_that_adds_the_gradient_is_a_wrong_update_rule(tmp_path):
    _, cap = capture_of(tmp_path, "hand_ascent.py", HAND_STEP.format(step="p.grad").replace("p -= lr", "p += lr"))
    findings = run_rules(cap.run)
    assert _codes(findings)[0] == "NF116" and findings[0].basis == "measured", [(f.code, f.message) for f in findings]


def test_a_watched_hand_written_gradient_step_is_not(tmp_path):
    _, cap = capture_of(tmp_path, "hand_right.py", HAND_STEP.format(step="p.grad"))
    assert "NF116" not in _codes(run_rules(cap.run))


def test_a_wrong_update_rule_ranks_above_the_data_scale():
    run = TrainingRun(framework="torch", task="regression", fit=Fit(train_r2=0.1))
    findings = assess([Finding(code="NF105", message="m", fix="f", basis="data", margin=500.0),
                       Finding(code="NF106", message="m", fix="f", basis="data", margin=100.0),
                       Finding(code="NF116", message="m", fix="f", basis="code", margin=2.0)], run)
    assert _codes(findings)[0] == "NF116", _codes(findings)
    assert all("NF116" in f.consequence_of for f in findings[1:])
    assert all(f.severity is not Severity.ERROR for f in findings[1:])


TWICE = textwrap.dedent("""
    import numpy as np
    import torch

    torch.manual_seed(0)
    rng = np.random.default_rng(3)
    x = torch.tensor(rng.normal(size=(400, 3)), dtype=torch.float32)
    y = (x @ torch.tensor([[4.0], [-6.0], [2.5]]) + 9.0 + 0.01 * torch.randn(400, 1))
    w = torch.normal(0, 0.01, size=(3, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    lr, batch_size = 0.02, 8
    for epoch in range(3):
        for start in range(0, 400, batch_size):
            loss = ((x[start:start + batch_size] @ w + b - y[start:start + batch_size]) ** 2 / 2).mean()
            loss.backward()
            with torch.no_grad():
                for p in (w, b):
                    p -= lr * p.grad / batch_size
                    p.grad.zero_()
""")


def test_a_gradient_averaged_twice_on_a_loss_still_falling_is_measured(tmp_path):
    _, cap = capture_of(tmp_path, "twice.py", TWICE)
    findings = run_rules(cap.run)
    nf104 = [f for f in findings if f.code == "NF104"]
    assert nf104 and nf104[0].basis == "measured", [(f.code, f.basis) for f in findings]
    assert _codes(findings)[0] == "NF104", _codes(findings)


REBUILT = textwrap.dedent("""
    import numpy as np
    import torch

    torch.manual_seed(0)
    rng = np.random.default_rng(4)
    X = rng.uniform(-1, 1, size=(240, 2)).astype(np.float32)
    y = (np.sin(3 * X[:, :1]) + X[:, 1:] ** 2).astype(np.float32)
    xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    loss_fn = torch.nn.MSELoss()
    {before}
    for epoch in range(150):
        {inside}
        for i in range(0, 240, 60):
            opt.zero_grad()
            loss = loss_fn(model(xt[i:i + 60]), yt[i:i + 60])
            loss.backward()
            opt.step()
""")
BUILD = ("model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1)); "
         "opt = torch.optim.Adam(model.parameters(), lr=0.01)")


def test_a_model_built_inside_the_epoch_loop_gets_too_few_updates(tmp_path):
    _, cap = capture_of(tmp_path, "rebuilt.py", REBUILT.format(before="", inside=BUILD))
    facts = cap.run.models_rebuilt
    assert facts and facts["models"] >= 2 and facts["updates_last"] < 300 <= facts["updates_total"], facts
    findings = run_rules(cap.run)
    assert findings[0].code == "NF102" and findings[0].evidence.get("rebuilt"), [(f.code, f.message) for f in findings]


def test_a_model_built_once_before_the_loop_is_not_rebuilt(tmp_path):
    _, cap = capture_of(tmp_path, "built_once.py", REBUILT.format(before=BUILD, inside="pass"))
    assert cap.run.models_rebuilt is None
    assert not any(f.evidence.get("rebuilt") for f in run_rules(cap.run))


def test_a_count_of_updates_below_the_bar_is_not_explained_by_a_loss_output_mismatch():
    run = TrainingRun(framework="keras", task="multiclass", fit=Fit(train_accuracy=0.34))
    trend = Finding(code="NF102", message="m", fix="f", basis="measured", margin=2.0)
    count = Finding(code="NF102", message="m", fix="f", basis="setting", margin=15.0, evidence={"few_updates": True})
    for mismatch in ("NF126", "NF130"):
        ranked = assess([Finding(code=mismatch, message="m", fix="f", basis="measured", margin=10.0),
                         Finding(code="NF102", message="m", fix="f", basis=trend.basis, margin=trend.margin)], run)
        assert ranked[1].code == "NF102" and mismatch in ranked[1].consequence_of
        ranked = assess([Finding(code=mismatch, message="m", fix="f", basis="measured", margin=10.0),
                         Finding(code="NF102", message="m", fix="f", basis=count.basis, margin=count.margin,
                                 evidence=dict(count.evidence))], run)
        assert mismatch not in next(f for f in ranked if f.code == "NF102").consequence_of


def test_independent_sigmoids_over_exclusive_classes_are_a_classification_output_mismatch():
    from nnfit.doctor.rules.classification_output_mismatch import classification_output_mismatch
    from nnfit.doctor.run import ColumnStats, DataStats, LayerInfo

    def run_with(act):
        return TrainingRun(framework="keras", task="multiclass",
                           layers=[LayerInfo("h", units=8, activation="relu"), LayerInfo("out", units=3, activation=act)],
                           data=DataStats(targets=[ColumnStats(0.0, 2.0, 1.0, 0.8, True)],
                                          class_counts={"0": 40, "1": 40, "2": 40}),
                           config=TrainingConfig(loss="categorical_crossentropy"), fit=Fit(train_accuracy=0.35))

    found = list(classification_output_mismatch(run_with("sigmoid")))
    assert found and "exclusive" in found[0].message
    assert not list(classification_output_mismatch(run_with("softmax")))


def test_a_bottleneck_that_lost_a_unit_explains_capacity_too_small():
    run = TrainingRun(framework="torch", task="regression", fit=Fit(train_r2=0.3))
    ranked = assess([Finding(code="NF115", message="m", fix="f", basis="measured", margin=10.0),
                     Finding(code="NF101", message="m", fix="f", basis="measured", margin=2.0, explains=["NF115"])], run)
    assert [f.code for f in ranked] == ["NF101", "NF115"] and "NF101" in ranked[1].consequence_of
