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


# -- issue: hostile inputs through every entry point (formulas, domains, tables, predict, explain, batch) --

@pytest.mark.parametrize("argv, fragment", [
    (["fit", "42"], "has no variables"),
    (["fit", "", "--x", "0:1"], "empty"),
    (["fit", "x\x00", "--x", "0:1"], "NUL"),
    (["fit", "__import__('os').system('echo hi')", "--x", "0:1"], "unknown function"),
    (["fit", "x.real", "--x", "0:1"], "attribute access"),
    (["fit", "lambda x: x", "--x", "0:1"], "lambda is not allowed"),
    (["fit", "f'{x}'", "--x", "0:1"], "f-string"),
    (["fit", "x" * 2001, "--x", "0:1"], "characters long"),
    (["fit", "x**1e10", "--x", "0:2"], "exponents above"),
    (["fit", "1/(x-x)", "--x", "0:1"], "divides by zero"),
    (["fit", "sqrt(-1)*x", "--x", "0:1"], "imaginary"),
    (["fit", "log(x)", "--x", "-2:-1"], "not finite"),
    (["fit", "1e999*x", "--x", "0:1"], "too large"),
    (["fit", "x//2", "--x", "0:1"], "floor division"),
    (["fit", "~x", "--x", "0:1"], "bitwise not"),
    (["fit", "x @ x", "--x", "0:1"], "matrix product"),
    (["fit", "x; import os", "--x", "0:1"], "cannot parse"),
    (["fit", "y =", "--x", "0:1"], "nothing after '='"),
    (["fit", "h*c/lambda", "--h", "1:2", "--c", "1:2"], "--lambda"),
    (["fit", "x*y", "--x", "0:1"], "no range given for variable(s) y"),
    (["fit", "x", "--x", "1:1"], "empty domain"),
    (["fit", "x", "--x", "b:a"], "cannot read domain"),
    (["fit", "x", "--x", "0:2pi"], "cannot read domain"),
    (["fit", "x", "--x", "nan:1"], "finite"),
    (["fit", "x", "--x", "1e400:2"], "finite"),
    (["fit", "x", "--x", "-1e308:1e308"], "wider than float64"),
    (["fit", "x", "--x"], "needs a range"),
    (["fit", "x", "x=0:1"], "unexpected argument"),
    (["fit", "x", "--x", "0:1", "--hidden", "5000"], "parameters"),
    (["fit", "x", "--x", "0:1", "--hidden", "-3"], "positive widths"),
])
def test_a_hostile_fit_argument_is_one_error_line(capsys, argv, fragment):
    code, _, err = run([*argv, *QUICK_FIT], capsys)
    assert_one_error_line(code, err, fragment)


def test_a_huge_hidden_width_is_refused_before_any_fit(capsys):
    started = time.perf_counter()
    code, _, err = run(["fit", "x", "--x", "0:1", "--hidden", "100000000", *QUICK_FIT], capsys)
    assert_one_error_line(code, err, "parameters")
    assert time.perf_counter() - started < 10  # it once allocated 180 GB (RuntimeError) after a minute


def test_a_formula_never_runs_code(tmp_path, capsys):
    marker = tmp_path / "ran"
    for formula in (f"__import__('os').system('touch {marker}')", f"open('{marker}', 'w')",
                    f"[open('{marker}', 'w') for lambda in range(1)]"):
        code, _, err = run(["fit", formula, "--x", "0:1", "--lambda", "0:1", *QUICK_FIT], capsys)
        assert_one_error_line(code, err)
    assert not marker.exists()


TABLES = {  # name -> (bytes, fragment of the error)
    "empty.csv": (b"", "is empty"),
    "header.csv": (b"a,y\n", "is empty"),
    "one_row.csv": (b"a,y\n1,2\n", "only 1 rows"),
    "words.csv": (b"a,b,y\n" + b"".join(b"%d,foo,%d\n" % (i, i) for i in range(20)), "column 'b'"),
    "nan.csv": (b"a,y\n" + b"".join(b"%d,%d\n" % (i, i) for i in range(20)) + b"nan,3\n", "NaN/inf"),
    "inf.csv": (b"a,y\n" + b"".join(b"%d,%d\n" % (i, i) for i in range(20)) + b"inf,3\n", "NaN/inf"),
    "duplicate.csv": (b"a,a,y\n" + b"".join(b"%d,%d,%d\n" % (i, i, i) for i in range(20)), "appears twice"),
    "constant.csv": (b"a,y\n" + b"".join(b"%d,5\n" % i for i in range(20)), "constant"),
    "one_column.csv": (b"y\n" + b"".join(b"%d\n" % i for i in range(20)), "no input columns"),
    "no_header.csv": (b"".join(b"%d,%d\n" % (i, 2 * i) for i in range(20)), "no header"),
    "ragged.csv": (b"a,y\n1,2\n3,4,5\n", "ragged.csv"),
    "binary.csv": (bytes(range(256)) * 10, "not a text CSV"),
    "nul.csv": (b"a,y\n1,2\x00\n", "not a text CSV"),
    "latin1.csv": (b"a,y\n1,\xe9\n", "not a text CSV"),
    "booleans.csv": (b"a,y\n" + b"".join(b"%d,%s\n" % (i, b"true" if i % 2 else b"false") for i in range(20)),
                     "true/false"),
    "fake.npy": (b"not numpy at all" * 10, "not a NumPy .npy file"),
    "fake.npz": (b"PK\x03\x04garbage" * 10, "not a NumPy .npz file"),
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_a_hostile_table_is_one_error_line(tmp_path, capsys, name):
    content, fragment = TABLES[name]
    path = tmp_path / name
    path.write_bytes(content)
    code, _, err = run(["fit", str(path), *QUICK_FIT], capsys)
    assert_one_error_line(code, err, fragment)


def _save_npy(path, array, **kwargs):
    np.save(path, array, **kwargs)
    return path


@pytest.mark.parametrize("make, fragment", [
    (lambda p: _save_npy(p / "objects.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True), "never unpickles"),
    (lambda p: _save_npy(p / "vector.npy", np.arange(20.0)), "shape (20,)"),
    (lambda p: _save_npy(p / "cube.npy", np.zeros((4, 4, 4))), "shape (4, 4, 4)"),
    (lambda p: _save_npy(p / "strings.npy", np.array([["a", "b"]] * 20)), "not real numbers"),
    (lambda p: _save_npy(p / "complex.npy", np.ones((20, 2)) * 1j), "not real numbers"),
    (lambda p: np.savez(p / "odd.npz", foo=np.zeros(3)) or p / "odd.npz", "named X and y"),
    (lambda p: np.savez(p / "short.npz", X=np.zeros((20, 2)), y=np.zeros(19)) or p / "short.npz", "20 rows but y has 19"),
    (lambda p: np.savez(p / "objects.npz", X=np.array([None] * 20, dtype=object), y=np.zeros(20)) or p / "objects.npz",
     "pickled"),
    (lambda p: (p / "folder.csv").mkdir() or p / "folder.csv", "folder"),
    (lambda p: p / "missing.csv", "no such file"),
])
def test_a_hostile_numpy_file_or_path_is_one_error_line(tmp_path, capsys, make, fragment):
    code, _, err = run(["fit", str(make(tmp_path)), *QUICK_FIT], capsys)
    assert_one_error_line(code, err, fragment)


@pytest.mark.parametrize("argv, fragment", [
    (["--target", "nope"], "no column 'nope'"),
    (["--target", ""], "no target column"),
    (["--target", "a,y"], "no input columns"),
    (["--x", "0:1"], "apply to formulas"),
])
def test_a_bad_table_option_is_one_error_line(tmp_path, capsys, argv, fragment):
    path = tmp_path / "t.csv"
    path.write_text("a,y\n" + "".join(f"{i},{2 * i}\n" for i in range(20)))
    code, _, err = run(["fit", str(path), *argv, *QUICK_FIT], capsys)
    assert_one_error_line(code, err, fragment)


@pytest.mark.parametrize("name, text", [
    ("bom.csv", "\ufeffa,y\n" + "".join(f"{i},{i * i}\n" for i in range(30))),
    ("semicolon_decimal_comma.csv", "a;y\n" + "".join(f"{i},5;{i * i},25\n" for i in range(30))),
    ("quoted.csv", "a,y\n" + "".join(f'"{i}","{i * i}"\n' for i in range(30))),
    ("trailing_comma.csv", "a,y,\n" + "".join(f"{i},{i * i},\n" for i in range(30))),
    ("crlf.csv", "a,y\r\n" + "".join(f"{i},{i * i}\r\n" for i in range(30))),
])
def test_common_table_dialects_are_read(tmp_path, capsys, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code, out, err = run(["fit", str(path), "--format", "json", *QUICK_FIT], capsys)
    assert code == 0, err
    result = json.loads(out)
    assert result["inputs"] == ["a"] and result["outputs"] == ["y"]


def test_a_decimal_comma_table_keeps_its_values(tmp_path):
    from nnfit.targets import read_table

    path = tmp_path / "t.csv"
    path.write_text("a;y\n" + "".join(f"{i},5;{i},25\n" for i in range(10)))
    target = read_table(path)
    np.testing.assert_allclose(target.X[:, 0], np.arange(10) + 0.5)
    np.testing.assert_allclose(target.Y[:, 0], np.arange(10) + 0.25)


@pytest.mark.parametrize("inputs, fragment", [
    ([], "groups of 1"),
    (["abc"], "'abc'"),
    (["nan"], "finite"),
    (["1e400"], "finite"),
    (["--bogus"], "no such option"),
])
def test_hostile_predict_values_are_one_error_line(model_file, capsys, inputs, fragment):
    code, _, err = run(["predict", str(model_file), *inputs], capsys)
    assert_one_error_line(code, err, fragment)


def test_predict_reads_negative_and_unicode_minus_values(model_file, capsys):
    code, out, err = run(["predict", str(model_file), "-0.5", "\u22120.5", "0.5"], capsys)
    assert code == 0, err  # -0.5 once was "No such option: -0.5"
    negative, minus_sign, positive = (float(v) for v in out.split())
    assert negative == minus_sign and np.isfinite(negative) and positive == pytest.approx(0.25, abs=1e-3)


@pytest.mark.parametrize("name, content, fragment", [
    ("wrong_columns.csv", b"a\n0.5\n", "lacks input column(s) x"),
    ("empty_cell.csv", b"x,z\n0.5,1\n,2\n", "finite"),
    ("header_only.csv", b"x\n", "no input points"),
    ("binary.csv", bytes(range(256)) * 4, "not a text CSV"),
    ("too_wide.npy", None, "shape (3, 2)"),
])
def test_a_hostile_predict_file_is_one_error_line(model_file, tmp_path, capsys, name, content, fragment):
    path = tmp_path / name
    if content is None:
        np.save(path, np.zeros((3, 2)))
    else:
        path.write_bytes(content)
    code, _, err = run(["predict", str(model_file), str(path)], capsys)
    assert_one_error_line(code, err, fragment)


def test_predict_reads_a_csv_without_header_and_a_npy(model_file, tmp_path, capsys):
    (tmp_path / "points.csv").write_text("0.5\n0.25\n")
    np.save(tmp_path / "points.npy", np.array([0.5, 0.25]))
    for name in ("points.csv", "points.npy"):
        code, out, err = run(["predict", str(model_file), str(tmp_path / name)], capsys)
        assert code == 0, err
        np.testing.assert_allclose([float(v) for v in out.split()], [0.25, 0.0625], atol=1e-3)


@pytest.mark.parametrize("make, fragment", [
    (lambda p: _write(p / "empty.nnfit", b""), "not an nnfit model file"),
    (lambda p: _write(p / "text.nnfit", b"hello"), "not an nnfit model file"),
    (lambda p: _write(p / "huge.nnfit", (10**15).to_bytes(8, "little") + b"{}"), "not an nnfit model file"),
    (lambda p: _foreign_safetensors(p / "other.nnfit"), "not an nnfit model"),
    (lambda p: p / "missing.nnfit", "no such model file"),
])
def test_a_bad_model_file_is_one_error_line_for_predict_and_explain(tmp_path, capsys, make, fragment):
    path = make(tmp_path)
    code, _, err = run(["predict", str(path), "0.5"], capsys)
    assert_one_error_line(code, err, fragment)
    code, _, err = run(["explain", str(path), "--time-limit", "2"], capsys)
    assert_one_error_line(code, err)


def _write(path, data):
    path.write_bytes(data)
    return path


def _foreign_safetensors(path):
    import torch
    from safetensors.torch import save_file

    save_file({"w": torch.zeros(3)}, str(path))
    return path


def test_explain_of_a_binary_non_model_file_is_one_error_line(tmp_path, capsys):
    path = _foreign_safetensors(tmp_path / "weights.safetensors")
    code, _, err = run(["explain", str(path), "--time-limit", "2"], capsys)
    assert_one_error_line(code, err, "not a text CSV")


@pytest.mark.parametrize("content, extra, fragment", [
    ("formula,ranges\n", [], "no formulas"),
    ("a,b\n1,2\n", [], "no 'formula' or 'ranges' column"),
    ("", [], "not a readable CSV"),
    ("formula,ranges\nx,x:0:1\n", ["--set", "bogus=1"], "no such setting"),
    ("formula,ranges\nx,x:0:1\n", ["--set", "max_seconds"], "KEY=V1,V2"),
])
def test_a_malformed_batch_is_one_error_line(tmp_path, capsys, content, extra, fragment):
    path = tmp_path / "formulas.csv"
    path.write_text(content)
    code, _, err = run(["batch", str(path), "--out", str(tmp_path / "out"), "--engine", "sequential", "--quiet",
                        *extra], capsys)
    assert_one_error_line(code, err, fragment)


def test_bad_batch_rows_fail_alone_with_their_reasons(tmp_path, capsys):
    import pandas as pd

    path = tmp_path / "formulas.csv"
    path.write_text("formula,ranges\n__import__('os'),x:0:1\nx,x:a:b\nx,\nx*y,x:0:1\nx,x:0:1:2\n")
    code, _, err = run(["batch", str(path), "--out", str(tmp_path / "out"), "--engine", "sequential", "--quiet"], capsys)
    assert code == 0, err
    results = pd.read_csv(tmp_path / "out" / "results.csv")
    assert list(results["status"]) == ["failed"] * 5
    for error, fragment in zip(results["error"], ["unknown function", "cannot read domain", "empty 'ranges'",
                                                   "no range given", "not 'name:low:high'"]):
        assert fragment in error and "Traceback" not in error


# -- the Python API ------------------------------------------------------------------------------------

@pytest.mark.parametrize("domain, fragment", [
    ({"x": None}, "must be (low, high)"),
    ({"x": (None, 1)}, "real numbers"),
    ({"x": ("a", "b")}, "domain of 'x'"),
    ({"x": (0, 1, 2)}, "must be (low, high)"),
    ({"x": (1j, 2)}, "real numbers"),
    ({"x": (True, 2)}, "real numbers"),
    ({1: (0, 1)}, "identifiers"),
    ({"x y": (0, 1)}, "identifiers"),
    ({"x": (0, float("inf"))}, "finite"),
    ({"x": (2, 1)}, "empty domain"),
    ("x:0:1", "mapping"),
    ({}, "no range given"),
])
def test_fit_function_with_a_bad_domain_raises_a_clear_nnfit_error(domain, fragment):
    from nnfit.errors import NNFitError
    from nnfit.fit import fit_function

    with pytest.raises(NNFitError) as caught:
        fit_function("x", domain=domain, max_seconds=1, n_samples=50)
    assert fragment in str(caught.value) and "\n" not in str(caught.value)


def test_a_failing_target_function_is_a_data_error_naming_it():
    from nnfit.errors import DataError
    from nnfit.fit import fit_function

    def broken(x):
        raise ZeroDivisionError("division by zero")

    with pytest.raises(DataError, match="'broken' failed.*ZeroDivisionError"):
        fit_function(broken, domain={"x": (0, 1)}, max_seconds=1)


@pytest.mark.parametrize("X, y", [
    (np.zeros((10, 2, 2)), np.zeros(10)),
    ([["a", "b"]] * 10, np.zeros(10)),
    (np.random.default_rng(0).random((20, 2)), np.full(20, np.nan)),
    (np.zeros((1, 2)), np.zeros(1)),
    (np.zeros((2, 2)), np.zeros(2)),
    (np.zeros((20, 0)), np.zeros(20)),
    (np.zeros((20, 2)), np.zeros(10)),
    (np.ones((20, 2)) * 1j, np.zeros(20)),
])
def test_the_estimator_refuses_bad_data_with_a_value_error(X, y):
    from nnfit.fit import NNFitRegressor

    with pytest.raises(ValueError):
        NNFitRegressor(max_seconds=1, restarts=1).fit(X, y)


def test_an_object_column_in_a_frame_is_refused():
    import pandas as pd

    from nnfit.fit import NNFitRegressor

    frame = pd.DataFrame({"a": ["x"] * 20, "b": range(20)})
    with pytest.raises(ValueError, match="could not convert"):
        NNFitRegressor(max_seconds=1, restarts=1).fit(frame, np.arange(20.0))


def test_predict_before_fit_is_not_fitted_error():
    from sklearn.exceptions import NotFittedError

    from nnfit.fit import NNFitRegressor

    with pytest.raises(NotFittedError):
        NNFitRegressor().predict(np.zeros((3, 1)))


def test_a_variable_named_like_an_option_takes_its_range_through_var(capsys):
    code, _, err = run(["fit", "x*seed", "--x", "0:1", *QUICK_FIT], capsys)
    assert_one_error_line(code, err, "--var seed=0:1")
    code, out, err = run(["fit", "x*seed", "--x", "0:1", "--var", "seed=1:2", "--format", "json", *QUICK_FIT], capsys)
    assert code == 0, err
    assert sorted(json.loads(out)["inputs"]) == ["seed", "x"]


@pytest.mark.parametrize("argv, fragment", [
    (["--x", "0:1", "--x", "0:2"], "given twice"),
    (["--var", "x"], "NAME=LOW:HIGH"),
    (["--x", "0:1", "--var", "x=0:2"], "two ranges"),
])
def test_a_range_given_twice_or_malformed_is_one_error_line(capsys, argv, fragment):
    code, _, err = run(["fit", "x", *argv, *QUICK_FIT], capsys)
    assert_one_error_line(code, err, fragment)


def test_batch_ranges_take_unicode_and_keyword_names():
    from nnfit.batch.jobs import parse_ranges

    assert parse_ranges("\u03bb:1:2;lambda:0:2*pi") == {"\u03bb": (1.0, 2.0), "lambda": (0.0, pytest.approx(2 * np.pi))}


@pytest.mark.parametrize("argv, fragment", [
    (["fit", "exp(x)", "--x", "0:700"], "overflow"),
    (["fit", "x", "--x", "0:1e200"], "input 'x' reaches"),
    (["fit", "1e-200*x", "--x", "0:1"], "underflow"),
    (["fit", "x", "--x", "0:1", "--integer"], "one integer 0"),
])
def test_values_whose_squares_leave_float64_are_refused(capsys, argv, fragment):
    code, _, err = run([*argv, *QUICK_FIT], capsys)  # once: a fit with inf/nan metrics
    assert_one_error_line(code, err, fragment)


def test_a_table_with_values_near_1e300_names_the_column(tmp_path, capsys):
    path = tmp_path / "huge.csv"
    path.write_text("a,y\n" + "".join(f"{i}e300,{i}\n" for i in range(1, 30)))
    code, _, err = run(["fit", str(path), *QUICK_FIT], capsys)
    assert_one_error_line(code, err, "column 'a'", "overflow")
