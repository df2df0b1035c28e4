"""A loss cut from the network's graph and made to require a gradient by hand (`loss.requires_grad =
True`, `torch.tensor(value, requires_grad=True)`, `Variable(..., requires_grad=True)`): NF109 from
lint, and the same words on a watched run whose steps found no gradient. Leaf weights that require a
gradient (a hand-written model) are no such finding."""
from __future__ import annotations

import os
import textwrap

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.lint import lint_source  # noqa: E402
from nnfit.doctor.report import Report  # noqa: E402
from tests.test_doctor_patch import capture_of  # noqa: E402

_LOOP = textwrap.dedent("""
    import numpy as np
    import torch
    from torch import nn
    from torch.autograd import Variable

    torch.manual_seed(0)
    X = torch.rand(300, 2)
    y = X.sum(1, keepdim=True)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(200):
        opt.zero_grad()
        out = model(X)
        LOSS
        loss.backward()
        opt.step()
""")

def loop(loss: str) -> str:
    """The training loop with `loss` (statements at column 0) as the loss computation of each step."""
    return _LOOP.replace("    LOSS\n", textwrap.indent(loss, "    ") + "\n")


CUT = {
    "flag": "loss = torch.mean((out.detach() - y) ** 2)\nloss.requires_grad = True",
    "method": "loss = torch.mean((out.detach() - y) ** 2)\nloss.requires_grad_()",
    "tensor": "loss = torch.tensor(np.mean((out.detach().numpy() - y.numpy()) ** 2), requires_grad=True)",
    "variable": "loss = Variable(torch.mean((out.detach() - y) ** 2), requires_grad=True)",
}


def _nf109(text):
    return [f for f in lint_source(text, "train.py") if f.code == "NF109"]


def test_each_way_of_making_a_cut_loss_require_a_gradient_is_named():
    for how, loss in CUT.items():
        found = _nf109(loop(loss))
        assert found, how
        assert "requires_grad" in found[0].message and "reaches no weight" in found[0].message, how


def test_a_loss_from_the_network_and_hand_made_leaf_weights_are_no_cut_loss():
    assert not _nf109(loop("loss = torch.mean((out - y) ** 2)"))
    by_hand = textwrap.dedent("""
        import torch
        X = torch.rand(200, 1)
        y = 3 * X + 1
        w = torch.randn(1, requires_grad=True)
        b = torch.tensor([0.0], requires_grad=True)
        for step in range(500):
            loss = ((X * w + b - y) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                w -= 0.1 * w.grad
                b -= 0.1 * b.grad
                w.grad.zero_()
                b.grad.zero_()
    """)
    assert not _nf109(by_hand)


def test_a_watched_run_says_the_loss_was_cut(tmp_path):
    text = loop(CUT["flag"])
    _, cap = capture_of(tmp_path, "cut.py", text, max_updates=30)
    found = [f for f in Report.from_run(cap.run, cap).findings if f.code == "NF109"]
    assert found and "loss.requires_grad = True" in found[0].message, [f.code for f in Report.from_run(cap.run, cap).findings]


def test_the_patch_drops_the_flag_and_the_detach_and_leaves_a_numpy_loss_alone(tmp_path):
    from nnfit.doctor.patch import plan_patches
    from tests.test_doctor_patch import added, removed

    text = loop(CUT["flag"])
    path, cap = capture_of(tmp_path, "cut.py", text, max_updates=30)
    nf109 = [f for f in Report.from_run(cap.run, cap).findings if f.code == "NF109"]
    plan = plan_patches(text, str(path), cap, nf109)
    single = [p for p in plan.singles if p.codes == ["NF109"]]
    assert single, plan.skipped
    diff = single[0].diff()
    assert removed(diff) == ["loss = torch.mean((out.detach() - y) ** 2)", "loss.requires_grad = True"]
    assert added(diff) == ["loss = torch.mean((out - y) ** 2)"]

    text = loop(CUT["tensor"])
    path, cap = capture_of(tmp_path, "numpy_loss.py", text, max_updates=30)
    nf109 = [f for f in Report.from_run(cap.run, cap).findings if f.code == "NF109"]
    assert nf109 and "cut_line" in nf109[0].evidence
    plan = plan_patches(text, str(path), cap, nf109)
    assert not [p for p in plan.singles if p.codes == ["NF109"]]
    assert any("no automatic patch" in str(reason) for reason in plan.skipped), plan.skipped


def test_the_detach_one_name_back_is_dropped_too(tmp_path):
    from nnfit.doctor.patch import plan_patches
    from tests.test_doctor_patch import added, removed

    text = loop("pred = out.detach()\nloss = torch.mean((pred - y) ** 2)\nloss.requires_grad = True")
    path, cap = capture_of(tmp_path, "cut_back.py", text, max_updates=30)
    nf109 = [f for f in Report.from_run(cap.run, cap).findings if f.code == "NF109"]
    plan = plan_patches(text, str(path), cap, nf109)
    single = [p for p in plan.singles if p.codes == ["NF109"]]
    assert single, plan.skipped
    assert removed(single[0].diff()) == ["pred = out.detach()", "loss.requires_grad = True"]
    assert added(single[0].diff()) == ["pred = out"]
