"""Scripts that raise: the framework's message read as the fault (doctor/crashes.py, rules/script_error.py)."""
from __future__ import annotations

import os
import textwrap

import pytest

from nnfit.doctor.crashes import diagnose
from nnfit.doctor.run import ScriptError

os.environ.setdefault("KERAS_BACKEND", "torch")

HEAD = """
    import numpy as np
    import torch
    from torch import nn
    torch.manual_seed(0)
"""
LOOP = """
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    for step in range(20):
        opt.zero_grad()
        loss = loss_fn(net(X), Y)
        loss.backward()
        opt.step()
"""
CASES = {
    "NF132-float64-data": ("""
        X = torch.from_numpy(np.linspace(0, 1, 100).reshape(-1, 1))
        Y = torch.sin(X)
        net = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1))
        loss_fn = nn.MSELoss()
    """, "NF132", ".float()"),
    "NF128-integer-data": ("""
        X = torch.arange(100).reshape(-1, 1)
        Y = (2 * X + 1).float()
        net = nn.Sequential(nn.Linear(1, 8), nn.ReLU(), nn.Linear(8, 1))
        loss_fn = nn.MSELoss()
    """, "NF128", ".float()"),
    "NF133-width": ("""
        X = torch.rand(100, 3)
        Y = X.sum(1, keepdim=True)
        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        loss_fn = nn.MSELoss()
    """, "NF133", "nn.Linear(3"),
    "NF130-label-out-of-range": ("""
        X = torch.rand(100, 2)
        Y = (X[:, 0] * 3).long()          # labels 0, 1, 2
        net = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
        loss_fn = nn.CrossEntropyLoss()
    """, "NF130", "as many units"),
    "NF132-float-labels": ("""
        X = torch.rand(100, 2)
        Y = (X[:, 0] > 0.5).float()
        net = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
        loss_fn = nn.NLLLoss()
    """, "NF132", ".long()"),
    "NF126-bce-on-raw-output": ("""
        X = torch.rand(100, 2) * 10
        Y = (X[:, :1] > 5).float()
        net = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
        loss_fn = nn.BCELoss()
    """, "NF126", "BCEWithLogitsLoss"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_crashing_torch_script_gets_the_fault_its_message_names(tmp_path, case):
    from nnfit.doctor.report import Report
    from nnfit.doctor.runner import run_script

    body, code, fix = CASES[case]
    path = tmp_path / "train.py"
    path.write_text(textwrap.dedent(HEAD) + textwrap.dedent(body) + textwrap.dedent(LOOP))
    cap = run_script(str(path))
    assert cap.run.script_error is not None and cap.run.script_error.line is not None
    report = Report.from_run(cap.run, cap)
    assert report.codes[0] == code, report.text()
    assert fix in report.findings[0].fix


def test_keras_input_width_message_is_read():
    message = ('Input 0 of layer "dense" is incompatible with the layer: expected axis -1 of input shape to have '
               'value 4, but received input with shape (None, 3)')
    found = diagnose(ScriptError("ValueError", message))
    assert found.code == "NF133" and "3 input columns" in found.what and "takes 4" in found.what


def test_an_unknown_message_is_not_guessed_at(tmp_path):
    from nnfit.doctor.runner import run_script
    from nnfit.errors import NNFitError

    assert diagnose(ScriptError("KeyError", "'price'")) is None
    path = tmp_path / "train.py"
    path.write_text("import torch\nraise KeyError('price')\n")
    with pytest.raises(NNFitError, match="KeyError"):
        run_script(str(path))


@pytest.mark.parametrize("message, code, words", [
    ("mat1 and mat2 shapes cannot be multiplied (1x100 and 1x10)", "NF133", "1-D vector of 100 values"),
    ("mat1 and mat2 shapes cannot be multiplied (32x3 and 4x16)", "NF133", "3 input columns"),
    ("Exception encountered when calling Sequential.call().\n\nInvalid input shape for input tensor(...). "
     "Expected shape (None, 2), but input has incompatible shape torch.Size([32])", "NF133", "1-D vector"),
    ("Exception encountered when calling Sequential.call().\n\nInvalid input shape for input tensor(...). "
     "Expected shape (None, 2), but input has incompatible shape torch.Size([32, 3])", "NF133", "3 input columns"),
    ("expected target dtype to be Long or Byte, but got Float", "NF132", "class indices"),
    ("Target 5 is out of bounds.", "NF130", "label (5)"),
])
def test_framework_messages_are_read_as_their_fault(message, code, words):
    found = diagnose(ScriptError("RuntimeError", message.split("\n")[0], detail=message))
    assert found is not None and found.code == code and words in found.what


def test_lint_warns_on_from_numpy_data_with_no_float32_anywhere():
    from nnfit.doctor.lint import lint_source

    script = textwrap.dedent(HEAD) + textwrap.dedent(CASES["NF132-float64-data"][0]) + textwrap.dedent(LOOP)
    assert "NF132" in [f.code for f in lint_source(script, "train.py")]
    fixed = script.replace("reshape(-1, 1))", "reshape(-1, 1)).float()")
    assert "NF132" not in [f.code for f in lint_source(fixed, "train.py")]
