"""`nnfit doctor run`: clear one-line errors, untouched user files, Keras 2 mapping, JSON output."""
from __future__ import annotations

import hashlib
import json
import os
import textwrap

import numpy as np
import pytest
from typer.testing import CliRunner

from nnfit.cli import app
from nnfit.doctor.runner import run_script
from nnfit.errors import NNFitError

os.environ.setdefault("KERAS_BACKEND", "torch")

TORCH_FAILING = textwrap.dedent("""
    import numpy as np
    import torch
    from torch import nn
    torch.manual_seed(0)
    X = torch.linspace(0, 1, 200).reshape(-1, 1)
    y = 10 * torch.sin(3 * X)
    model = nn.Sequential(nn.Linear(1, 1), nn.Sigmoid(), nn.Linear(1, 32), nn.Sigmoid(), nn.Linear(32, 1))
    unused = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.MSELoss()
    for i in range(0, 200, 100):
        opt.zero_grad()
        loss = loss_fn(model(X[i:i + 100]), y[i:i + 100])
        loss.backward()
        opt.step()
""")


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_missing_script_is_one_line_error(tmp_path):
    with pytest.raises(NNFitError, match="no such file"):
        run_script(str(tmp_path / "nope.py"))


def test_script_that_raises_is_reported_with_its_line(tmp_path):
    path = write(tmp_path, "boom.py", "import torch\nx = 1\nraise ValueError('boom')\n")
    with pytest.raises(NNFitError, match=r"boom.py:3: the script raised ValueError: boom"):
        run_script(str(path))


def test_script_that_never_trains_says_so(tmp_path):
    path = write(tmp_path, "idle.py", "import torch\nprint(torch.zeros(2))\n")
    with pytest.raises(NNFitError, match="without training anything"):
        run_script(str(path))


def test_script_that_loops_forever_stops_at_the_budget(tmp_path):
    path = write(tmp_path, "loop.py", "import torch\nwhile True:\n    pass\n")
    with pytest.raises(NNFitError, match="still running after 1 s"):
        run_script(str(path), budget_s=1)


def test_a_script_that_is_not_python_even_after_the_python2_repair_is_refused_without_running(tmp_path):
    marker = tmp_path / "ran"
    path = write(tmp_path, "py2.py", f"import keras\nopen({str(marker)!r}, 'w').close()\nprint 'hello'\nexec 'x = 1'\n")
    with pytest.raises(NNFitError, match="not valid Python 3"):
        run_script(str(path))
    assert not marker.exists()


def test_cli_error_exit_code_and_message(tmp_path):
    result = CliRunner().invoke(app, ["doctor", "run", str(tmp_path / "missing.py")])
    assert result.exit_code != 0
    assert "no such file" in str(result.exception) + result.output


def test_torch_script_diagnosed_and_left_unchanged(tmp_path):
    path = write(tmp_path, "train.py", TORCH_FAILING)
    before = digest(path)
    result = CliRunner().invoke(app, ["doctor", "run", str(path), "--format", "json"])
    assert digest(path) == before
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    codes = [f["code"] for f in data["findings"]]
    assert codes[0] in ("NF101", "NF102")      # the seed-1 pattern: bottleneck or too few updates first
    assert {"NF101", "NF102", "NF109"} <= set(codes)
    bottleneck = next(f for f in data["findings"] if f["code"] == "NF101")
    assert bottleneck["location"]["line"] == 8 and bottleneck["fix"] and bottleneck["evidence"]["units"] == 1
    assert sorted(os.listdir(tmp_path)) == ["train.py"]


def test_torch_script_text_output_is_rustc_style(tmp_path):
    path = write(tmp_path, "train.py", TORCH_FAILING)
    result = CliRunner().invoke(app, ["doctor", "run", str(path)])
    assert "error[NF101]: narrow-bottleneck" in result.output
    assert "  --> " in result.output and "= fix: " in result.output


def test_rule_command_prints_the_rule_documentation():
    result = CliRunner().invoke(app, ["doctor", "rule", "NF101"])
    assert result.exit_code == 0
    assert "narrow-bottleneck" in result.output and "What it finds:" in result.output and "Fix:" in result.output
    by_name = CliRunner().invoke(app, ["doctor", "rule", "too-few-updates"])
    assert "NF102" in by_name.output


def test_rules_command_lists_the_catalogue():
    result = CliRunner().invoke(app, ["doctor", "rules", "--format", "json"])
    rows = json.loads(result.output)
    assert {"NF101", "NF103", "NF124"} <= {r["code"] for r in rows}


KERAS2 = """
    import numpy
    from keras.layers import Dense
    from keras.models import Sequential
    from keras.optimizers import SGD
    r = Sequential()
    r.add(Dense(1, activation='sigmoid', input_dim=1, init='uniform'))
    r.add(Dense(16, activation='sigmoid', init='uniform'))
    r.add(Dense(output_dim=1, activation='linear'))
    sgd = SGD(lr=0.05, decay=1e-6, momentum=0.9)
    r.compile(loss='mean_squared_error', optimizer='sgd', metrics=['accuracy'])
    X = [i / 200 for i in range(200)]
    Y = [10 * x for x in X]
    r.fit(X, Y, batch_size=100, nb_epoch=1, verbose=0)
"""


def test_keras2_arguments_are_mapped_and_reported(tmp_path):
    path = write(tmp_path, "k2.py", KERAS2)
    cap = run_script(str(path))
    olds = {u.old for u in cap.run.legacy}
    assert {"init=", "output_dim=", "lr=", "decay=", "nb_epoch="} <= olds
    lines = {u.old: u.line for u in cap.run.legacy}
    assert lines["nb_epoch="] == 14 and lines["output_dim="] == 9
    from nnfit.doctor.report import Report

    codes = Report.from_run(cap.run, cap).codes
    assert codes[0] in ("NF101", "NF102") and {"NF101", "NF102", "NF109", "NF108"} <= set(codes)


LONG_TORCH = textwrap.dedent("""
    import torch
    from torch import nn
    torch.manual_seed(0)
    X = torch.rand(300, 1)
    y = 3 * X + 1
    model = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = nn.MSELoss()
    for epoch in range(100000):
        for i in range(0, 300, 30):
            opt.zero_grad()
            loss_fn(model(X[i:i + 30]), y[i:i + 30]).backward()
            opt.step()
""")


def test_held_out_rows_are_kept_out_of_training_and_scored(tmp_path):
    from nnfit.doctor.runner import held_out_mask

    path = write(tmp_path, "train.py", LONG_TORCH)
    cap = run_script(str(path), max_updates=300)
    n_hold = cap.heldout["n_test"]
    assert 30 <= n_hold <= 90                                 # about a fifth of 300 rows
    assert len(cap.X) + n_hold == 300
    assert not held_out_mask(cap.X, seed=0).any()            # no held-out row was trained on
    assert cap.heldout["r2"] > 0.9 and cap.run.data.n_samples == len(cap.X)
    assert cap.run.fit.heldout_r2 == cap.heldout["r2"]
    assert any("held out" in note for note in cap.notes)
    other = run_script(str(path), max_updates=300, seed=1)
    assert not np.array_equal(np.sort(other.X[:, 0]), np.sort(cap.X[:, 0]))   # the seed chooses the rows


def test_held_out_choice_survives_scaling_of_float32_data():
    from nnfit.doctor.runner import held_out_mask

    X = np.random.default_rng(0).uniform(0, 500, (5000, 2)).astype(np.float32)
    scaled = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
    back = scaled.astype(np.float64) * X.std(0) + X.mean(0)
    a, b = held_out_mask(X), held_out_mask(back)
    assert 0.18 < a.mean() < 0.22
    assert (a != b).sum() <= 5                              # rows within float32 noise of a rounding boundary


def test_update_budget_makes_the_record_independent_of_speed(tmp_path):
    path = write(tmp_path, "train.py", LONG_TORCH)
    first = run_script(str(path), max_updates=250)
    second = run_script(str(path), max_updates=250)
    assert first.updates_run == second.updates_run == 250
    assert first.run.history.batch_loss == second.run.history.batch_loss
    assert any("after 250 updates (update budget" in note for note in first.notes)
    from nnfit.doctor.report import Report

    assert Report.from_run(first.run, first).codes == Report.from_run(second.run, second).codes


def test_wall_clock_cap_reduces_the_update_budget_up_front(tmp_path):
    path = write(tmp_path, "train.py", LONG_TORCH)
    cap = run_script(str(path), max_updates=100_000, train_budget_s=5.0)   # 100k updates take far longer
    assert cap.budget_reduced_from == 100_000 and cap.max_updates < 100_000
    # the reduced budget is what stops it, or the wall-clock safety net behind it on a busy machine
    assert 0 < cap.updates_run <= cap.max_updates
    assert any("reduced from 100000" in note for note in cap.notes)


# -- what the runner sees in loops it does not drive (tuning-half programs showed each gap) ------------

def test_keras_train_on_batch_loop_is_watched_and_budgeted(tmp_path):
    """A Keras loop of model.train_on_batch (no fit) trains: the runner records it, counts each call
    as an update under the budget, and reads the initial weights (all zero here)."""
    path = write(tmp_path, "tob.py", """
        import os
        os.environ.setdefault("KERAS_BACKEND", "torch")
        import numpy as np
        import keras
        keras.utils.set_random_seed(0)
        x = np.linspace(0, 1, 40).reshape(-1, 1)
        y = 0.1 * x
        zero = dict(kernel_initializer="zeros", bias_initializer="zeros")
        model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(8, activation="relu", **zero),
                                  keras.layers.Dense(1, **zero)])
        model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=0.001))
        for _ in range(500):
            model.train_on_batch(x, y)
    """)
    cap = run_script(str(path), max_updates=60)
    assert cap.updates_run == 60
    assert len(cap.run.history.batch_loss) == 60
    first = next(l.name for l in cap.run.layers if l.kind == "dense")    # Keras numbers names per process
    assert cap.run.initial_weight_std[first] == 0.0
    assert cap.run.data.n_samples is not None and cap.run.data.n_samples > 0


def test_hand_written_loss_broadcast_is_measured(tmp_path):
    """`(y - model(x)) ** 2` with y of shape (n,) against (n, 1) predictions: the subtraction is seen."""
    path = write(tmp_path, "bc.py", """
        import torch
        torch.manual_seed(0)
        x = torch.rand(64, 1)
        y = 3 * x[:, 0]
        model = torch.nn.Linear(1, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        for _ in range(30):
            loss = ((y - model(x)) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    """)
    cap = run_script(str(path), max_updates=30)
    assert cap.run.fit.loss_broadcast == ((64, 1), (64,))
    from nnfit.doctor.rules import run_rules
    assert "NF125" in [f.code for f in run_rules(cap.run)]


def test_same_shape_hand_written_loss_is_not_a_broadcast(tmp_path):
    path = write(tmp_path, "nobc.py", """
        import torch
        torch.manual_seed(0)
        x = torch.rand(64, 1)
        y = 3 * x
        model = torch.nn.Linear(1, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        for _ in range(30):
            loss = ((y - model(x)) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    """)
    assert run_script(str(path), max_updates=30).run.fit.loss_broadcast is None


def test_functional_relu_and_module_chain_are_seen(tmp_path):
    """F.relu inside forward() is the hidden layer's activation (dead units measurable), and two modules
    called in turn without a container are one network whose inputs are the first one's."""
    path = write(tmp_path, "chain.py", """
        import torch
        import torch.nn.functional as F
        torch.manual_seed(0)
        words = torch.randint(0, 50, (200, 4))
        labels = (words[:, 0] % 2).long()
        embed = torch.nn.EmbeddingBag(50, 8, mode="mean")
        hidden = torch.nn.Linear(8, 16)
        class Head(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.hidden = hidden
                self.out = torch.nn.Linear(16, 2)
            def forward(self, v):
                return self.out(F.relu(self.hidden(v)))
        head = Head()
        opt = torch.optim.SGD(list(embed.parameters()) + list(head.parameters()), lr=0.1)
        for _ in range(40):
            loss = F.cross_entropy(head(embed(words)), labels)
            opt.zero_grad()
            loss.backward()
            opt.step()
    """)
    run = run_script(str(path), max_updates=40).run
    kinds = [(l.kind, l.activation) for l in run.layers]
    assert kinds[0][0] == "embedding"
    assert ("dense", "relu") in kinds
    assert run.data.input_dtype == "int64" and run.data.input_shape[1] == 4
    assert any(name.endswith("hidden") for name in run.history.dead_fraction)


def test_initial_spread_needs_enough_weights_but_sees_all_zero_kernels():
    from nnfit.doctor.monitors._common import initial_spread

    assert initial_spread(np.zeros((1, 1))) == 0.0            # one zero weight is still all-zero
    assert initial_spread(np.array([[0.3, 0.31]])) is None     # two weights: no spread to judge
    w = np.random.default_rng(0).normal(0.0, 0.2, size=(20, 20))
    assert abs(initial_spread(w) - 0.2) < 0.02


def test_batch_mask_cache_gives_each_batch_its_own_rows():
    from nnfit.doctor.monitors._common import ScriptContext
    from nnfit.doctor.runner import _Session, held_out_mask

    session = _Session(ScriptContext(None), train_budget_s=10.0, seed=3)
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(400, 2)), rng.normal(size=(400, 2))
    first = session.mask(a)
    assert np.array_equal(first, held_out_mask(a, seed=3))
    assert session.mask(a.copy()) is first                   # the same rows again: looked up, not re-hashed
    assert np.array_equal(session.mask(b), held_out_mask(b, seed=3))
    assert not np.array_equal(session.mask(b), first)        # another batch: its own mask
    assert np.array_equal(session.mask(a[:200]), held_out_mask(a[:200], seed=3))


def test_held_out_rows_of_a_repeated_batch_are_kept_once():
    from nnfit.doctor.monitors._common import ScriptContext
    from nnfit.doctor.runner import _Session

    session = _Session(ScriptContext(None), train_budget_s=10.0)
    x = np.arange(10.0).reshape(5, 2)
    y = np.arange(5.0).reshape(5, 1)
    for _ in range(3):
        session.keep_held_out_once(x, y)
    assert len(session.hold_x) == 5
    session.keep_held_out_once(x, y + 1.0)                   # the same inputs with other targets: new rows
    assert len(session.hold_x) == 10


def test_keras_is_imported_without_sklearn_only_when_the_script_never_names_it():
    from nnfit.doctor.runner import may_skip_sklearn

    assert may_skip_sklearn("import keras\nmodel = keras.Sequential()")
    assert not may_skip_sklearn("from sklearn.model_selection import train_test_split")
    assert not may_skip_sklearn("from keras.wrappers import SKLearnRegressor")
    assert not may_skip_sklearn("# scaled with scikit-learn's StandardScaler")


@pytest.mark.slow
def test_keras_imported_without_sklearn_still_trains_and_sklearn_imports_after(tmp_path):
    import subprocess
    import sys

    code = textwrap.dedent("""
        import sys
        import numpy as np
        from nnfit.doctor.runner import _import_keras
        keras = _import_keras("import keras")
        assert "sklearn" not in sys.modules
        model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
        model.compile(loss="mse", optimizer="sgd")
        model.fit(np.array([[0.0], [1.0]]), np.array([[0.0], [1.0]]), epochs=1, verbose=0)
        import sklearn.linear_model
        print("ok", sklearn.__name__)
    """)
    env = dict(os.environ, KERAS_BACKEND="torch")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "ok sklearn" in out.stdout


PER_ROW_LOSS_TORCH = textwrap.dedent("""
    import torch
    from torch import nn
    torch.manual_seed(0)
    X = torch.rand(256, 2)
    y = (X[:, :1] + X[:, 1:] > 1).float()
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    loss_fn = nn.{loss}(reduction='none')
    for epoch in range(20):
        for i in range(0, 256, 64):
            weight = torch.ones(64, 1)
            opt.zero_grad()
            per_row = loss_fn(model(X[i:i + 64]), y[i:i + 64])
            (per_row * weight).mean().backward()
            opt.step()
""")


@pytest.mark.parametrize("loss", ["BCEWithLogitsLoss", "MSELoss"])
def test_per_row_loss_keeps_the_batch_shape_while_rows_are_held_out(tmp_path, loss):
    # A script that weights its per-row losses by a full-batch tensor must not see a shorter loss.
    from nnfit.doctor.runner import held_out_mask

    path = write(tmp_path, "train.py", PER_ROW_LOSS_TORCH.replace("{loss}", loss))
    cap = run_script(str(path), max_updates=200)
    assert cap.heldout["n_test"] > 0
    assert not held_out_mask(cap.X, seed=0).any()            # held-out rows were not trained on


SCHEDULED_TORCH = textwrap.dedent("""
    import torch
    from torch import nn
    torch.manual_seed(0)
    X = torch.linspace(-1, 1, 200).reshape(-1, 1)
    y = X ** 2
    model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=50, gamma=0.5)
    for epoch in range(200):
        opt.zero_grad()
        nn.MSELoss()(model(X), y).backward()
        opt.step()
        sched.step()
""")


def test_torch_lr_scheduler_runs_under_the_doctor_and_the_set_rate_is_reported(tmp_path):
    # torch's schedulers re-wrap `optimizer.step.__func__`: the doctor's step must stay a bound method
    path = write(tmp_path, "train.py", SCHEDULED_TORCH)
    cap = run_script(str(path), max_updates=300)
    assert cap.run.history.n_updates == 200
    assert cap.run.config.optimizer.learning_rate == pytest.approx(0.01)


UNSEEDED_TORCH = """
    import numpy as np
    import torch
    from torch import nn
    X = torch.tensor(np.random.uniform(0, 1, (120, 1)), dtype=torch.float32)   # no seed anywhere
    y = torch.sin(3 * X)
    model = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for step in range(40):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(X), y)
        loss.backward()
        opt.step()
"""


def test_an_unseeded_script_gives_the_same_record_on_every_run(tmp_path):
    # the doctor seeds the global generators (the report's seed): data and initial weights repeat
    path = write(tmp_path, "train.py", UNSEEDED_TORCH)
    first, second = run_script(str(path)), run_script(str(path))
    assert first.run.history.batch_loss == second.run.history.batch_loss
    other = run_script(str(path), seed=1)
    assert other.run.history.batch_loss != first.run.history.batch_loss


TF_KERAS_SCRIPT = """
    import numpy as np
    import tensorflow as tf
    from tensorflow.keras.models import Sequential
    from tensorflow.keras.layers import Dense
    from tensorflow.keras.optimizers import Adam
    tf.random.set_seed(1)
    x = np.linspace(0, 1, 200).reshape(-1, 1)
    model = Sequential([Dense(8, activation="tanh", input_shape=(1,)), Dense(1)])
    model.compile(optimizer=Adam(learning_rate=0.01), loss="mse")
    model.fit(x, 3 * x, epochs=3, batch_size=20, verbose=0)
"""


def test_tf_keras_imports_run_on_keras_3(tmp_path):
    # `from tensorflow.keras.X import ...` (the idiom of most posted TF2 scripts) runs without TensorFlow
    import importlib.util

    if importlib.util.find_spec("tensorflow") is not None:
        pytest.skip("TensorFlow is installed: the shim is not used")
    path = write(tmp_path, "train.py", TF_KERAS_SCRIPT)
    cap = run_script(str(path))
    assert cap.framework == "keras" and cap.run.config.epochs == 3 and len(cap.run.history.loss) == 3
    import sys

    assert "tensorflow.keras.layers" not in sys.modules       # the shim leaves with the run


ONE_HOT_LOSS_ON_LABELS = """
    import numpy as np
    import keras
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int)     # labels 0, 1, 2 in one column
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(X, y, epochs=5, verbose=0)
"""


def test_a_fit_that_raises_before_its_first_update_is_still_diagnosed(tmp_path):
    # Keras 3 checks the loss's shapes before any callback runs: the model and data are read anyway
    from nnfit.doctor.report import Report

    path = write(tmp_path, "train.py", ONE_HOT_LOSS_ON_LABELS)
    cap = run_script(str(path))
    assert any("the script raised" in note for note in cap.notes)
    assert [layer.units for layer in cap.run.layers if layer.kind == "dense"] == [8, 3]
    report = Report.from_run(cap.run, cap)
    assert report.codes[0] == "NF126" and "sparse_categorical_crossentropy" in report.findings[0].fix
    assert "NF102" not in report.codes          # no update ran because the script raised, not too few


KERAS2_MODULE_PATHS = """
    import numpy as np
    from keras.models import Sequential
    from keras.layers.core import Dense, Activation
    from keras.utils import np_utils
    X = np.random.rand(120, 2)
    Y = np_utils.to_categorical((X[:, 0] > X[:, 1]).astype(int), 2)
    model = Sequential()
    model.add(Dense(8, input_dim=2))
    model.add(Activation("relu"))
    model.add(Dense(2, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    model.fit(X, Y, epochs=2, verbose=0)
"""


def test_keras2_module_paths_run_and_are_reported(tmp_path):
    import sys

    path = write(tmp_path, "train.py", KERAS2_MODULE_PATHS)
    cap = run_script(str(path))
    assert cap.run.config.epochs == 2
    olds = {use.old for use in cap.run.legacy}
    assert {"keras.layers.core", "keras.utils.np_utils"} <= olds
    assert "keras.layers.core" not in sys.modules            # the aliases leave with the run


KERAS2_METHODS = """
    import numpy as np
    import keras
    X = np.random.rand(200, 1)
    y = (X > 0.5).astype("float32")
    def batches():
        while True:
            i = np.random.randint(0, len(X), 20)
            yield X[i], y[i]
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit_generator(batches(), steps_per_epoch=5, epochs=2, verbose=0)
    labels = model.predict_classes(X[:4])
    assert labels.shape == (4, 1) and set(np.unique(labels)) <= {0, 1}
"""


def test_keras2_model_methods_run_and_are_reported(tmp_path):
    import keras

    path = write(tmp_path, "train.py", KERAS2_METHODS)
    cap = run_script(str(path))
    assert not any("raised" in note for note in cap.notes), cap.notes
    assert {"fit_generator(", "predict_classes("} <= {use.old for use in cap.run.legacy}
    assert not hasattr(keras.Model, "fit_generator")            # put back only for the run


OLD_TORCH_LOSS_INDEX = """
    import torch
    from torch.autograd import Variable
    torch.manual_seed(0)
    x = Variable(torch.linspace(-1, 1, 60).unsqueeze(1))
    y = Variable(x.data * 2)
    net = torch.nn.Linear(1, 1)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    for t in range(50):
        loss = torch.nn.functional.mse_loss(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        print(t, loss.data[0])
"""


def test_old_pytorch_loss_data_index_runs_and_is_reported(tmp_path):
    path = write(tmp_path, "train.py", OLD_TORCH_LOSS_INDEX)
    cap = run_script(str(path))
    assert not any("raised" in note for note in cap.notes), cap.notes
    assert cap.updates_run >= 50                 # every step ran (it raised at the first print before)
    assert ".data[0]" in {use.old for use in cap.run.legacy}
    import torch

    assert torch.tensor(3.0).dim() == 0
    with pytest.raises(IndexError):
        torch.tensor(3.0)[0]                      # torch's own indexing is back after the run
