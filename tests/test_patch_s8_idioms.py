"""Patches of scripts in more idioms people post: a PyTorch classifier whose sigmoid or softmax output is
trained by a regression loss (nn.MSELoss, F.mse_loss: NF126 now has torch edits for it), and a step
that hands the loss to its own backward() (`loss.backward(loss)`). The probe scripts under
tests/fixtures/patch_s8/ were written for these tests (each prints its held-out metric as its last
line); the slow tests diagnose a probe, build its patch and run the patched script as it is."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.patch import plan_patches  # noqa: E402
from tests.test_doctor_patch import capture_of, finding  # noqa: E402
from tests.test_patch_s6_idioms import added, removed  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "patch_s8"


def heldout(path: Path, metric: str = "accuracy") -> float:
    env = {**os.environ, "KERAS_BACKEND": "torch", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, str(path)], cwd=path.parent, capture_output=True, text=True,
                          timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.findall(rf"HELDOUT {metric}=(-?[0-9.]+)", done.stdout)
    assert found, done.stdout[-500:]
    return float(found[-1])


def nf126(loss: str, act: str, task: str, squash: str | None = None, units: int = 1):
    return finding("NF126", loss=loss, output_activation=act, loss_input_activation=squash,
                   output_units=units, task=task)


# -- NF126 on torch: a regression loss on probabilities ------------------------------------------------
SIGMOID_MSE = textwrap.dedent("""
    import torch
    from torch import nn

    torch.manual_seed(0)
    X = torch.randn(64, 2)
    y = (X[:, :1] > 0).float()
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1), nn.Sigmoid())
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    crit = nn.MSELoss(reduction="sum")
    for epoch in range(5):
        opt.zero_grad()
        crit(model(X), y).backward()
        opt.step()
""")


def test_mse_on_a_sigmoid_output_becomes_binary_cross_entropy_on_the_same_probabilities(tmp_path):
    path, cap = capture_of(tmp_path, "sig.py", SIGMOID_MSE, max_updates=5)
    plan = plan_patches(SIGMOID_MSE, str(path), cap, [nf126("MSELoss", "sigmoid", "binary", "sigmoid")])
    assert plan.combined is not None, plan.skipped
    diff = plan.combined.diff()
    # the loss's own arguments (reduction) kept; the Sigmoid stays, so `> 0.5` readings still hold
    assert removed(diff) == ['crit = nn.MSELoss(reduction="sum")']
    assert added(diff) == ['crit = nn.BCELoss(reduction="sum")']


def test_a_functional_l1_loss_on_a_sigmoid_becomes_functional_binary_cross_entropy(tmp_path):
    text = SIGMOID_MSE.replace('crit = nn.MSELoss(reduction="sum")\n', "") \
        .replace("crit(model(X), y).backward()", "torch.nn.functional.l1_loss(model(X), y).backward()")
    path, cap = capture_of(tmp_path, "l1.py", text, max_updates=5)
    plan = plan_patches(text, str(path), cap, [nf126("l1_loss", "sigmoid", "binary", "sigmoid")])
    assert plan.combined is not None, plan.skipped
    assert added(plan.combined.diff()) == ["torch.nn.functional.binary_cross_entropy(model(X), y).backward()"]


def test_a_loss_imported_by_its_bare_name_is_replaced_with_its_import(tmp_path):
    text = SIGMOID_MSE.replace("from torch import nn\n", "from torch import nn\nfrom torch.nn import MSELoss\n") \
        .replace('nn.MSELoss(reduction="sum")', "MSELoss()")
    path, cap = capture_of(tmp_path, "bare.py", text, max_updates=5)
    plan = plan_patches(text, str(path), cap, [nf126("MSELoss", "sigmoid", "binary", "sigmoid")])
    assert plan.combined is not None, plan.skipped
    assert sorted(added(plan.combined.diff())) == ["crit = BCELoss()", "from torch.nn import BCELoss"]
    space: dict = {}
    exec(compile(plan.combined.source.replace("range(5)", "range(1)"), "patched", "exec"), space)
    assert type(space["crit"]).__name__ == "BCELoss"


def test_a_regression_loss_on_a_regression_is_not_touched_by_nf126s_torch_edit(tmp_path):
    # the same script read as a regression (NF107's business, not NF126's): no loss swap
    path, cap = capture_of(tmp_path, "reg.py", SIGMOID_MSE, max_updates=5)
    plan = plan_patches(SIGMOID_MSE, str(path), cap, [nf126("MSELoss", "sigmoid", "regression", "sigmoid")])
    assert plan.combined is None and any("NF126" in s for s in plan.skipped)


SOFTMAX_MSE_SQUASHED = textwrap.dedent("""
    import torch
    from torch import nn

    torch.manual_seed(0)
    X = torch.randn(60, 2)
    Y = nn.functional.one_hot(torch.randint(0, 3, (60,)), 3).float()
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.MSELoss()
    for epoch in range(5):
        opt.zero_grad()
        loss = loss_fn(torch.softmax(model(X), dim=1), Y)
        loss.backward()
        opt.step()
""")


def test_mse_on_softmaxed_scores_becomes_cross_entropy_on_the_raw_scores(tmp_path):
    path, cap = capture_of(tmp_path, "sm.py", SOFTMAX_MSE_SQUASHED, max_updates=5)
    plan = plan_patches(SOFTMAX_MSE_SQUASHED, str(path), cap,
                        [nf126("MSELoss", "linear", "multiclass", "softmax", units=3)])
    assert plan.combined is not None, plan.skipped
    assert sorted(added(plan.combined.diff())) == ["loss = loss_fn(model(X), Y)", "loss_fn = nn.CrossEntropyLoss()"]


def test_mse_on_a_softmax_module_drops_the_module_and_uses_cross_entropy(tmp_path):
    text = SOFTMAX_MSE_SQUASHED.replace("nn.Linear(8, 3))", "nn.Linear(8, 3), nn.Softmax(dim=1))") \
        .replace("loss_fn(torch.softmax(model(X), dim=1), Y)", "loss_fn(model(X), Y)")
    path, cap = capture_of(tmp_path, "smm.py", text, max_updates=5)
    plan = plan_patches(text, str(path), cap, [nf126("MSELoss", "softmax", "multiclass", "softmax", units=3)])
    assert plan.combined is not None, plan.skipped
    plus = added(plan.combined.diff())
    assert "model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3))" in plus
    assert "loss_fn = nn.CrossEntropyLoss()" in plus


BCE_ON_SOFTMAX = textwrap.dedent("""
    import torch
    from torch import nn

    torch.manual_seed(0)
    X = torch.randn(60, 2)
    y = (X[:, :1] > 0).float()
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1), nn.Softmax(dim=1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.BCELoss()
    for epoch in range(5):
        opt.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        opt.step()
""")


def test_bce_on_a_one_unit_softmax_gets_a_sigmoid_and_on_several_units_cross_entropy(tmp_path):
    path, cap = capture_of(tmp_path, "bsm.py", BCE_ON_SOFTMAX, max_updates=5)
    plan = plan_patches(BCE_ON_SOFTMAX, str(path), cap, [nf126("BCELoss", "softmax", "binary", units=1)])
    assert plan.combined is not None, plan.skipped
    assert added(plan.combined.diff()) == ["model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1), nn.Sigmoid())"]
    three = BCE_ON_SOFTMAX.replace("nn.Linear(8, 1)", "nn.Linear(8, 3)") \
        .replace("y = (X[:, :1] > 0).float()", "y = nn.functional.one_hot(torch.randint(0, 3, (60,)), 3).float()")
    path, cap = capture_of(tmp_path, "bsm3.py", three, max_updates=5)
    plan = plan_patches(three, str(path), cap, [nf126("BCELoss", "softmax", "multiclass", units=3)])
    assert plan.combined is not None, plan.skipped
    assert sorted(added(plan.combined.diff())) == ["loss_fn = nn.CrossEntropyLoss()",
                                                   "model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3))"]
    # multi-label flags under a softmax are NF130's (independent sigmoids), not this edit's
    plan = plan_patches(three, str(path), cap, [nf126("BCELoss", "softmax", "multilabel", units=3)])
    assert plan.combined is None


# -- scaling with a torch SGD optimiser whose rate was set for the raw data -----------------------------
RAW_TARGETS_SLOW_SGD = textwrap.dedent("""
    import torch
    from torch import nn

    torch.manual_seed(0)
    x = torch.rand(40, 1)
    y = 300 * x + 50
    model = nn.Sequential(nn.Linear(1, 8), nn.Sigmoid(), nn.Linear(8, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-4)
    for epoch in range(5):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        pred = model(x)
""")


def test_a_torch_sgd_rate_far_below_the_usual_one_is_raised_when_the_targets_are_scaled(tmp_path):
    path, cap = capture_of(tmp_path, "raw_y.py", RAW_TARGETS_SLOW_SGD, max_updates=5)
    plan = plan_patches(RAW_TARGETS_SLOW_SGD, str(path), cap, [finding("NF106", transform="standardise")])
    assert plan.combined is not None, plan.skipped
    plus = added(plan.combined.diff())
    assert "optimizer = torch.optim.SGD(model.parameters(), lr=0.01)" in plus
    assert "pred = y_scaler.unscale(model(x))" in plus
    # a rate within a decade of the usual one, or an adaptive optimiser: the script's rate is kept
    for text in (RAW_TARGETS_SLOW_SGD.replace("lr=1e-4", "lr=0.002"),
                 RAW_TARGETS_SLOW_SGD.replace("torch.optim.SGD", "torch.optim.Adam")):
        path, cap = capture_of(tmp_path, "kept.py", text, max_updates=5)
        plan = plan_patches(text, str(path), cap, [finding("NF106", transform="standardise")])
        assert plan.combined is not None, plan.skipped
        assert not any("optimizer =" in line for line in added(plan.combined.diff()))


# -- loss.backward(loss) -------------------------------------------------------------------------------
BACKWARD_OF_LOSS = textwrap.dedent("""
    import torch
    from torch import nn

    torch.manual_seed(0)
    x = torch.randn(32, 1)
    y = 2 * x
    out = torch.zeros(32, 1)
    net = nn.Linear(1, 1)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    for step in range(5):
        opt.zero_grad()
        loss = ((net(x) - y) ** 2).mean()
        loss.backward(loss, retain_graph=True)
        net(x).backward(torch.ones_like(out))
        opt.step()
""")


def backward_finding(expression: str = "loss.backward(loss, retain_graph=True)"):
    # as rules/wrong_update_rule.py reports the static reader's `loss.backward(loss)` (static/interp.py)
    return finding("NF116", parameter="every parameter", expression=expression, cosine=None)


def test_the_loss_handed_to_its_own_backward_is_dropped_and_other_gradients_are_kept(tmp_path):
    path, cap = capture_of(tmp_path, "bw.py", BACKWARD_OF_LOSS, max_updates=5)
    plan = plan_patches(BACKWARD_OF_LOSS, str(path), cap, [backward_finding()])
    assert plan.combined is not None, plan.skipped
    diff = plan.combined.diff()
    # `retain_graph` kept; a real output gradient (`torch.ones_like(out)`) is not the loss: kept
    assert removed(diff) == ["loss.backward(loss, retain_graph=True)"]
    assert added(diff) == ["loss.backward(retain_graph=True)"]
    keyword = BACKWARD_OF_LOSS.replace("loss.backward(loss, retain_graph=True)", "loss.backward(gradient = loss)")
    plan = plan_patches(keyword, str(path), cap, [backward_finding("loss.backward(gradient = loss)")])
    assert added(plan.combined.diff()) == ["loss.backward()"]
    # a watched run's finding (rules/gradient_scaled_by_loss.py: evidence "call"), on a detached copy
    detached = BACKWARD_OF_LOSS.replace("loss.backward(loss, retain_graph=True)", "loss.backward(loss.detach())")
    run_finding = finding("NF116", call="loss.backward(loss)", scale_first_step=4.0, scale_last_step=1.0)
    plan = plan_patches(detached, str(path), cap, [run_finding])
    assert added(plan.combined.diff()) == ["loss.backward()"]
    # nothing of the kind in the script: the finding stays unpatched, with the reason
    clean = BACKWARD_OF_LOSS.replace("loss.backward(loss, retain_graph=True)", "loss.backward()")
    plan = plan_patches(clean, str(path), cap, [backward_finding()])
    assert plan.combined is None and any("backward()" in s for s in plan.skipped)
    # the gradient-reset NF116 (no `.backward(` expression) still goes to its own edit
    plan = plan_patches(BACKWARD_OF_LOSS, str(path), cap, [finding("NF116", parameter="w", expression="w = w - lr * w")])
    assert plan.combined is None and any("hand-written update rule" in s for s in plan.skipped)


@pytest.mark.slow
def test_a_step_scaled_by_its_own_loss_trains_at_full_size_once_patched(tmp_path):
    name = "t_backward_of_loss.py"
    original = tmp_path / name
    original.write_text((FIXTURES / name).read_text())
    path, cap = capture_of(tmp_path, name, original.read_text())
    from tests.test_patch_s6_idioms import diagnose

    cap, findings = diagnose(path)
    found = [f for f in findings if f.code == "NF116"] or [backward_finding("loss.backward(loss)")]
    plan = plan_patches(original.read_text(), str(path), cap, found)
    assert plan.combined is not None, plan.skipped
    assert added(plan.combined.diff()) == ["loss.backward()"]
    out = tmp_path / "patched.py"
    out.write_text(plan.combined.source)
    before, after = heldout(original, "r2"), heldout(out, "r2")
    assert after > before and after > 0.995, (before, after)


# -- the probes, end to end ---------------------------------------------------------------------------
def diagnosed(tmp_path: Path, name: str):
    from tests.test_patch_s6_idioms import diagnose

    original = tmp_path / name
    original.write_text((FIXTURES / name).read_text())
    cap, findings = diagnose(original)
    plan = plan_patches(original.read_text(), str(original), cap, findings)
    return original, plan, findings


@pytest.mark.slow
def test_a_sigmoid_classifier_trained_by_mse_is_trained_by_binary_cross_entropy(tmp_path):
    original, plan, findings = diagnosed(tmp_path, "t_mse_on_sigmoid.py")
    single = next((p for p in plan.singles if p.codes == ["NF126"]), None)
    assert single is not None, (sorted(f.code for f in findings), plan.skipped)
    assert added(single.diff()) == ["loss_fn = nn.BCELoss()"]
    out = tmp_path / "patched.py"
    out.write_text(single.source)
    before, after = heldout(original), heldout(out)
    assert after > before + 0.1 and after > 0.85, (before, after)


@pytest.mark.slow
def test_a_softmax_in_forward_trained_by_functional_mse_is_trained_by_cross_entropy(tmp_path):
    original, plan, findings = diagnosed(tmp_path, "t_mse_on_softmax.py")
    single = next((p for p in plan.singles if p.codes == ["NF126"]), None)
    assert single is not None, (sorted(f.code for f in findings), plan.skipped)
    plus = added(single.diff())
    assert "return self.fc2(h)" in plus and "loss = F.cross_entropy(model(X), Y)" in plus
    out = tmp_path / "patched.py"
    out.write_text(single.source)
    before, after = heldout(original), heldout(out)
    assert after > before + 0.05 and after > 0.9, (before, after)
