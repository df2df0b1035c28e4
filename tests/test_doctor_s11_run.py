"""Session 11: a ReLU on the class scores before an explicit log_softmax + NLL loss is NF130
(classification-output-mismatch), as it already was before a logits loss (pytorch/examples#117's pattern)."""
from __future__ import annotations

import contextlib
import io
import textwrap

import pytest

from nnfit.doctor.report import Report
from nnfit.doctor.runner import run_script

PROGRAM = textwrap.dedent('''
    import numpy as np
    import torch
    import torch.nn.functional as F
    from torch import nn

    torch.manual_seed(0)
    torch.set_num_threads(1)
    rng = np.random.default_rng(1)
    centres = rng.normal(0, 1.0, size=(6, 10))
    labels = rng.integers(0, 6, 900)
    x = torch.from_numpy((centres[labels] + rng.normal(0, 0.8, size=(900, 10))).astype(np.float32))
    y = torch.from_numpy(labels)


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(10, 32)
            self.fc2 = nn.Linear(32, 6)

        def forward(self, x):
            x = F.relu(self.fc1(x))
            x = {last}
            return F.log_softmax(x, dim=1)


    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
    for epoch in range(300):
        loss = F.nll_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
''')


def diagnose(tmp_path, last: str):
    script = tmp_path / "relu_nll.py"
    script.write_text(PROGRAM.format(last=last))
    with contextlib.redirect_stdout(io.StringIO()):
        capture = run_script(str(script), budget_s=120, seed=0)
    capture.run.seed = 0
    return capture.run, Report.from_run(capture.run, capture, capture.notes)


def test_relu_before_log_softmax_nll_is_named_first(tmp_path):
    run, report = diagnose(tmp_path, "F.relu(self.fc2(x))")
    assert run.config.loss_input_activation == "log_softmax"
    codes = [f.code for f in report.findings]
    assert codes and codes[0] == "NF130", codes


@pytest.mark.parametrize("last", ["self.fc2(x)", "torch.tanh(self.fc2(x))"])
def test_unclipped_scores_before_log_softmax_are_not_nf130(tmp_path, last):
    _, report = diagnose(tmp_path, last)
    assert "NF130" not in [f.code for f in report.findings]

