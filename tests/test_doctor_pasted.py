"""`doctor run` on code pasted from a notebook or a web page: the Python under it runs, the rest does not."""
from __future__ import annotations

import json
import os
import textwrap

from typer.testing import CliRunner

from nnfit.cli import app, main

os.environ.setdefault("KERAS_BACKEND", "torch")

NOTEBOOK_CELL = textwrap.dedent("""\
    %matplotlib inline
    !touch {marker}
    import torch
    x = torch.linspace(-1, 1, 200).unsqueeze(1)
    y = 1000 * x ** 2
    net = torch.nn.Sequential(torch.nn.Linear(1, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    for i in range(50):
        opt.zero_grad()
        loss = torch.nn.MSELoss()(net(x), y)
        loss.backward()
        opt.step()
    print(\u201cdone\u201d)
""")


def test_notebook_magics_and_web_quotes_are_blanked_and_the_shell_line_is_not_run(tmp_path):
    marker = tmp_path / "shell_ran"
    script = tmp_path / "cell.py"
    script.write_text(NOTEBOOK_CELL.format(marker=marker), encoding="utf-8")
    result = CliRunner().invoke(app, ["doctor", "run", str(script), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    assert report["run"]["framework"] == "torch" and "50 epoch(s)" in report["run"]["summary"]
    assert any("not Python" in note for note in report["notes"])
    assert "NF106" in [f["code"] for f in report["findings"]]      # targets up to 1000, not scaled
    assert not marker.exists()


def test_code_that_is_not_python_after_the_blanking_is_still_a_one_line_error(tmp_path, capsys):
    script = tmp_path / "bad.py"
    script.write_text("%matplotlib inline\nimport torch\ndef broken(:\n    pass\n")
    assert main(["doctor", "run", str(script)]) == 2
    err = capsys.readouterr().err
    assert "not valid Python 3" in err and "Traceback" not in err


def test_python2_print_statements_run_as_python3_with_a_note(tmp_path):
    script = tmp_path / "old.py"
    script.write_text(textwrap.dedent("""\
        import torch
        x = torch.linspace(0, 1, 100).unsqueeze(1)
        y = 3 * x + 1
        net = torch.nn.Linear(1, 1)
        opt = torch.optim.SGD(net.parameters(), lr=0.5)
        for i in range(300):
            opt.zero_grad()
            loss = torch.nn.MSELoss()(net(x), y)
            loss.backward()
            opt.step()
        print "loss", loss.item()
    """))
    result = CliRunner().invoke(app, ["doctor", "run", str(script), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    assert any("Python 2 print" in note for note in report["notes"])
    assert "300 epoch(s)" in report["run"]["summary"]
