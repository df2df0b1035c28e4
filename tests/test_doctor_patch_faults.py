"""Patches for faults that stop a script or corrupt every step: gradients never reset (NF116, an
optimiser loop and a hand-written update), float64 data into float32 layers and float labels for a
class-index loss (NF132), a data width the first layer does not take (NF133, torch and Keras). Each
script is written for these tests; the findings are the doctor's own, and each patched script is run
again to show the fault is gone."""
from __future__ import annotations

import contextlib
import io
import os
import textwrap
import warnings

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.patch import plan_patches  # noqa: E402
from nnfit.doctor.report import Report  # noqa: E402
from tests.test_doctor_patch import added, capture_of, removed  # noqa: E402


def diagnosed(tmp_path, name, text):
    path, cap = capture_of(tmp_path, name, text)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        report = Report.from_run(cap.run, cap, cap.notes)
    return path, cap, report


def plan_for(tmp_path, name, text, code):
    path, cap, report = diagnosed(tmp_path, name, text)
    assert code in report.codes
    plan = plan_patches(text, str(path), cap, report.findings)
    assert plan.combined is not None and code in plan.combined.codes, plan.skipped
    return plan


ACCUMULATING = textwrap.dedent("""
    import torch

    torch.manual_seed(0)
    x = torch.linspace(-1, 1, 64).unsqueeze(1)
    y = torch.sin(3 * x)
    net = torch.nn.Sequential(torch.nn.Linear(1, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    optimizer = torch.optim.SGD(net.parameters(), lr=0.05)
    criterion = torch.nn.MSELoss()
    for epoch in range(60):
        out = net(x)
        loss = criterion(out, y)
        loss.backward()   # adds into .grad
        optimizer.step()
""")


def test_gradients_never_reset_get_zero_grad_before_the_backward_pass(tmp_path):
    plan = plan_for(tmp_path, "accum.py", ACCUMULATING, "NF116")
    single = next(p for p in plan.singles if p.codes == ["NF116"])
    assert added(single.diff()) == ["optimizer.zero_grad()"]
    lines = single.source.splitlines()
    at = lines.index("    optimizer.zero_grad()")
    assert lines[at + 1].strip().startswith("loss.backward()")      # right before it, in the loop
    assert "# adds into .grad" in single.source                     # the comment kept
    _, cap = capture_of(tmp_path, "fixed.py", single.source)
    assert cap.run.gradients.reset_steps and not cap.run.gradients.accumulated_steps


MANUAL = textwrap.dedent("""
    import torch

    x = torch.linspace(-1, 1, 50).unsqueeze(1)
    y = 2 * x + 1
    w = torch.zeros(1, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for epoch in range(80):
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= 0.1 * w.grad
            b -= 0.1 * b.grad
    print(float(loss))
""")


def test_a_hand_written_update_zeroes_each_gradient_after_it(tmp_path):
    plan = plan_for(tmp_path, "manual.py", MANUAL, "NF116")
    # (the all-fixes patch may also raise the loop's count: hand-written updates are steps too)
    single = next(p for p in plan.singles if p.codes == ["NF116"])
    assert added(single.diff()) == ["w.grad.zero_()", "b.grad.zero_()"]
    assert "        w -= 0.1 * w.grad\n        w.grad.zero_()\n" in plan.combined.source
    _, cap = capture_of(tmp_path, "fixed.py", single.source)
    assert cap.run.gradients.reset_steps and not cap.run.gradients.accumulated_steps


FLOAT64 = textwrap.dedent("""
    import numpy as np
    import torch

    x = np.linspace(-1, 1, 80).reshape(-1, 1)
    X = torch.from_numpy(x)            # float64, like every NumPy array
    Y = torch.from_numpy(np.sin(3 * x))
    labels = torch.from_numpy(np.arange(80) % 2)   # integers: must stay integers
    net = torch.nn.Sequential(torch.nn.Linear(1, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    for epoch in range(30):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(net(X), Y)
        loss.backward()
        opt.step()
""")


def test_float64_data_are_cast_to_the_layers_type_where_they_are_made(tmp_path):
    path, cap, report = diagnosed(tmp_path, "f64.py", FLOAT64)
    assert cap.run.script_error is not None and "NF132" in report.codes
    plan = plan_patches(FLOAT64, str(path), cap, report.findings)
    assert plan.combined is not None and plan.combined.codes == ["NF132"], plan.skipped
    lines = added(plan.combined.diff())
    assert "X = as_float32(torch.from_numpy(x))            # float64, like every NumPy array" in lines
    assert "Y = as_float32(torch.from_numpy(np.sin(3 * x)))" in lines
    assert "def as_float32(data):" in lines
    _, fixed = capture_of(tmp_path, "fixed.py", plan.combined.source)
    assert fixed.run.script_error is None and fixed.updates_run >= 30
    # the helper leaves integer tensors alone (class labels, token ids)
    scope: dict = {}
    exec(plan.combined.source.split("x = np.linspace")[0], scope)   # noqa: S102 - the imports and the helper
    import torch

    assert scope["as_float32"](torch.arange(3)).dtype == torch.int64
    assert scope["as_float32"](torch.zeros(2, dtype=torch.float64)).dtype == torch.float32


FLOAT_LABELS = textwrap.dedent("""
    import torch

    torch.manual_seed(0)
    x = torch.randn(120, 2)
    y = (x[:, 0] > x[:, 1]).float()                 # float labels
    net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    criterion = torch.nn.CrossEntropyLoss()
    for epoch in range(40):
        opt.zero_grad()
        loss = criterion(net(x), y)
        loss.backward()
        opt.step()
""")


def test_float_labels_of_a_class_index_loss_are_passed_as_integers(tmp_path):
    plan = plan_for(tmp_path, "labels.py", FLOAT_LABELS, "NF132")
    assert added(plan.combined.diff()) == ["loss = criterion(net(x), y.long())"]
    _, fixed = capture_of(tmp_path, "fixed.py", plan.combined.source)
    assert fixed.run.script_error is None and fixed.updates_run >= 40


TORCH_WIDTH = textwrap.dedent("""
    import torch

    torch.manual_seed(0)
    x = torch.rand(100, 3)
    y = x.sum(1, keepdim=True)
    net = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    for epoch in range(30):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(net(x), y)
        loss.backward()
        opt.step()
""")


def test_the_first_linear_takes_the_datas_width(tmp_path):
    plan = plan_for(tmp_path, "width.py", TORCH_WIDTH, "NF133")
    assert removed(plan.combined.diff()) == [
        "net = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))"]
    assert added(plan.combined.diff()) == [
        "net = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))"]
    _, fixed = capture_of(tmp_path, "fixed.py", plan.combined.source)
    assert fixed.run.script_error is None and fixed.updates_run >= 30


def test_a_mismatch_between_two_later_layers_is_not_patched_as_the_datas_width(tmp_path):
    inner = TORCH_WIDTH.replace("torch.rand(100, 3)", "torch.rand(100, 2)").replace(
        "torch.nn.Linear(16, 1)", "torch.nn.Linear(12, 1)")
    path, cap, report = diagnosed(tmp_path, "inner.py", inner)
    assert "NF133" in report.codes
    plan = plan_patches(inner, str(path), cap, report.findings)
    assert plan.combined is None
    assert any(s.startswith("NF133") and "takes 2 inputs, not the 12" in s for s in plan.skipped)


KERAS_WIDTH = textwrap.dedent("""
    import numpy as np
    import keras

    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(120, 3))
    y = x.sum(1)
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
""")


def test_the_keras_input_takes_the_datas_width(tmp_path):
    plan = plan_for(tmp_path, "kwidth.py", KERAS_WIDTH, "NF133")
    assert [line for line in added(plan.combined.diff()) if "keras.Input" in line] == [
        'model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])']
    _, fixed = capture_of(tmp_path, "fixed.py", plan.combined.source)
    assert fixed.run.script_error is None and fixed.updates_run > 0


RELU_LOGITS = textwrap.dedent("""
    import torch

    torch.manual_seed(0)
    x = torch.randn(90, 2)
    y = torch.randint(0, 3, (90,))
    net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3), torch.nn.ReLU())
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    for epoch in range(5):
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
""")


def test_a_relu_on_the_logits_of_a_logit_loss_is_removed(tmp_path):
    from tests.test_doctor_patch import finding

    path, cap = capture_of(tmp_path, "relu.py", RELU_LOGITS)
    f = finding("NF130", layer=cap.run.layers[-1].name, fix="remove the final relu: end with the Linear layer",
                output_activation="relu", output_units=3, classes=3, task="multiclass")
    plan = plan_patches(RELU_LOGITS, str(path), cap, [f])
    assert plan.combined is not None, plan.skipped
    assert added(plan.combined.diff()) == [
        "net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))"]


NO_BACKWARD = textwrap.dedent("""
    import torch

    torch.manual_seed(0)
    x = torch.rand(80, 2)
    y = x.sum(1, keepdim=True)
    net = torch.nn.Linear(2, 1)
    criterion = torch.nn.MSELoss()
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    for epoch in range(40):
        pred = net(x)
        loss = criterion(pred, y)
        optimizer.zero_grad()
        optimizer.step()            # nothing computed a gradient
""")


def test_a_step_without_a_backward_pass_gets_one(tmp_path):
    plan = plan_for(tmp_path, "nobackward.py", NO_BACKWARD, "NF109")
    assert added(plan.combined.diff()) == ["loss.backward()"]
    lines = plan.combined.source.splitlines()
    at = lines.index("    loss.backward()")
    assert lines[at - 1].strip() == "optimizer.zero_grad()" and lines[at + 1].strip().startswith("optimizer.step()")
    _, fixed = capture_of(tmp_path, "fixed.py", plan.combined.source)
    assert fixed.run.history.steps_with_gradient
