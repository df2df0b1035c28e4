"""The Python API: diagnose() on a torch module, watch() around a user's loop, repair's table."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

import nnfit.doctor as doctor
from nnfit.doctor.repair import LayerSpec, Spec, train


def test_diagnose_torch_module_names_unscaled_targets_and_repair_fixes_them():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(400, 1))
    y = 2000 * X ** 2
    model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
    report = doctor.diagnose(model, X, y, epochs=20, batch_size=32, seed=0)
    assert report.codes[0] == "NF106"
    result = report.repair(budget_s=10, show=False)
    labels = [r.label for r in result.rows]
    assert labels[0] == "original" and "fix NF106" in labels
    row = next(r for r in result.rows if r.label == "fix NF106")
    assert row.result["r2"] > result.rows[0].result["r2"]
    assert "held-out R²" in result.text()


def test_watch_records_a_users_own_loop():
    torch.manual_seed(0)
    X = torch.linspace(-1, 1, 256).reshape(-1, 1)
    y = torch.sin(3 * X)
    model = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 1))
    opt = torch.optim.Adam(model.parameters(), lr=1e-7)
    loss_fn = nn.MSELoss()
    with doctor.watch(model, opt) as w:
        for _ in range(30):
            for i in range(0, 256, 32):
                opt.zero_grad()
                loss_fn(model(X[i:i + 32]), y[i:i + 32]).backward()
                opt.step()
    run = w.run
    assert run.history.n_updates == 240 and run.config.batch_size == 32 and run.data.n_samples == 256
    assert [l.units for l in run.layers if l.kind == "dense"] == [32, 1]
    assert "NF104" in w.report.codes


def test_healthy_torch_fit_gets_no_error_finding():
    torch.manual_seed(0)
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, size=(512, 1))
    y = np.tanh(2 * X)
    model = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 1))
    report = doctor.diagnose(model, X, y, epochs=100, batch_size=32,
                             optimizer=torch.optim.Adam(model.parameters(), lr=0.01))
    assert report.run.fit.train_r2 >= 0.999
    assert report.errors == []


def test_numpy_trainer_matches_the_seed1_fix():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, size=(3000, 1))
    y = 10 * np.sin(3 * x)
    spec = Spec(1, [LayerSpec(50, "sigmoid", init="random_uniform"), LayerSpec(1, "linear")], "sgd", 0.05,
                momentum=0.9, epochs=60, batch_size=32)
    res = train(spec, x[:2400], y[:2400], x[2400:], y[2400:], seed=0, budget_s=30)
    assert res["r2"] >= 0.999 and res["updates"] == 60 * 75 and not res["stopped_by_budget"]


def test_repair_budget_stops_training_and_says_so():
    x = np.linspace(0, 1, 200).reshape(-1, 1)
    spec = Spec(1, [LayerSpec(8, "tanh"), LayerSpec(1, "linear")], "adam", 1e-3, epochs=100000, batch_size=1)
    res = train(spec, x, x, x, x, seed=0, budget_s=0.2)
    assert res["stopped_by_budget"] and res["updates"] < res["planned_updates"]
    assert math.isfinite(res["rmse"])


def test_diagnose_keras_model_and_keras_monitor():
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, size=(500, 1))
    y = 10 * np.sin(3 * X)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, activation="sigmoid"),
                              keras.layers.Dense(16, activation="sigmoid"), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mean_squared_error", metrics=["accuracy"])
    report = doctor.diagnose(model, X, y, epochs=1, batch_size=100)
    # the seed-1 pair, in the order of their evidence (5 updates is 60x short of 300; 1 unit before 16)
    assert set(report.codes[:2]) == {"NF101", "NF102"} and "NF108" in report.codes
    assert report.run.framework == "keras" and report.run.config.batch_size == 100
    monitor = doctor.KerasMonitor(X, y)
    model.fit(X, y, epochs=1, batch_size=50, verbose=0, callbacks=[monitor])
    assert monitor.run.history.n_updates == 10 and monitor.run.data.n_samples == 500


def test_training_run_fields_are_typed_and_a_made_up_field_is_refused():
    from nnfit.doctor.run import TrainingRun

    run = TrainingRun(framework="keras")
    run.fit.train_r2 = 0.5
    run.history.probe_loss.append(1.0)
    assert run.train_r2 == 0.5 and run.history.probe_loss == [1.0]
    assert not hasattr(run, "extra")  # the untyped dict is gone: every field is declared in doctor/run.py
    with pytest.raises(AttributeError):
        run.made_up_key = 1


def test_a_hand_written_torch_update_loop_is_watched_through_backward(tmp_path):
    import contextlib
    import io

    from nnfit.doctor.report import Report
    from nnfit.doctor.runner import run_script

    script = tmp_path / "manual.py"
    script.write_text(
        "import torch\n"
        "x = torch.linspace(0, 10, 200).reshape(-1, 1)\n"
        "y = 3 * x + 2\n"
        "w = torch.zeros(1, 1, requires_grad=True)\n"
        "for step in range(200):\n"
        "    loss = ((x @ w - y) ** 2).mean()\n"
        "    loss.backward()\n"
        "    with torch.no_grad():\n"
        "        w -= 0.05 * w.grad\n"
        "        w.grad.zero_()\n")
    with contextlib.redirect_stdout(io.StringIO()):
        cap = run_script(str(script), budget_s=60, train_budget_s=20)
    report = Report.from_run(cap.run, cap)
    assert cap.run.history.n_updates == 200 and len(cap.run.history.batch_loss) == 200
    assert report.codes[0] == "NF103"      # lr 0.05 on inputs up to 10 diverges to inf
