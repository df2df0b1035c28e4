"""Each hostile input named in issue 14, through the command line: one `error:` line, exit 2, no traceback.

The CLI runs in-process (nnfit.cli.main, the one place every command passes through); one test runs
the real console entry point in a subprocess to check the exit code the shell sees.
"""
import json
import subprocess
import sys
import time

import numpy as np
import pytest

from nnfit.cli import error_line, main

QUICK_FIT = ["--max-seconds", "2", "--samples", "200"]


def run(argv, capsys):
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_error_line(code, err, *fragments):
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err and len(lines[0]) < 400
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    from nnfit.fit import fit_function

    model = fit_function("x**2", domain={"x": (0, 1)}, n_samples=200, restarts=1, max_seconds=5)
    return model.save(tmp_path_factory.mktemp("model") / "square.nnfit")


def header_and_tensors(path):
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as handle:
        return json.loads(handle.metadata()["nnfit"]), {key: handle.get_tensor(key) for key in handle.keys()}


def write_model(path, meta, tensors):
    from safetensors.torch import save_file

    save_file(tensors, str(path), metadata={"nnfit": json.dumps(meta)})
    return path


# -- formulas ----------------------------------------------------------------------------------------

def test_a_100000_character_formula_is_not_tried_as_a_file_name(capsys):
    code, _, err = run(["fit", "x+" * 50_000, "--x", "0:1"], capsys)
    assert_one_error_line(code, err, "characters long")
    assert "File name too long" not in err


def test_5000_nested_parentheses_are_one_error_line(capsys):
    code, _, err = run(["fit", "(" * 5000 + "x" + ")" * 5000, "--x", "0:1"], capsys)
    assert_one_error_line(code, err)


def test_deep_nesting_within_the_length_limit_is_one_error_line(capsys):
    code, _, err = run(["fit", "(" * 900 + "x" + ")" * 900, "--x", "0:1"], capsys)
    assert_one_error_line(code, err)


def test_gamma_3000_is_refused_before_sympy_computes_it(capsys):
    code, _, err = run(["fit", "gamma(3000)*x", "--x", "0:1"], capsys)
    assert_one_error_line(code, err, "gamma")


def test_a_tower_of_pow_calls_is_refused_at_once(capsys):
    started = time.perf_counter()
    code, _, err = run(["fit", "pow(9, pow(9, 7))*x", "--x", "0:1"], capsys)
    assert_one_error_line(code, err, "exponent")
    assert time.perf_counter() - started < 10  # 9**9**7 has 4.5 million digits: never computed


def test_pow_has_the_exponent_guard_of_the_power_operator(capsys):
    for formula in ("x**5000", "pow(x, 5000)"):
        code, _, err = run(["fit", formula, "--x", "0:1"], capsys)
        assert_one_error_line(code, err, "exponents above 1000")


def test_10_to_the_400_is_beyond_float64_and_refused(capsys):
    code, _, err = run(["fit", "10**400*x", "--x", "0:1"], capsys)
    assert_one_error_line(code, err, "float64")


def test_a_product_of_large_constants_is_refused(capsys):
    code, _, err = run(["fit", "x*10**200*10**200", "--x", "0:1"], capsys)
    assert_one_error_line(code, err, "float64")


def test_a_constant_sympy_would_evaluate_for_hours_is_refused(capsys):
    started = time.perf_counter()
    code, _, err = run(["fit", "floor(exp(exp(100)))*x", "--x", "0:1"], capsys)
    assert_one_error_line(code, err, "not a finite real float64")
    assert time.perf_counter() - started < 10


def test_a_formula_naming_a_file_that_exists_is_still_a_formula(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x").write_text("a,y\n1,2\n")  # a file named like the formula's variable
    code, out, err = run(["fit", "x", "--x", "0:1", "--format", "json", *QUICK_FIT], capsys)
    assert code == 0, err
    assert json.loads(out)["inputs"] == ["x"]


def test_a_missing_table_file_is_one_error_line(capsys):
    code, _, err = run(["fit", "no_such_table.csv"], capsys)
    assert_one_error_line(code, err, "no such file")


# -- errors from libraries, at the CLI edge ----------------------------------------------------------

@pytest.mark.parametrize("error", [OSError(36, "File name too long"), ValueError("math domain error"),
                                   OverflowError("int too large to convert to float")])
def test_library_errors_caused_by_input_become_one_line_at_the_edge(monkeypatch, capsys, error):
    import nnfit.targets

    def raising(*args, **kwargs):
        raise error

    monkeypatch.setattr(nnfit.targets, "formula_target", raising)
    code, _, err = run(["fit", "x", "--x", "0:1"], capsys)
    assert_one_error_line(code, err, type(error).__name__)


def test_an_error_line_is_cut_short_and_kept_on_one_line():
    line = error_line(OSError("a\nb " + "y" * 10_000))
    assert "\n" not in line and len(line) <= 300 and line.startswith("OSError: a b")


def test_an_unwritable_save_folder_fails_before_the_fit(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    started = time.perf_counter()
    code, _, err = run(["fit", "x**2", "--x", "0:1", "--save", str(blocker / "m.nnfit")], capsys)
    assert_one_error_line(code, err, "cannot write")
    assert time.perf_counter() - started < 10  # refused before a 60-second fit started


def test_an_unwritable_report_folder_fails_before_the_fit(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _, err = run(["fit", "x**2", "--x", "0:1", "--report", str(blocker)], capsys)
    assert_one_error_line(code, err, "cannot write")


# -- model files -------------------------------------------------------------------------------------

def test_a_model_header_without_a_key_is_one_error_line(model_file, tmp_path, capsys):
    meta, tensors = header_and_tensors(model_file)
    del meta["inputs"]
    code, _, err = run(["predict", str(write_model(tmp_path / "m.nnfit", meta, tensors)), "0.5"], capsys)
    assert_one_error_line(code, err, "lacks 'inputs'")


@pytest.mark.parametrize("key, value", [
    ("outputs", [{"stages": [{"hidden": [10**9], "scale": 1.0}]}]),
    ("outputs", [{"stages": [{"hidden": ["24"], "scale": 1.0}]}]),
    ("activation", "__import__('os')"),
    ("inputs", "x"),
    ("x_transform", {"log_columns": [False, False], "mean": [0, 0], "scale": [1, 1]}),
    ("y_transform", {"mean": [0]}),
    ("params", {"hidden": "abc"}),
    ("version", 99),
])
def test_a_forged_model_header_is_one_error_line(model_file, tmp_path, capsys, key, value):
    meta, tensors = header_and_tensors(model_file)
    meta[key] = value
    code, _, err = run(["predict", str(write_model(tmp_path / "m.nnfit", meta, tensors)), "0.5"], capsys)
    assert_one_error_line(code, err, "m.nnfit")


def test_a_truncated_model_file_is_one_error_line(model_file, tmp_path, capsys):
    truncated = tmp_path / "truncated.nnfit"
    truncated.write_bytes(model_file.read_bytes()[:-100])
    code, _, err = run(["predict", str(truncated), "0.5"], capsys)
    assert_one_error_line(code, err, "not an nnfit model file")


def test_a_model_file_that_is_not_safetensors_is_one_error_line(tmp_path, capsys):
    bogus = tmp_path / "bogus.nnfit"
    bogus.write_bytes(b"\x80\x04K\x01." * 20)  # a pickle: never unpickled
    code, _, err = run(["predict", str(bogus), "0.5"], capsys)
    assert_one_error_line(code, err, "not an nnfit model file")


# -- CSV cells ---------------------------------------------------------------------------------------

def test_a_non_numeric_cell_in_a_predict_csv_names_its_column_and_row(model_file, tmp_path, capsys):
    path = tmp_path / "inputs.csv"
    path.write_text("x\n0.5\n0.25\nabc\n")
    code, _, err = run(["predict", str(model_file), str(path)], capsys)
    assert_one_error_line(code, err, "column 'x'", "row 3", "'abc'")


def test_a_one_column_predict_csv_is_read(model_file, tmp_path, capsys):
    path = tmp_path / "inputs.csv"
    path.write_text("x\n0.5\n0.25\n")
    code, out, err = run(["predict", str(model_file), str(path)], capsys)
    assert code == 0, err
    np.testing.assert_allclose([float(v) for v in out.split()], [0.25, 0.0625], atol=1e-3)


def test_a_non_numeric_cell_in_a_fit_table_names_its_column_and_row(tmp_path, capsys):
    path = tmp_path / "data.csv"
    path.write_text("a,y\n" + "1,2\n" * 10 + "2,three\n")
    code, _, err = run(["fit", str(path), "--target", "y"], capsys)
    assert_one_error_line(code, err, "column 'y'", "row 11", "'three'")


# -- rich markup -------------------------------------------------------------------------------------

def test_user_text_is_not_read_as_rich_markup_by_fit(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a short path: the table shows it whole
    code, out, err = run(["fit", "x**2", "--x", "0:1", "--save", "[bold]m.nnfit", *QUICK_FIT], capsys)
    assert code == 0, err
    assert "[bold]m.nnfit" in out and (tmp_path / "[bold]m.nnfit").is_file()


def test_user_text_is_not_read_as_rich_markup_by_batch(tmp_path, capsys):
    csv = tmp_path / "f.csv"
    csv.write_text("name,formula,ranges\n[red]t,sin(x,x:0:1\n")
    code, out, err = run(["batch", str(csv), "--out", str(tmp_path / "out"), "--engine", "sequential"], capsys)
    assert code == 0, err
    assert "[red]t" in out


@pytest.mark.slow  # a fresh interpreter importing nnfit: over 10 s on a loaded machine
def test_the_console_script_exits_2_for_a_hostile_formula():
    proc = subprocess.run([sys.executable, "-m", "nnfit", "fit", "pow(9, pow(9, 7))*x", "--x", "0:1"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error: ") and "Traceback" not in proc.stderr
