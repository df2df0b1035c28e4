"""The gradient-reset tracker (monitors/grad_accumulation.py) and the rule built on it (NF116, torch)."""
from __future__ import annotations

import textwrap

import pytest
import torch
from torch import nn

from nnfit.doctor.monitors.grad_accumulation import GradientResetTracker


def train(reset: str, steps: int = 12, backward_per_step: int = 1) -> GradientResetTracker:
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(1, 4), nn.Tanh(), nn.Linear(4, 1))
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    tracker = GradientResetTracker()
    x = torch.linspace(0, 1, 16).reshape(-1, 1)
    for _ in range(steps):
        if reset == "optimizer":
            opt.zero_grad()
        elif reset == "module":
            net.zero_grad()
        elif reset == "none-assignment":
            for p in net.parameters():
                p.grad = None
        for _ in range(backward_per_step):
            nn.functional.mse_loss(net(x), torch.sin(3 * x)).backward()
        tracker.on_step(opt)
        opt.step()
    return tracker


@pytest.mark.parametrize("reset", ["optimizer", "module", "none-assignment"])
def test_every_way_of_resetting_reads_as_reset(reset):
    tracker = train(reset)
    assert tracker.accumulated_steps == 0 and tracker.reset_steps >= 10


def test_a_loop_that_never_resets_reads_as_accumulated():
    tracker = train("never")
    assert tracker.reset_steps == 0 and tracker.accumulated_steps >= 10


def test_accumulating_several_backward_passes_on_purpose_is_not_flagged():
    tracker = train("optimizer", backward_per_step=3)
    assert tracker.accumulated_steps == 0 and tracker.reset_steps >= 10


NO_ZERO_GRAD = """
    import torch
    import torch.nn as nn
    torch.manual_seed(0)
    X = torch.linspace(-1, 1, 200).unsqueeze(1)
    Y = X ** 3 - X
    net = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
    opt = torch.optim.SGD(net.parameters(), lr=0.05)
    for epoch in range(300):
        loss = nn.functional.mse_loss(net(X), Y)
        loss.backward()
        opt.step()
"""


def test_doctor_run_names_the_missing_reset_first(tmp_path):
    from nnfit.doctor.report import Report
    from nnfit.doctor.runner import run_script

    path = tmp_path / "train.py"
    path.write_text(textwrap.dedent(NO_ZERO_GRAD))
    cap = run_script(str(path))
    report = Report.from_run(cap.run, cap)
    assert report.codes[0] == "NF116" and "zero_grad" in report.findings[0].fix
    fixed = tmp_path / "fixed.py"
    fixed.write_text(textwrap.dedent(NO_ZERO_GRAD).replace("    loss = nn", "    opt.zero_grad()\n    loss = nn"))
    cap = run_script(str(fixed))
    assert "NF116" not in Report.from_run(cap.run, cap).codes


MANUAL = """
    import torch
    torch.manual_seed(0)
    x = torch.rand(100, 1) * 2
    y = 3 * x + 1
    w = torch.randn(1, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for step in range(200):
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= 0.01 * w.grad
            b -= 0.01 * b.grad
"""


@pytest.mark.parametrize("reset", ["", "w.grad.zero_(); b.grad.zero_()", "w.grad = None; b.grad = None"])
def test_hand_written_updates_are_measured_too(tmp_path, reset):
    from nnfit.doctor.report import Report
    from nnfit.doctor.runner import run_script

    text = textwrap.dedent(MANUAL)
    if reset:
        text += "".join(f"        {part.strip()}\n" for part in reset.split(";"))
    path = tmp_path / "train.py"
    path.write_text(text)
    cap = run_script(str(path))
    codes = Report.from_run(cap.run, cap).codes
    assert ("NF116" in codes) == (not reset), codes


def test_lint_warns_when_a_torch_script_resets_no_gradient_anywhere(tmp_path):
    from nnfit.doctor.lint import lint_file

    path = tmp_path / "train.py"
    path.write_text(textwrap.dedent(NO_ZERO_GRAD))
    assert "NF116" in [f.code for f in lint_file(str(path))]
    path.write_text(textwrap.dedent(NO_ZERO_GRAD).replace("    loss = nn", "    opt.zero_grad()\n    loss = nn"))
    assert "NF116" not in [f.code for f in lint_file(str(path))]
