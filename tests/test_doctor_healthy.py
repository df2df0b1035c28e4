"""Programs that train well get no alarm: XOR-like tables, quasi-Newton optimisers, NumPy loops."""
from __future__ import annotations

import json
import os
from pathlib import Path

from typer.testing import CliRunner

from nnfit.cli import app, main

os.environ.setdefault("KERAS_BACKEND", "torch")
HEALTHY = Path(__file__).parent / "fixtures" / "healthy"


def _doctor(*args: str) -> tuple[int, dict | str]:
    result = CliRunner().invoke(app, ["doctor", *args])
    try:
        return result.exit_code, json.loads(result.stdout)
    except ValueError:
        return result.exit_code, result.output


def test_a_table_of_four_repeated_patterns_is_not_held_out_and_gets_no_finding():
    # XOR: holding one of its four patterns out would leave a task no network can learn from the rest
    code, report = _doctor("run", str(HEALTHY / "xor_torch.py"), "--format", "json")
    assert code == 0, report
    assert report["findings"] == []
    assert any("only 4 distinct input rows" in note for note in report["notes"])
    assert not report.get("heldout")


def test_lbfgs_steps_count_their_inner_iterations_as_updates():
    # 20 LBFGS steps of up to 50 iterations each: 1000 updates, not "too few updates"
    code, report = _doctor("run", str(HEALTHY / "lbfgs_torch.py"), "--format", "json")
    assert code == 0, report
    assert [f["code"] for f in report["findings"]] == []


def test_a_numpy_script_given_to_run_is_pointed_to_check_and_check_finds_nothing_wrong(capsys):
    assert main(["doctor", "run", str(HEALTHY / "linear_numpy_loop.py")]) == 2
    assert "nnfit doctor check" in capsys.readouterr().err
    code, output = _doctor("check", str(HEALTHY / "linear_numpy_loop.py"))
    assert code == 0 and "no findings" in str(output), output
