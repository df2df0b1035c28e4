"""`doctor run --repair`: patches of the user's own script (patch.py), re-run as the proof (repair.py).

Small synthetic scripts; the findings are written out here (each test names the fixes it wants), the
run record comes from the real runner, so the patches are located by the lines the runner recorded.
"""
from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import textwrap
import types
import warnings

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.findings import Finding, Location  # noqa: E402
from nnfit.doctor.patch import plan_patches  # noqa: E402
from nnfit.doctor.repair import ScriptRow, _verdict, same_rows  # noqa: E402
from nnfit.doctor.run import TrainingRun  # noqa: E402
from nnfit.doctor.runner import run_script  # noqa: E402

TORCH_SCRIPT = textwrap.dedent("""
    import torch
    from torch import nn

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(1, 1), nn.Sigmoid(), nn.Linear(1, 8), nn.Sigmoid(), nn.Linear(8, 1), nn.ReLU())
    spare = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)   # the optimiser that steps
    loss_fn = nn.L1Loss()
    X = 100 * torch.rand(200, 1)
    y = 1000 * X + 5
    for epoch in range(2):
        for i in range(0, 200, 50):
            opt.zero_grad()
            loss = loss_fn(model(X[i:i + 50]), y[i:i + 50])
            loss.backward()
            opt.step()
    X_test = 100 * torch.rand(10, 1)
    with torch.no_grad():
        print(float(torch.mean(torch.abs(model(X_test) - 1000 * X_test - 5))))
""")

KERAS_SCRIPT = textwrap.dedent("""
    import numpy as np
    from keras.layers import Dense
    from keras.models import Sequential
    from keras.optimizers import SGD

    np.random.seed(0)
    r = Sequential()
    r.add(Dense(1, activation='sigmoid', input_dim=1))   # the bottleneck
    r.add(Dense(16, activation='sigmoid'))
    r.add(Dense(1, activation='relu'))
    sgd = SGD(learning_rate=0.05, momentum=0.9)
    r.compile(loss='mean_squared_error', optimizer='sgd', metrics=['accuracy'])
    X = np.random.rand(200)
    Y = 10 * np.sin(3 * X)
    r.fit(X, Y, batch_size=100, epochs=1, verbose=0)
    print(r.predict(X[:3], verbose=0))
""")

KERAS2_SCRIPT = textwrap.dedent("""
    import numpy
    from keras.layers import Dense
    from keras.models import Sequential
    from keras.optimizers import SGD
    r = Sequential()
    r.add(Dense(16, activation='tanh', input_dim=1, init='uniform'))
    r.add(Dense(output_dim=1, activation='linear'))
    opt = SGD(lr=0.05, decay=1e-6, momentum=0.9)
    r.compile(loss='mean_squared_error', optimizer=opt)
    X = numpy.linspace(0, 1, 50)
    r.fit(X, 2 * X, batch_size=25, nb_epoch=1, verbose=0)
""")


def finding(code, layer=None, fix="", **evidence):
    return Finding(code=code, message=code, fix=fix, evidence=evidence, location=Location(layer=layer))


def capture_of(tmp_path, name, text, **kw):
    path = tmp_path / name
    path.write_text(text)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return path, run_script(str(path), **kw)


def added(diff):
    return [line[1:].strip() for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]


def removed(diff):
    return [line[1:].strip() for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]


def test_torch_patches_edit_the_calls_the_findings_name(tmp_path):
    path, cap = capture_of(tmp_path, "train.py", TORCH_SCRIPT)
    findings = [finding("NF101", layer="0", fix="widen it"), finding("NF102"), finding("NF103"),
                finding("NF105", transform="standardise"), finding("NF106", transform="standardise"),
                finding("NF107"), finding("NF109"), finding("NF110")]
    plan = plan_patches(TORCH_SCRIPT, str(path), cap, findings)
    by_code = {p.codes[0]: p for p in plan.singles}
    assert set(by_code) == {"NF101", "NF102", "NF103", "NF105", "NF106", "NF107", "NF109", "NF110"}, plan.skipped
    assert added(by_code["NF110"].diff()) == ["loss_fn = nn.MSELoss()"]
    widen = by_code["NF101"].diff()
    assert widen.startswith("# fixes NF101: widen '0' to 16 units")
    assert any("nn.Linear(1, 16), nn.Sigmoid(), nn.Linear(16, 8)" in line for line in added(widen))
    assert any("range(" in line and "range(2)" not in line for line in added(by_code["NF102"].diff()))
    assert "opt = torch.optim.SGD(model.parameters(), lr=0.05)   # the optimiser that steps" in added(by_code["NF103"].diff())
    scale_x = added(by_code["NF105"].diff())
    assert "x_scaler = Scaler(X, log=False)" in scale_x and "X_scaled = x_scaler.scale(X)" in scale_x
    assert "loss = loss_fn(model(X_scaled[i:i + 50]), y[i:i + 50])" in scale_x
    assert any("model(x_scaler.scale(X_test))" in line for line in scale_x)
    assert any("y_scaler.unscale(model(X_test))" in line for line in added(by_code["NF106"].diff()))
    assert any(line.endswith("nn.Linear(8, 1))") for line in added(by_code["NF107"].diff()))
    assert "opt = spare   # the optimiser that steps" in added(by_code["NF109"].diff())
    combined = plan.combined
    assert combined is not None and combined.codes[0] == "NF101" and len(combined.codes) == 8
    compile(combined.source, "fixed.py", "exec")
    # both scalings on the prediction: scale the input inside, map the output back outside
    assert "y_scaler.unscale(model(x_scaler.scale(X_test)))" in combined.source
    assert "# the optimiser that steps" in combined.source        # comments are kept


def test_patched_torch_script_runs_and_is_scored_on_the_same_rows(tmp_path):
    path, cap = capture_of(tmp_path, "train.py", TORCH_SCRIPT)
    plan = plan_patches(TORCH_SCRIPT, str(path), cap, [finding("NF105", transform="log"),
                                                        finding("NF106", transform="standardise")])
    fixed_path, fixed = capture_of(tmp_path, "fixed.py", plan.combined.source)
    assert cap.heldout["n_test"] > 0
    # the scaler's unscale maps the rows back: the same held-out rows, the same targets
    assert same_rows(cap.heldout_targets, fixed.heldout_targets)
    assert not same_rows(cap.heldout_targets, cap.heldout_targets[: len(cap.heldout_targets) // 2])
    assert fixed.model_name == "model"


def test_keras_patches_remove_the_layer_and_pass_the_optimizer(tmp_path):
    path, cap = capture_of(tmp_path, "train.py", KERAS_SCRIPT)
    findings = [finding("NF101", layer=cap.run.layers[0].name, fix="remove this layer"), finding("NF102"),
                finding("NF109"), finding("NF107"), finding("NF108")]
    plan = plan_patches(KERAS_SCRIPT, str(path), cap, findings)
    by_code = {p.codes[0]: p for p in plan.singles}
    removal = by_code["NF101"].diff()
    assert "r.add(Dense(1, activation='sigmoid', input_dim=1))   # the bottleneck" in removed(removal)
    assert "r.add(Dense(16, activation='sigmoid', input_dim=1))" in added(removal)   # the input size moves on
    longer = added(by_code["NF102"].diff())
    fit = [line for line in longer if line.startswith("r.fit(")]
    assert fit and "batch_size=32" in fit[0] and "epochs=1," not in fit[0]
    # the longer training ends at a tenth of the rate: the string optimiser built with a schedule
    # whose boundary is 80 % of the updates the new fit call makes
    epochs = int(fit[0].split("epochs=")[1].split(",")[0].rstrip(")"))
    boundary = int(0.8 * epochs * 7)       # 200 rows in batches of 32
    assert f"optimizer=keras.optimizers.SGD(learning_rate=keras.optimizers.schedules.PiecewiseConstantDecay([{boundary}], " \
           "[0.01, 0.001]))" in " ".join(longer)
    assert longer.count("import keras") == 1
    assert "r.compile(loss='mean_squared_error', optimizer=sgd, metrics=['accuracy'])" in added(by_code["NF109"].diff())
    assert "r.add(Dense(1, activation='linear'))" in added(by_code["NF107"].diff())
    assert "metrics=['mae']" in by_code["NF108"].diff()
    fixed_path, fixed = capture_of(tmp_path, "fixed.py", plan.combined.source, max_updates=20)
    assert [l.units for l in fixed.run.layers if l.kind == "dense"] == [16, 1]
    assert fixed.run.config.optimizer.learning_rate == pytest.approx(0.05)


def test_keras2_names_become_keras3_names_that_keras3_accepts(tmp_path):
    path = tmp_path / "k2.py"
    path.write_text(KERAS2_SCRIPT)
    fake = types.SimpleNamespace(run=TrainingRun(framework="keras"), framework="keras", heldout=None)
    plan = plan_patches(KERAS2_SCRIPT, str(path), fake, [finding("NF117")])
    diff = plan.singles[0].diff()
    assert "r.add(Dense(16, activation='tanh', input_dim=1, kernel_initializer='random_uniform'))" in added(diff)
    assert "r.add(Dense(units=1, activation='linear'))" in added(diff)
    assert "opt = SGD(learning_rate=0.05, momentum=0.9)" in added(diff)
    assert any("epochs=1" in line for line in added(diff))
    # plain Keras 3, no compatibility layer: the patched names are accepted
    import runpy

    fixed = tmp_path / "k3.py"
    fixed.write_text(plan.combined.source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ns = runpy.run_path(str(fixed))
    assert ns["r"].layers[1].units == 1


def test_a_patch_that_does_not_improve_is_shown_as_not_helping():
    original = ScriptRow("original", [], [], {"r2": 0.5})
    assert _verdict(ScriptRow("fix NF101", ["NF101"], [], {"r2": 0.49}), original) == "does not help"
    assert _verdict(ScriptRow("fix NF102", ["NF102"], [], {"r2": 0.9}), original) == "helps"
    assert _verdict(ScriptRow("fix NF103", ["NF103"], [], None, error="boom"), original) == "failed"


def cli(args, capsys):
    from nnfit.cli import main

    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_cli_repair_writes_the_all_fixes_script_and_refuses_to_overwrite(tmp_path, capsys):
    path = tmp_path / "train.py"
    path.write_text(TORCH_SCRIPT)
    before = path.read_text()
    code, out = cli(["doctor", "run", str(path), "--repair", "--write", str(path)], capsys)
    assert code == 2 and "never writes over the original" in out
    existing = tmp_path / "taken.py"
    existing.write_text("x = 1\n")
    code, out = cli(["doctor", "run", str(path), "--repair", "--write", str(existing)], capsys)
    assert code == 2 and "--force" in out and existing.read_text() == "x = 1\n"
    fixed = tmp_path / "fixed.py"
    code, out = cli(["doctor", "run", str(path), "--repair", "--write", str(fixed), "--max-updates", "200"], capsys)
    assert path.read_text() == before
    assert fixed.exists(), out
    assert "# fixes " in out and "repair: your script, patched" in out
    assert "original" in out and f"wrote {fixed}" in out
    # the written script's own run is judged in the same line: helps / does not help / failed
    wrote = next(line for line in out.splitlines() if line.startswith(f"wrote {fixed}"))
    assert any(f"its run: {v})" in wrote for v in ("helps", "does not help", "failed", "not scored")), wrote
    compile(fixed.read_text(), str(fixed), "exec")
    assert sorted(os.listdir(tmp_path)) == ["fixed.py", "taken.py", "train.py"]


FULL_BATCH_TORCH = textwrap.dedent("""
    import torch
    from torch import nn

    torch.manual_seed(0)
    EPOCHS = 20
    inputs = 50 * torch.rand(120, 1)
    target = 300 * inputs
    model = nn.Sequential(nn.Linear(1, 8), nn.ReLU(), nn.Linear(8, 1))
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for epoch in range(EPOCHS):
        optimizer.zero_grad()
        out = model(inputs)
        loss = criterion(out, target)
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        print(float(model(inputs[:5]).sum()))
""")


def test_torch_patches_follow_a_full_batch_loop_with_named_epochs(tmp_path):
    path, cap = capture_of(tmp_path, "train.py", FULL_BATCH_TORCH)
    plan = plan_patches(FULL_BATCH_TORCH, str(path), cap, [finding("NF102"), finding("NF106", transform="standardise")])
    by_code = {p.codes[0]: p for p in plan.singles}
    assert set(by_code) == {"NF102", "NF106"}, plan.skipped
    # one update per epoch, set where the script sets it; the last fifth of the updates at a tenth of the rate
    assert added(by_code["NF102"].diff()) == [
        "EPOCHS = 3000", "nnfit_updates = 0", "nnfit_updates += 1",
        "if nnfit_updates == 2400:   # the last updates at a smaller rate",
        "for nnfit_group in optimizer.param_groups:", "nnfit_group['lr'] *= 0.1"]
    scaled = added(by_code["NF106"].diff())
    assert "target_scaled = y_scaler.scale(target)" in scaled and "loss = criterion(out, target_scaled)" in scaled
    assert "print(float(y_scaler.unscale(model(inputs[:5])).sum()))" in scaled
    fixed_path, fixed = capture_of(tmp_path, "fixed.py", by_code["NF106"].source)
    assert fixed.heldout["n_test"] > 0 and same_rows(cap.heldout_targets, fixed.heldout_targets)


TORCH_BROADCAST = textwrap.dedent("""
    import torch
    from torch import nn

    torch.manual_seed(0)
    X = torch.rand(256, 2)
    y = X[:, 0] - X[:, 1]                       # shape (n,)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    mse = nn.MSELoss()
    for epoch in range(30):
        for start in range(0, 256, 16):
            out = model(X[start:start + 16])         # (16, 1) against (16,): every row against every target
            loss = mse(out, y[start:start + 16])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        print(float(((model(X).squeeze(1) - y) ** 2).mean()))
""")


def broadcast_plan(tmp_path):
    path, cap = capture_of(tmp_path, "loop.py", TORCH_BROADCAST)
    findings = [finding("NF125", prediction_shape=[16, 1], target_shape=[16]), finding("NF124"), finding("NF112"),
                finding("NF129")]
    return plan_patches(TORCH_BROADCAST, str(path), cap, findings)


def test_torch_broadcast_batch_shuffle_and_clipping_patches(tmp_path):
    plan = broadcast_plan(tmp_path)
    by_code = {p.codes[0]: p for p in plan.singles}
    assert set(by_code) == {"NF125", "NF124", "NF112", "NF129"}, plan.skipped
    assert added(by_code["NF125"].diff()) == ["loss = mse(out, y[start:start + 16].reshape(-1, 1))"]
    assert added(by_code["NF124"].diff()) == ["for start in range(0, 256, 32):",
                                              "out = model(X[start:start + 32])         # (16, 1) against (16,): "
                                              "every row against every target", "loss = mse(out, y[start:start + 32])"]
    assert "torch.nn.utils.clip_grad_norm_([p for group in opt.param_groups for p in group['params']], 1.0)" \
        in added(by_code["NF112"].diff())
    # the batches are visited in a new order each epoch, without touching the script's data
    shuffled = added(by_code["NF129"].diff())
    assert "nnfit_rng = numpy.random.default_rng(0)" in shuffled and "import numpy" in shuffled
    assert "for start in nnfit_rng.permutation(range(0, 256, 16)):" in shuffled
    assert "loss = mse(out, y[start:start + 32].reshape(-1, 1))" in plan.combined.source


@pytest.mark.slow
def test_the_torch_loop_patches_together_run_as_written_and_train_better(tmp_path):
    plan = broadcast_plan(tmp_path)
    runs = {}
    for name, text in (("original.py", TORCH_BROADCAST), ("combined.py", plan.combined.source)):
        (tmp_path / name).write_text(text)
        done = subprocess.run([sys.executable, name], cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        runs[name] = float(done.stdout.split()[-1])
    assert runs["combined.py"] < runs["original.py"], runs


KERAS_CLASSIFIER = textwrap.dedent("""
    import numpy as np
    import keras

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    X = rng.integers(0, 5, size=(300, 4)).astype("int64")
    Y = np.stack([X[:, 0] > 2, X[:, 1] > 2], axis=1).astype("float32")
    order = np.argsort(X[:, 0])
    X, Y = X[order], Y[order]
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(2, activation="sigmoid")])
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    model.fit(X, Y, epochs=2, batch_size=32, validation_split=0.2, verbose=0)
    print(float(np.mean((model.predict(X, verbose=0) > 0.5) == Y)))
""")


def test_keras_loss_output_validation_order_and_integer_patches(tmp_path):
    path, cap = capture_of(tmp_path, "clf.py", KERAS_CLASSIFIER)
    findings = [finding("NF126", loss="categorical_crossentropy", output_activation="sigmoid", output_units=2,
                        task="multilabel"),
                finding("NF127"), finding("NF128", input_dtype="int64", target_dtype="float32")]
    plan = plan_patches(KERAS_CLASSIFIER, str(path), cap, findings)
    by_code = {p.codes[0]: p for p in plan.singles}
    assert set(by_code) == {"NF126", "NF127", "NF128"}, plan.skipped
    assert added(by_code["NF126"].diff()) == ['model.compile(loss=\'binary_crossentropy\', optimizer="adam")']
    order = added(by_code["NF127"].diff())
    assert order[0] == "nnfit_order = np.random.default_rng(0).permutation(len(X))"
    assert order[1].startswith("model.fit(X[nnfit_order], Y[nnfit_order], ")
    cast = added(by_code["NF128"].diff())
    assert cast[0].startswith("model.fit(np.asarray(X, dtype='float32'), Y, ")
    assert "np.asarray(X, dtype='float32')" in cast[1]     # and where it predicts
    combined = plan.combined.source
    assert "model.fit(np.asarray(X[nnfit_order], dtype='float32'), Y[nnfit_order]," in combined
    _, fixed = capture_of(tmp_path, "combined.py", combined)
    assert fixed.updates_run > 0


def test_a_rate_symptom_of_a_patched_cause_is_left_out_of_the_all_fixes_patch(tmp_path):
    path, cap = capture_of(tmp_path, "train.py", TORCH_SCRIPT)
    high = finding("NF103")
    high.consequence_of = ["NF106"]
    plan = plan_patches(TORCH_SCRIPT, str(path), cap, [finding("NF106", transform="standardise"), high])
    assert {p.codes[0] for p in plan.singles} == {"NF106", "NF103"}          # each still has its own patch
    assert plan.combined.codes == ["NF106", "NF103"]
    lowered = "opt = torch.optim.SGD(model.parameters(), lr=0.05)   # the optimiser that steps"
    assert lowered in plan.singles[1].source and lowered not in plan.combined.source
    assert "opt = torch.optim.SGD(model.parameters(), lr=0.5)   # the optimiser that steps" in plan.combined.source


KERAS_ZERO_INIT = textwrap.dedent("""
    import numpy as np
    import keras
    from keras import initializers

    keras.utils.set_random_seed(0)
    x = np.linspace(0, 1, 64).reshape(-1, 1)
    y = np.concatenate([np.zeros(56), np.ones(8)]).reshape(-1, 1)
    zero = dict(kernel_initializer=initializers.Constant(0.0), bias_initializer=initializers.Constant(0.0))
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(4, **zero), keras.layers.Activation("relu"),
                              keras.layers.Dense(1, activation="sigmoid", kernel_initializer="zeros")])
    model.compile(loss="binary_crossentropy", optimizer="adam")
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    print(float(np.mean((model.predict(x, verbose=0) > 0.5) == y)))
""")


def test_keras_initialiser_class_weight_and_width_patches(tmp_path):
    path, cap = capture_of(tmp_path, "init.py", KERAS_ZERO_INIT)
    first, out = (l.name for l in cap.run.layers if l.kind == "dense")
    bad = [finding("NF120", layer=first, std=0.0), finding("NF120", layer=out, std=0.0)]
    plan = plan_patches(KERAS_ZERO_INIT, str(path), cap, bad + [finding("NF131"), finding("NF115", train_r2=0.1)])
    by_code = {p.codes[0]: p for p in plan.singles}
    assert set(by_code) == {"NF120", "NF131", "NF115"}, plan.skipped
    # both flagged layers: the `**zero` dict and the keyword, and nothing else of the calls
    init = added(by_code["NF120"].diff())
    assert "model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(4), keras.layers.Activation(\"relu\")," in init
    assert 'keras.layers.Dense(1, activation="sigmoid")])' in init
    weights = added(by_code["NF131"].diff())
    assert "model.fit(x, y, epochs=2, batch_size=16, verbose=0, class_weight=balanced_class_weight(y))" in weights
    assert "keras.layers.Dense(64, **zero)" in by_code["NF115"].source
    namespace: dict = {}
    exec(compile(plan.combined.source.split("keras.utils.set_random_seed(0)")[0], "head", "exec"), namespace)
    labels = np.r_[np.zeros(56), np.ones(8)].reshape(-1, 1)
    assert namespace["balanced_class_weight"](labels) == pytest.approx({0: 64 / (2 * 56), 1: 64 / (2 * 8)})
    assert namespace["balanced_class_weight"](np.eye(3)[[0, 0, 1, 2]]) == pytest.approx({0: 4 / 6, 1: 4 / 3, 2: 4 / 3})
