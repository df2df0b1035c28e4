"""Patches of scripts in more idioms people post: a pass count in a `while epoch < n_epochs` loop,
integer data that crash the first forward pass (no model recorded), an adaptive optimiser's rate set
far too low in a variable, Keras imported from TensorFlow. The probe scripts under
tests/fixtures/patch_s7/ were written for these tests (each prints its held-out metric); the slow
tests diagnose a probe, build its all-fixes patch and run the patched script as it is."""
from __future__ import annotations

import os
import textwrap
import types

import libcst as cst
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.patch import plan_patches  # noqa: E402
from nnfit.doctor.patch.core import Context  # noqa: E402
from nnfit.doctor.patch.data import _integer_sides  # noqa: E402
from nnfit.doctor.patch.handwritten import literal_value  # noqa: E402
from nnfit.doctor.patch.scaling import SCALER_CLASS  # noqa: E402
from nnfit.doctor.patch.training import _while_loop  # noqa: E402
from tests.test_patch_s6_idioms import added, heldout, removed  # noqa: E402

from pathlib import Path  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "patch_s7"


def context(text: str, framework: str = "torch", model_name: str | None = None, data=None, optimizer=None) -> Context:
    run = types.SimpleNamespace(layers=[], config=types.SimpleNamespace(optimizer=optimizer, epochs=None),
                                data=data, task="regression")
    return Context(textwrap.dedent(text), "probe.py",
                   types.SimpleNamespace(run=run, framework=framework, model_name=model_name))


# -- the readers alone (no training) -----------------------------------------------------------------
def test_a_while_loop_counting_passes_gives_its_count_and_the_literal_that_sets_it():
    ctx = context("""
        import torch
        net = torch.nn.Linear(1, 1)
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        n_epochs = 5
        epoch = 0
        while epoch < n_epochs:
            opt.zero_grad()
            net(torch.ones(1, 1)).sum().backward()
            opt.step()
            epoch += 1
    """)
    loop = _while_loop(ctx)
    assert loop is not None
    node, count, literal, offset = loop
    assert isinstance(node, cst.While) and count == 5 and literal_value(literal) == 5 and offset == 0
    # `<=` from 1: nine passes, written as 9
    ctx = context("""
        import torch
        net = torch.nn.Linear(1, 1)
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        i = 1
        while i <= 9:
            opt.step()
            i += 1
    """)
    _, count, literal, offset = _while_loop(ctx)
    assert (count, literal_value(literal), offset) == (9, 9, 0)


def test_a_while_loop_that_is_no_pass_count_is_not_read_as_one():
    # stopped by the loss, not a counter raised by one: not a pass count
    ctx = context("""
        import torch
        net = torch.nn.Linear(1, 1)
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        loss = 1.0
        while loss > 0.01:
            opt.step()
            loss = loss / 2
    """)
    assert _while_loop(ctx) is None


@pytest.mark.parametrize("imports, name", [
    ("import keras\n", "keras"),
    ("from tensorflow import keras\n", "keras"),
    ("import tensorflow as tf\n", "tf.keras"),
    ("import tensorflow.keras as K\n", "K"),
    ("import tensorflow as tf\nfrom tensorflow import keras\n", "keras"),
    ("from keras.layers import Dense\n", None),
])
def test_the_name_a_script_binds_to_keras_is_the_one_the_patch_writes(imports, name):
    assert context(imports + "x = 1\n", framework="keras").keras_module() == name


def test_a_crashed_run_names_the_model_by_the_parameters_handed_to_the_optimiser():
    text = textwrap.dedent("""
        import torch
        from torch import nn
        model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
    """)
    assert context(text).model_name() == "model"
    assert context(text, model_name="net").model_name() == "net"      # the recorded one first
    # two candidates: no guess
    assert context(text + "other = nn.Linear(1, 1)\nopt2 = torch.optim.SGD(other.parameters(), lr=0.1)\n").model_name() is None
    keras_text = "import keras\nm = keras.Sequential([keras.layers.Dense(1)])\nm.fit([[0.0]], [0.0])\n"
    assert context(keras_text, framework="keras").model_name() == "m"


def test_integer_data_named_by_a_crash_are_read_from_the_recorded_columns():
    from nnfit.doctor.findings import Finding, Location

    column = types.SimpleNamespace(is_integer=True)
    data = types.SimpleNamespace(input_dtype="int64", target_dtype=None, inputs=[column, column], targets=[column])
    crash = Finding(code="NF128", message="", fix="", location=Location(),
                    evidence={"exception": "RuntimeError", "message": "mat1 and mat2 must have the same dtype"})
    ctx = context("x = 1\n", data=data)
    assert _integer_sides(ctx, crash) == (True, True)
    # a dtype the rule measured wins: float targets are not cast
    measured = Finding(code="NF128", message="", fix="", location=Location(), evidence={"input_dtype": "int64"})
    assert _integer_sides(ctx, measured) == (True, False)
    real = types.SimpleNamespace(is_integer=False)
    ctx = context("x = 1\n", data=types.SimpleNamespace(input_dtype=None, target_dtype=None, inputs=[real], targets=[real]))
    assert _integer_sides(ctx, crash) == (False, False)


def test_the_added_scaler_standardises_integer_tensors_and_arrays():
    import numpy as np
    import torch

    space: dict = {}
    exec(SCALER_CLASS, space)
    scaler = space["Scaler"](torch.arange(10).reshape(-1, 1))
    out = scaler.scale(torch.arange(10).reshape(-1, 1))
    assert out.is_floating_point() and abs(float(out.mean())) < 1e-6
    back = scaler.unscale(out)
    assert torch.allclose(back, torch.arange(10.0).reshape(-1, 1), atol=1e-5)
    arr = space["Scaler"](np.arange(10).reshape(-1, 1))
    assert abs(float(arr.scale(np.arange(10).reshape(-1, 1)).mean())) < 1e-9


ADAM_LOW = textwrap.dedent("""
    import torch
    from torch import nn

    torch.manual_seed(0)
    learning_rate = 1e-6
    X = torch.linspace(-1, 1, 64).unsqueeze(1)
    y = X ** 2
    model = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    for t in range(20):
        optimizer.zero_grad()
        nn.functional.mse_loss(model(X), y).backward()
        optimizer.step()
""")


def test_an_adaptive_optimisers_rate_far_too_low_is_raised_to_its_usual_one(tmp_path):
    """NF104 on Adam at 1e-6: the family's usual 1e-3 (its steps have the rate's size whatever the data's
    scale), not one decade (1e-5, still a hundred times too slow); the decade is an alternative."""
    from tests.test_doctor_patch import capture_of, finding

    path, cap = capture_of(tmp_path, "low.py", ADAM_LOW, max_updates=20)
    plan = plan_patches(ADAM_LOW, str(path), cap, [finding("NF104")])
    assert plan.combined is not None, plan.skipped
    assert added(plan.combined.diff()) == ["optimizer = torch.optim.Adam(model.parameters(), lr=0.001)"]
    assert any("optimizer = torch.optim.Adam(model.parameters(), lr=1e-05)" in added(a.diff()) for a in plan.alternatives)
    # plain SGD: the usual 1e-2 on data no rule finds unscaled; beside NF105 / NF106 the one-decade step
    # (a low rate can be what keeps unscaled data stable)
    from nnfit.doctor.patch.training import _new_lr

    sgd = ADAM_LOW.replace("torch.optim.Adam", "torch.optim.SGD")
    path, cap = capture_of(tmp_path, "low_sgd.py", sgd, max_updates=20)
    plan = plan_patches(sgd, str(path), cap, [finding("NF104")])
    assert added(plan.combined.diff()) == ["optimizer = torch.optim.SGD(model.parameters(), lr=0.01)"]
    ctx = Context(sgd, str(path), cap)
    ctx.findings = [finding("NF104"), finding("NF105", transform="standardise")]
    assert _new_lr(ctx, "NF104") == 1e-5


# -- the probes, end to end ---------------------------------------------------------------------------
def patched(tmp_path: Path, name: str):
    from tests.test_patch_s6_idioms import diagnose

    original = tmp_path / name
    original.write_text((FIXTURES / name).read_text())
    cap, findings = diagnose(original)
    plan = plan_patches(original.read_text(), str(original), cap, findings)
    assert plan.combined is not None, (sorted(f.code for f in findings), plan.skipped)
    out = tmp_path / ("patched_" + name)
    out.write_text(plan.combined.source)
    return original, out, plan


@pytest.mark.slow
def test_a_while_loops_pass_count_is_raised_where_it_is_set(tmp_path):
    original, out, plan = patched(tmp_path, "t_while_epochs.py")
    assert "NF102" in plan.combined.codes
    diff = plan.combined.diff()
    assert removed(diff) == ["n_epochs = 5"] and added(diff)[0].startswith("n_epochs = ")
    before, after = heldout(original), heldout(out)
    assert after > before and after > 0.99, (before, after)


@pytest.mark.slow
def test_integer_tensors_that_crash_the_first_layer_are_cast_and_the_script_runs(tmp_path):
    original, out, plan = patched(tmp_path, "t_integer_data.py")
    assert "NF128" in plan.combined.codes
    plus = added(plan.combined.diff())
    assert "X = as_float(X)" in plus and "y = as_float(y)" in plus
    assert heldout(out) > 0.99


@pytest.mark.slow
def test_an_adam_rate_in_a_variable_far_too_low_reaches_a_good_fit(tmp_path):
    original, out, plan = patched(tmp_path, "t_lr_variable_low.py")
    assert "NF104" in plan.combined.codes
    before, after = heldout(original), heldout(out)
    assert after > before and after > 0.95, (before, after)


RAW_OPTIMISED = textwrap.dedent("""
    import numpy as np
    import torch

    rng = np.random.default_rng(0)
    x_all = rng.uniform(25, 70, 100)
    y_all = 1.3 * x_all + 8
    train, test = np.arange(80), np.arange(80, 100)
    x = torch.from_numpy(x_all[train])
    y = torch.from_numpy(y_all[train])
    W = torch.tensor([0.3], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([-0.3], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([W, b], lr=0.01)
    for step in range(5):
        loss = torch.sum((W * x + b - y) ** 2)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        predicted = (W * torch.from_numpy(x_all[test]) + b).numpy()
""")


def test_raw_tensors_handed_to_an_optimiser_are_scaled_and_an_index_is_left_alone(tmp_path):
    """`optim.SGD([W, b])` over raw tensors (no model): NF105 / NF106 scale the loop's data as for
    hand-written updates; the prediction's array is scaled, its row index (`test`) is not."""
    from tests.test_doctor_patch import capture_of, finding

    path, cap = capture_of(tmp_path, "raw.py", RAW_OPTIMISED, max_updates=5)
    plan = plan_patches(RAW_OPTIMISED, str(path), cap, [finding("NF105", transform="standardise"),
                                                        finding("NF106", transform="standardise")])
    assert plan.combined is not None, plan.skipped
    plus = added(plan.combined.diff())
    assert "loss = torch.sum((W * x_scaled + b - y_scaled) ** 2)" in plus
    assert "predicted = y_scaler.unscale((W * torch.from_numpy(x_scaler.scale(x_all)[test]) + b).numpy())" in plus
