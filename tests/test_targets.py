"""Formula parsing (safe: nothing evaluated), domains, and the input kinds a fit accepts."""
import math

import numpy as np
import pandas as pd
import pytest
import sympy as sp

from nnfit.errors import DataError, FormulaError, NNFitError
from nnfit.targets import (callable_target, formula_target, parse_domain, parse_formula, read_table,
                           table_target)


@pytest.mark.parametrize("text, expected", [
    ("10*sin(3*x)", "10*sin(3*x)"),
    ("x^2 + 2*x + 2", "x**2 + 2*x + 2"),
    ("y = a*b", "a*b"),
    ("exp(-x)*cos(pi*x)", "exp(-x)*cos(pi*x)"),
    ("log(x+1) + sqrt(abs(x))", "log(x + 1) + sqrt(Abs(x))"),
])
def test_formula_parses_to_the_expected_expression(text, expected):
    parsed = parse_formula(text)
    symbols = {str(s): s for s in parsed.free_symbols}
    assert sp.simplify(parsed - sp.sympify(expected, locals=symbols)) == 0


# {marker} is replaced by a path under the test's tmp_path: the strings that would write a file
# write it there, where the test looks for it.
WRITES_MARKER = [
    "__import__('os').system('touch {marker}')",
    "open('{marker}', 'w').write('x')",
    "__import__('pathlib').Path('{marker}').touch()",
    "[open('{marker}', 'w') for x in range(1)]",
    "(lambda: __import__('os').system('touch {marker}'))()",
    "exec(\"open('{marker}', 'w')\")",
]


@pytest.mark.parametrize("hostile", WRITES_MARKER + [
    "x.__class__.__mro__",
    "[x for x in range(10)]",
    "eval('1+1')",
    "x if x > 0 else -x",
    "globals()",
    "x[0]",
    "'a string'",
    "_secret + 1",
    "(x:=1)",
    "1" + "+1" * 3000,
    "sin(" * 150 + "x" + ")" * 150,
    "x**100000",
])
def test_hostile_formula_is_refused_with_one_line_error(hostile, tmp_path):
    marker = tmp_path / "nnfit_pwned"
    with pytest.raises(FormulaError) as info:
        parse_formula(hostile.replace("{marker}", str(marker)))
    message = str(info.value)
    assert "\n" not in message and len(message) < 400
    assert not marker.exists()


@pytest.mark.parametrize("hostile", WRITES_MARKER)
def test_the_marker_check_can_fail(hostile, tmp_path):
    """Evaluated as Python, each of these strings does write the marker the test above looks for."""
    marker = tmp_path / "nnfit_pwned"
    eval(hostile.replace("{marker}", str(marker)))  # noqa: S307 - the point: this is what nnfit never does
    assert marker.exists()


def test_harmonic_is_the_sum_of_reciprocals_at_integers():
    target = formula_target("harmonic(n)", {"n": (1, 50)})
    n = np.arange(1.0, 51.0)
    expected = np.cumsum(1 / n)
    np.testing.assert_allclose(target.evaluate(n[:, None])[:, 0], expected, rtol=1e-13)
    between = target.evaluate(np.array([[2.5]]))[0, 0]
    assert expected[1] < between < expected[2]  # the smooth continuation rises between integers


def test_formula_target_evaluates_vectorised_over_domain():
    target = formula_target("a*b + 1", {"a": (0, 2), "b": "0:3"})
    X, Y = target.sample(50, np.random.default_rng(0))
    assert X.shape == (50, 2) and Y.shape == (50, 1)
    np.testing.assert_allclose(Y[:, 0], X[:, 0] * X[:, 1] + 1)


def test_formula_without_range_for_a_variable_is_an_error():
    with pytest.raises(NNFitError, match="no range given for variable"):
        formula_target("x*y", {"x": (0, 1)})


def test_integer_domain_samples_integers_upper_bound_excluded():
    target = formula_target("a*b", {"a": (0, 500), "b": (0, 500)}, integer=True)
    X, _ = target.sample(5000, np.random.default_rng(1))
    assert np.all(X == np.round(X)) and X.min() >= 0 and X.max() <= 499


@pytest.mark.parametrize("text", ["1:0", "0:0", "a:b", "5", "nan:1"])
def test_bad_domain_is_refused(text):
    with pytest.raises(NNFitError):
        parse_domain(text)


def test_callable_target_accepts_scalar_only_functions():
    target = callable_target(math.sin, {"x": (0, 1)})
    X, Y = target.sample(10, np.random.default_rng(0))
    np.testing.assert_allclose(Y[:, 0], np.sin(X[:, 0]))


def test_table_target_from_dataframe_keeps_column_names():
    frame = pd.DataFrame({"u": np.arange(10.0), "v": np.arange(10.0) ** 2})
    target = table_target(frame[["u"]], frame["v"])
    assert target.input_names == ["u"] and target.output_names == ["v"]


def test_csv_table_with_named_target_column(tmp_path):
    path = tmp_path / "data.csv"
    pd.DataFrame({"a": np.arange(20.0), "y": np.arange(20.0) * 2, "b": np.ones(20)}).to_csv(path, index=False)
    target = read_table(path, "y")
    assert target.input_names == ["a", "b"] and target.output_names == ["y"]
    np.testing.assert_allclose(target.Y[:, 0], np.arange(20.0) * 2)


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"\x00\xff\xfe\x89PNG binary", "cannot read"),
    (b"a,y\n1,2\n3,x\n", "column .y.*row 2.*not a number"),
])
def test_unreadable_table_gives_one_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(NNFitError, match=message):
        read_table(path, "y")


def test_unknown_column_is_named_in_the_error(tmp_path):
    path = tmp_path / "data.csv"
    pd.DataFrame({"a": np.arange(10.0), "y": np.arange(10.0)}).to_csv(path, index=False)
    with pytest.raises(DataError, match="no column 'z'.*columns are: a, y"):
        read_table(path, "z")


@pytest.mark.parametrize("X, y, message", [
    (np.array([[1.0], [np.nan]] * 5), np.ones(10), "NaN/inf"),
    (np.ones((10, 1)), np.array([1.0, np.inf] * 5), "NaN/inf"),
    (np.ones((10, 1)), np.ones(9), "rows"),
    (np.ones((0, 1)), np.ones(0), "empty"),
    (np.ones((10, 2, 2)), np.ones(10), "shapes"),
    ([["a"]] * 10, np.ones(10), "numeric"),
])
def test_bad_arrays_are_refused_with_the_reason(X, y, message):
    with pytest.raises(DataError, match=message):
        table_target(X, y)


def test_a_csv_row_longer_than_its_header_is_named_not_shifted(tmp_path):
    # pandas would otherwise read the extra field as an index column and shift every value left
    path = tmp_path / "ragged.csv"
    path.write_text("x,y\n1,2,3\n" + "".join(f"{i},{2 * i}\n" for i in range(20)))
    with pytest.raises(NNFitError, match=r"line 2: 3 fields, but the header has 2"):
        read_table(path)
    path.write_text("x,y\n" + "".join(f"{i},{2 * i}\n" for i in range(20)) + "20,40,60\n")
    with pytest.raises(NNFitError, match=r"line 22"):
        read_table(path)
