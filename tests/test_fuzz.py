"""Property-based: random and mutated formulas, CSV files and model files, fed to the command line.

Whatever comes in, nnfit answers exit 0 (the input was valid) or exit 2 with one `error:` line; never
a traceback, never a file written by the input, each example within 10 s. Deterministic
(derandomized, no example database); a few hundred examples in all, run in the default suite.
A longer search with fresh examples: NNFIT_FUZZ_SCALE=20 pytest tests/test_fuzz.py.
"""
import json
import math
import os

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is in the test extra: pip install -e '.[test]'")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from nnfit.cli import main  # noqa: E402


# NNFIT_FUZZ_SCALE=20 runs twenty times the examples, with fresh random ones (a longer search, by hand).
SCALE = float(os.environ.get("NNFIT_FUZZ_SCALE", "1"))


def fuzz(examples: int):
    return settings(max_examples=max(1, int(examples * SCALE)), deadline=10_000, derandomize=SCALE == 1,
                    database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large])


CHEAP_FIT = ["--max-seconds", "0.2", "--samples", "16", "--hidden", "4", "--format", "json"]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def marker(scratch):
    return scratch / "written_by_the_input"


@pytest.fixture(scope="module")
def warm():
    """One fit before the examples: the first one pays seconds of imports, which is not the input's doing."""
    assert main(["fit", *CHEAP_FIT, "x", "--x", "0:1"]) == 0


@pytest.fixture(scope="module")
def model_file(scratch):
    from nnfit.fit import fit_function

    model = fit_function("x**2 + y", domain={"x": (0, 1), "y": (-1, 1)}, n_samples=200, restarts=1, max_seconds=3)
    return model.save(scratch / "model.nnfit")


def cli(argv, capsys):
    code = main(argv)
    captured = capsys.readouterr()
    hypothesis.event(f"exit {code}")  # --hypothesis-show-statistics shows how many inputs were valid
    assert code in (0, 2), (argv[:3], code, captured.err[-500:])
    assert "Traceback" not in captured.err
    if code == 2:
        errors = [line for line in captured.err.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1 and len(errors[0]) < 400, captured.err[-500:]
    return code, captured.out


# -- formulas ----------------------------------------------------------------------------------------

TOKENS = ["x", "x", "y", "1", "0", "9", "2.5", "1e308", "10**400", "(", "(", ")", ")", "+", "-", "*", "/",
          "**", "^", "%", ",", ".", " ", "=", "'", "[", "]", "{", "}", ":", "\\", "\n", "\x00", "_x",
          "sin(", "gamma(", "pow(", "exp(", "log(", "floor(", "max(", "min(", "sqrt(", "abs(", "atan2(",
          "sign(", "pi", "e", "lambda:", "if", "not", "__class__", "1j", "True", "None", "…", "ε",
          "__import__('os').system('touch {marker}')", "open('{marker}', 'w')",
          "exec(\"open('{marker}','w')\")", "__import__('pathlib').Path('{marker}').touch()"]
VALID = ["10*sin(3*x)", "x**2 + 2*x + 2", "exp(-x)*cos(pi*x)", "pow(x, 3) - x", "gamma(x + 1)",
         "sqrt(abs(x)) + log(x + 1)", "atan2(x, 1) * max(x, 0.5)", "y = x^2", "floor(10*x) % 3"]


@st.composite
def mutated(draw, seeds):
    """A valid formula with a few characters inserted, deleted or replaced."""
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "token"]))
        if action == "insert":
            text = text[:at] + draw(st.characters()) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + 1:]
        elif action == "replace":
            text = text[:at] + draw(st.characters()) + text[at + 1:]
        else:
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
    return text


formula_strings = st.one_of(
    st.lists(st.sampled_from(TOKENS), min_size=1, max_size=30).map("".join),
    mutated(VALID),
    st.text(min_size=1, max_size=60),
    st.integers(1, 6).map(lambda n: "pow(9, " * n + "9" + ")" * n + "*x"),
    st.integers(100, 3000).map(lambda n: "(" * n + "x" + ")" * n),
)


@fuzz(200)
@given(formula=formula_strings)
def test_any_formula_string_is_a_fit_or_one_error_line(formula, capsys, marker, warm):
    formula = formula.replace("{marker}", str(marker))
    code, out = cli(["fit", *CHEAP_FIT, "--", formula, "--x", "0:1"], capsys)
    if code == 0:
        result = json.loads(out)
        assert result["inputs"] == ["x"] and "rmse" in result["metrics"]
    assert not marker.exists(), "a formula string wrote a file"


# -- CSV files ---------------------------------------------------------------------------------------

cells = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.text(max_size=6),
    st.sampled_from(["", "nan", "inf", "1e400", "0x1F", "1,5", "True", "[red]", "'", '"', "1_000", " 2 "]),
)


@st.composite
def csv_texts(draw):
    delimiter = draw(st.sampled_from([",", ";", "\t", " ", "|"]))
    header = draw(st.sampled_from([["x", "y"], ["y", "x"], ["x"], ["a", "b"], ["x", "y", "z"], ["x x", "y"],
                                   ["[bold]x", "y"], ["x", "x"]]))
    rows = draw(st.lists(st.lists(cells, min_size=len(header), max_size=len(header)), max_size=12))
    if draw(st.booleans()):  # mostly numbers, so that some files are valid
        rows += [[repr(draw(st.floats(-1, 1))) for _ in header] for _ in range(draw(st.integers(0, 12)))]
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n", "\r\n"]))


csv_contents = st.one_of(csv_texts().map(lambda text: text.encode("utf-8", "surrogatepass")),
                         st.binary(max_size=200))


@fuzz(120)
@given(content=csv_contents)
def test_any_csv_given_to_predict_is_predictions_or_one_error_line(content, capsys, scratch, model_file):
    path = scratch / "inputs.csv"
    path.write_bytes(content)
    code, out = cli(["predict", str(model_file), str(path)], capsys)
    if code == 0:  # one prediction per row; far outside the fitted range it may overflow to inf
        values = [float(v) for v in out.split()]
        assert values and not any(math.isnan(v) for v in values)


@fuzz(30)
@given(content=csv_contents)
def test_any_csv_given_to_fit_is_a_fit_or_one_error_line(content, capsys, scratch, warm):
    path = scratch / "table.csv"
    path.write_bytes(content)
    cli(["fit", str(path), "--max-seconds", "0.2", "--hidden", "4", "--format", "json"], capsys)


# -- model files -------------------------------------------------------------------------------------

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10**12), 10**12), st.floats(allow_nan=False),
              st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)


@st.composite
def header_mutations(draw, keys):
    """A list of (path, value or None to delete) edits to a model header."""
    edits = []
    for _ in range(draw(st.integers(1, 3))):
        path = [draw(st.sampled_from(keys))]
        if path[0] == "outputs" and draw(st.booleans()):
            path += [0, "stages", 0, draw(st.sampled_from(["hidden", "scale"]))]
        elif path[0] in ("x_transform", "y_transform") and draw(st.booleans()):
            path += [draw(st.sampled_from(["log_columns", "mean", "scale"]))]
        value = draw(st.one_of(st.none(), json_values, st.sampled_from(
            [[10**9], [0], [-1], ["24"], [True], 1e308, -0.0, "nan", [[1]], "__import__('os')"])))
        edits.append((path, value))
    return edits


def apply_edits(meta, edits):
    for path, value in edits:
        holder = meta
        try:
            for key in path[:-1]:
                holder = holder[key]
            if value is None:
                holder.pop(path[-1], None) if isinstance(holder, dict) else holder.pop(path[-1])
            else:
                holder[path[-1]] = value
        except (KeyError, IndexError, TypeError, AttributeError):
            continue  # the path no longer exists after an earlier edit
    return meta


HEADER_KEYS = ["format", "version", "activation", "inputs", "targets", "y_was_1d", "x_transform", "y_transform",
               "outputs", "params", "metrics", "summary", "target", "expression", "domain"]


@fuzz(100)
@given(edits=header_mutations(HEADER_KEYS))
def test_any_forged_model_header_is_predictions_or_one_error_line(edits, capsys, scratch, model_file):
    from safetensors import safe_open
    from safetensors.torch import save_file

    with safe_open(str(model_file), framework="pt") as handle:
        meta = json.loads(handle.metadata()["nnfit"])
        tensors = {key: handle.get_tensor(key) for key in handle.keys()}
    forged = scratch / "forged.nnfit"
    save_file(tensors, str(forged), metadata={"nnfit": json.dumps(apply_edits(meta, edits))})
    code, out = cli(["predict", str(forged), "0.5", "0.25"], capsys)
    if code == 0:
        assert len(out.split()) == 1


@fuzz(60)
@given(data=st.data())
def test_any_damaged_model_file_is_predictions_or_one_error_line(data, capsys, scratch, model_file):
    content = bytearray(model_file.read_bytes())
    how = data.draw(st.sampled_from(["truncate", "flip", "splice"]))
    if how == "truncate":
        content = content[: data.draw(st.integers(0, len(content) - 1))]
    elif how == "flip":
        for _ in range(data.draw(st.integers(1, 8))):
            at = data.draw(st.integers(0, len(content) - 1))
            content[at] ^= 1 << data.draw(st.integers(0, 7))
    else:
        at = data.draw(st.integers(0, len(content)))
        content[at:at] = data.draw(st.binary(min_size=1, max_size=16))
    damaged = scratch / "damaged.nnfit"
    damaged.write_bytes(bytes(content))
    cli(["predict", str(damaged), "0.5", "0.25"], capsys)
