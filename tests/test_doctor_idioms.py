"""`nnfit doctor run` on the many ways people write the same training program.

Each script in tests/fixtures/idioms/ plants one known fault (targets in the thousands, a learning rate
far too high, a couple of epochs where hundreds are needed, ...) in one idiom of building the data, the
model or the training loop (Keras: Sequential list / .add, functional, subclassed, PyDataset, Python
generator, torch DataLoader, train_on_batch, custom loss, pandas / np.loadtxt data; PyTorch: Sequential,
OrderedDict, Module subclass, DataLoader, custom Dataset, hand-written loss, Trainer class, argparse,
scheduler, LBFGS closure, .double(), model.forward(x), ...). The doctor must record the run whatever the
idiom (epochs, losses, data, held-out rows), infer the task, and name the planted fault.
"""
from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest

from nnfit.doctor.report import Report
from nnfit.doctor.runner import run_script

os.environ.setdefault("KERAS_BACKEND", "torch")

IDIOMS = Path(__file__).parent / "fixtures" / "idioms"

# script, task, the planted fault, whether it must come first, held out rows expected
# (fast: in the default suite; the rest run with -m slow)
FAST = [
    ("t05_trainer_class_manual_loss.py", "regression", "NF106", True, True),
    ("t09_custom_dataset.py", "regression", "NF106", True, True),
    ("t13_dataclass_config_epochs.py", "regression", "NF102", True, True),
    ("k05_pydataset.py", "regression", "NF106", True, True),
    ("k09_custom_loss.py", "regression", "NF106", True, True),
    ("t19_loss_arguments_swapped.py", "regression", "NF106", True, True),
    ("t21_forward_returns_tuple.py", "regression", "NF106", True, True),
]
SLOW = [
    # Adam at 0.3 on a ReLU fit that reaches held-out R² 0.87: the first steps blow the loss up 50x and
    # leave most ReLU units dead (read from a functional model's Dense outputs, as a Sequential's)
    ("k03_functional_lr_high.py", "regression", "NF103", True, True),
    ("k01_sequential_list.py", "regression", "NF106", True, True),
    ("k02_add_kwargs_validation_data.py", "regression", "NF106", True, True),
    ("k04_subclass_call.py", "regression", "NF106", True, True),
    ("k06_python_generator.py", "regression", "NF106", True, True),
    ("k07_main_guard_function.py", "regression", "NF102", True, True),
    ("k08_optimizers_get.py", "regression", "NF103", True, True),
    ("k10_train_on_batch_loop.py", "regression", "NF106", True, True),
    ("k11_sklearn_split_predict.py", "regression", "NF106", True, True),
    ("k12_pandas_csv.py", "regression", "NF106", True, True),
    ("k13_loadtxt_csv.py", "regression", "NF106", True, True),
    ("k14_callbacks_history.py", "regression", "NF103", True, True),
    ("k15_tf_keras_import.py", "regression", "NF106", True, True),
    ("k16_binary_classifier.py", "binary", "NF102", True, True),
    ("k17_validation_split_sorted.py", "regression", "NF127", True, True),
    ("k18_torch_dataloader_into_keras.py", "regression", "NF106", True, True),
    ("t01_sequential_fullbatch.py", "regression", "NF106", True, True),
    ("t02_ordereddict_dataloader.py", "regression", "NF106", True, True),
    ("t03_subclass_functional_slices.py", "regression", "NF103", True, True),
    ("t04_argparse_function_scheduler.py", "regression", "NF103", True, True),
    ("t06_double_clip_model_zero_grad.py", "regression", "NF102", True, True),
    ("t07_train_eval_no_grad.py", "regression", "NF106", True, True),
    ("t08_shape_broadcast.py", "regression", "NF125", True, True),
    ("t10_sklearn_scaler_inputs_only.py", "regression", "NF106", True, True),
    ("t11_pandas_csv.py", "regression", "NF106", True, True),
    ("t12_modulelist_random_split.py", "regression", "NF103", True, True),
    ("t14_unsqueeze_inside_loop.py", "regression", "NF106", True, True),
    ("t15_forward_called_directly.py", "regression", "NF106", True, True),
    ("t16_device_variable.py", "regression", "NF106", True, True),
    ("t17_lbfgs_closure.py", "regression", "NF106", True, True),
    ("t18_classifier_cross_entropy.py", "multiclass", "NF103", True, True),
    ("t20_hand_written_target_first.py", "regression", "NF103", True, True),
    ("k19_fit_called_in_a_loop.py", "regression", "NF106", True, True),
    ("k20_unshuffled_sorted.py", "regression", "NF129", True, True),
    ("k21_input_in_a_list.py", "regression", "NF106", True, True),
]


def diagnose(name: str):
    with contextlib.redirect_stdout(io.StringIO()):
        capture = run_script(str(IDIOMS / name), budget_s=300, seed=0)
    capture.run.seed = 0
    return capture, Report.from_run(capture.run, capture, capture.notes)


def check(name: str, task: str, code: str, first: bool, held: bool) -> None:
    capture, report = diagnose(name)
    run = capture.run
    # the run is recorded: updates, a loss per epoch, the data trained on
    assert run.history.n_updates and run.history.n_updates > 0, name
    assert run.history.loss, f"{name}: no epoch losses recorded"
    assert run.config.epochs and run.config.epochs >= 1, name
    assert run.data.n_samples and run.data.n_samples >= 10, f"{name}: no training rows recorded"
    assert run.task == task, f"{name}: task {run.task}, expected {task}"
    if held:
        assert capture.heldout and capture.heldout["n_test"] > 0, f"{name}: no rows held out ({capture.notes})"
    codes = [f.code for f in report.findings]
    if code is None:
        return
    assert code in codes, f"{name}: {code} not found in {codes}"
    if first:
        assert codes[0] == code, f"{name}: {code} found but ranked below {codes[:codes.index(code)]}"


@pytest.mark.parametrize("name,task,code,first,held", FAST, ids=[c[0] for c in FAST])
def test_idiom_is_recorded_and_its_fault_named(name, task, code, first, held):
    check(name, task, code, first, held)


@pytest.mark.slow
@pytest.mark.parametrize("name,task,code,first,held", SLOW, ids=[c[0] for c in SLOW])
def test_idiom_is_recorded_and_its_fault_named_slow(name, task, code, first, held):
    check(name, task, code, first, held)


def test_hand_written_loss_holds_rows_out_without_changing_the_loss_values():
    """A loss written by hand: the held-out rows give no gradient, yet the script's loss reads the same
    values it would without the doctor (their rows are masked by detaching, not by removing them)."""
    capture, _ = diagnose("t05_trainer_class_manual_loss.py")
    assert capture.heldout and capture.heldout["n_test"] > 0
    assert not any("no rows were held out" in n for n in capture.notes)
    assert capture.run.config.loss is None      # no loss module to name: the rules are not told "mse"


def test_every_fixture_is_in_the_matrix():
    listed = {c[0] for c in FAST + SLOW}
    on_disk = {p.name for p in IDIOMS.glob("*.py")}
    assert on_disk - listed == set(), f"idiom scripts without a test row: {sorted(on_disk - listed)}"


def test_hand_written_loss_gradient_comes_from_the_kept_rows_only():
    """The watcher's masking of `model(x) - y`: the loss value is the script's own (every row), the
    gradient the one a mean over the kept rows alone gives."""
    import torch
    from torch import nn

    from nnfit.doctor.monitors.torch import TorchWatcher

    torch.manual_seed(0)
    X, y = torch.randn(10, 2), torch.randn(10, 1)
    keep = torch.tensor([True, False, True, True, False, True, True, True, True, False])
    model = nn.Linear(2, 1)
    watcher = TorchWatcher()
    watcher.hold_out_rows = lambda pred, target: keep
    watcher.start()
    try:
        loss = ((model(X) - y) ** 2).mean()
        loss.backward()
    finally:
        watcher.stop()
    got = [p.grad.clone() for p in model.parameters()]
    with torch.no_grad():
        assert float(loss) == pytest.approx(float(((model(X) - y) ** 2).mean()), rel=1e-6)
    model.zero_grad()
    ((model(X[keep]) - y[keep]) ** 2).mean().backward()
    for g, want in zip(got, model.parameters()):
        assert torch.allclose(g, want.grad, atol=1e-6)
    # the kept rows are what the record holds
    assert sum(len(a) for a in watcher._xs) == int(keep.sum())


def test_hand_written_loss_values_are_the_scripts_own(tmp_path):
    """doctor run on a hand-written loss: the first recorded loss is the loss over every row (the held-out
    rows are in it, detached), as the script computes it without the doctor."""
    import torch
    from torch import nn

    script = tmp_path / "by_hand.py"
    script.write_text(
        "import torch\nfrom torch import nn\n"
        "torch.manual_seed(3)\n"
        "X = torch.rand(200, 2)\ny = X[:, :1] * 3 - X[:, 1:]\n"
        "model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))\n"
        "opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "for step in range(50):\n"
        "    opt.zero_grad()\n"
        "    loss = ((model(X) - y) ** 2).mean()\n"
        "    loss.backward()\n"
        "    opt.step()\n")
    with contextlib.redirect_stdout(io.StringIO()):
        capture = run_script(str(script), seed=0)
    torch.manual_seed(3)
    X = torch.rand(200, 2)
    y = X[:, :1] * 3 - X[:, 1:]
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    with torch.no_grad():
        first = float(((model(X) - y) ** 2).mean())
    assert capture.run.history.batch_loss[0] == pytest.approx(first, rel=1e-6)
    assert capture.heldout and 0 < capture.heldout["n_test"] < 200
    assert capture.run.data.n_samples == 200 - capture.heldout["n_test"]
