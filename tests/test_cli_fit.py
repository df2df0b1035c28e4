"""`nnfit fit` / `nnfit predict` from the command line: results, JSON, and exit code 2 for mistakes."""
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from nnfit.cli import main

QUICK = ["--max-seconds", "20"]


def run(argv, capsys):
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_fit_formula_prints_json_metrics_and_saves(tmp_path, capsys):
    model_path = tmp_path / "m.nnfit"
    code, out, err = run(["fit", "x**2", "--x", "0:1", "--format", "json", "--save", str(model_path), *QUICK], capsys)
    assert code == 0, err
    result = json.loads(out)
    assert result["metrics"]["nrmse"] < 1e-5
    assert result["seed"] == 0 and result["inputs"] == ["x"]
    assert "accuracy" not in out
    code, out, err = run(["predict", str(model_path), "0.5", "0.25"], capsys)
    assert code == 0, err
    values = [float(v) for v in out.split()]
    np.testing.assert_allclose(values, [0.25, 0.0625], rtol=1e-5)


def test_fit_formula_not_finite_everywhere_needs_drop_nonfinite(capsys):
    code, out, err = run(["fit", "sqrt(x)", "--x", "-1:1", "--max-seconds", "5"], capsys)
    assert code == 2 and "--drop-nonfinite" in err and "Traceback" not in err
    code, out, err = run(["fit", "sqrt(x)", "--x", "-1:1", "--drop-nonfinite", "--format", "json",
                          "--max-seconds", "10"], capsys)
    assert code == 0, err
    nrmse = json.loads(out)["metrics"]["nrmse"]
    assert nrmse is not None and 0 <= nrmse < 1  # NaN points in training or test would make it NaN or null


def test_fit_table_with_named_target(tmp_path, capsys):
    path = tmp_path / "data.csv"
    x = np.linspace(0, 1, 200)
    pd.DataFrame({"x": x, "y": np.sin(3 * x), "z": x**2}).to_csv(path, index=False)
    code, out, err = run(["fit", str(path), "--target", "y", "--format", "json", *QUICK], capsys)
    assert code == 0, err
    result = json.loads(out)
    assert result["inputs"] == ["x", "z"] and result["outputs"] == ["y"]
    assert result["metrics"]["r2"] > 0.9999


@pytest.mark.parametrize("argv, message", [
    (["fit", "__import__('os').system('echo hi')", "--x", "0:1"], "unknown function"),
    (["fit", "x + y", "--x", "0:1"], "no range given for variable(s) y"),
    (["fit", "x", "--x", "1:0"], "empty domain"),
    (["fit", "missing.csv"], "no such file"),
    (["fit", "sin(x", "--x", "0:1"], "cannot parse formula"),
    (["fit", "x", "--x"], "needs a range"),
    (["fit", "a", "--a", "0:1e30", "--integer"], "too large"),
    (["fit", "x", "--x", "0:1", "--seed", "-1"], "--seed: the seed must be an integer from 0 to"),
    (["fit", "x", "--x", "0:1", "--max-seconds", "-1"], "--max-seconds must be a positive, finite"),
    (["predict", "missing.nnfit", "1"], "no such model file"),
])
def test_user_mistakes_exit_2_with_one_error_line(argv, message, capsys):
    code, out, err = run(argv, capsys)
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert "Traceback" not in err


@pytest.mark.parametrize("content, column, message", [
    ("", "y", "empty"),
    ("x,y\n1,nan\n2,3\n" + "3,4\n" * 10, "y", "NaN/inf"),
    ("x,y\n" + "1,5\n" * 20, "y", "constant"),
    ("x,y\n" + "1,2\n" * 20, "w", "no column 'w'"),
])
def test_bad_tables_exit_2(tmp_path, capsys, content, column, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    code, _, err = run(["fit", str(path), "--target", column], capsys)
    assert code == 2 and message in err and "Traceback" not in err


def test_unreadable_binary_file_exits_2(tmp_path, capsys):
    path = tmp_path / "image.csv"
    path.write_bytes(bytes(range(256)) * 10)
    code, _, err = run(["fit", str(path)], capsys)
    assert code == 2 and err.startswith("error: ")


def test_console_script_exit_code_is_2_for_a_user_mistake():
    proc = subprocess.run([sys.executable, "-m", "nnfit", "fit", "x.real", "--x", "0:1"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error: attribute access is not allowed")
