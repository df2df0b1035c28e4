"""`nnfit doctor lint` on the four seed code blocks, exactly as pasted (tests/fixtures/), with lines."""
from __future__ import annotations

from pathlib import Path

import pytest

from nnfit.doctor import lint as L

FIXTURES = Path(__file__).parent / "fixtures"


def _lint(name: str):
    path = FIXTURES / name
    run = L.analyse_source(L.read_script(path), str(path))
    return run, L.lint_run(run)


def _at(findings, code: str, line: int):
    hits = [f for f in findings if f.code == code and f.location.line == line]
    assert hits, f"no {code} at line {line}; got {[(f.code, f.location.line) for f in findings]}"
    return hits


def _source_line(name: str, line: int) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8").split("\n")[line - 1]


# ---- seed 1: Keras sine with a 1-unit sigmoid bottleneck


SEED1 = "seed1_keras_sine.py"


def test_seed1_width1_sigmoid_bottleneck_found_at_its_layer():
    _, findings = _lint(SEED1)
    (f,) = _at(findings, "NF101", 22)
    assert "Dense(1, activation='sigmoid'" in _source_line(SEED1, 22)
    assert f.severity.value == "error" and "1 sigmoid unit" in f.message and "50" in f.message


def test_seed1_one_epoch_batch_100_on_10000_samples_is_too_few_updates():
    run, findings = _lint(SEED1)
    assert (run.config.epochs, run.config.batch_size, run.data.n_samples) == (1, 100, 10000)
    (f,) = _at(findings, "NF102", 44)
    assert "100 parameter updates" in f.message


def test_seed1_sgd_object_built_but_string_sgd_passed():
    run, findings = _lint(SEED1)
    built = run.config.optimizers_built
    assert [(o.name, o.learning_rate, o.variable, o.passed_to_compile) for o in built] == [("sgd", 0.05, "sgd", False)]
    assert run.config.optimizer.arguments.get("string") == "sgd" and run.config.optimizer.line == 27
    (f,) = _at(findings, "NF109", 26)
    assert f.severity.value == "error"


def test_seed1_keras2_names_reported_with_keras3_replacements():
    _, findings = _lint(SEED1)
    legacy = {(f.location.line, f.evidence["old"], f.evidence["new"]) for f in findings if f.code == "NF117"}
    assert {(22, "init=", "kernel_initializer="), (23, "init=", "kernel_initializer="),
            (24, "output_dim=", "units="), (26, "lr=", "learning_rate="), (44, "nb_epoch=", "epochs=")} <= legacy
    assert any(old == "decay=" for _, old, _ in legacy)
    fix = next(f.fix for f in findings if f.code == "NF117" and f.evidence["old"] == "nb_epoch=")
    assert fix == "replace `nb_epoch=1` with `epochs=1`"


def test_seed1_caret_points_at_the_keyword():
    run, findings = _lint(SEED1)
    f = next(f for f in findings if f.code == "NF117" and f.location.line == 44)
    line = _source_line(SEED1, 44)
    assert line[f.location.column - 1:f.location.end_column - 1] == "nb_epoch=1"
    text = L.render_text([f], run)
    assert "--> " in text and "44 |     r.fit(X, Y, batch_size=100, nb_epoch=1)" in text
    caret_line = text.split("\n")[4]
    assert caret_line.index("^") - caret_line.index("|") - 2 == f.location.column - 1


def test_seed1_targets_read_from_the_sine_literal():
    run, _ = _lint(SEED1)
    (x,), (t,) = run.data.inputs, run.data.targets
    assert (x.min, x.max) == (0.0, 1.0)
    assert t.min == pytest.approx(0.0) and t.max == pytest.approx(10.0, rel=1e-4)


# ---- seed 2: NumPy network flattened onto one line


SEED2 = "seed2_numpy_x2.py"


def test_seed2_fixture_is_one_flattened_line():
    text = (FIXTURES / SEED2).read_text(encoding="utf-8")
    assert text.count("\n") == 1 and len(text) > 4000 and text.rstrip().endswith("passNeural_Net('linear', 0.0001, 10).train_model()")


def test_seed2_update_that_subtracts_the_weights_is_found_in_the_flattened_line():
    _, findings = _lint(SEED2)
    wrong = {f.evidence["parameter"]: f for f in findings if f.code == "NF116"}
    assert {"W_hidden", "W_input"} <= set(wrong)
    line = _source_line(SEED2, 1)
    for name in ("W_hidden", "W_input"):
        f = wrong[name]
        assert f.location.line == 1 and f.severity.value == "error"
        span = line[f.location.column - 1:f.location.end_column - 1]
        assert span == f"self.{name} = w_{name[2:].lower()}_old - learning_rate * self.{name}"
        assert "themselves" in f.message
        assert f"learning_rate * self.Partials_{name} (then check" in f.fix


def test_seed2_output_update_with_the_wrong_gradient_is_found():
    _, findings = _lint(SEED2)
    f = next(f for f in findings if f.code == "NF116" and f.evidence["parameter"] == "W_output")
    assert "Output_Gradient" in f.message and "Partials_W_output" in f.message


def test_seed2_flattening_missing_bias_and_for_else_reported():
    run, findings = _lint(SEED2)
    kinds = {f.evidence.get("kind") for f in findings if f.code == "NF121"}
    assert {"flattened", "for-else"} <= kinds
    assert any(f.code == "NF119" for f in findings)
    assert [la.name for la in run.layers] == ["W_input", "W_hidden", "W_output"]
    assert [(la.input_units, la.units) for la in run.layers] == [(1, 3), (3, 3), (3, 1)]


# ---- seed 3: Adam(0.1) with batch size 1


SEED3 = "seed3_parabola_adam.py"


def test_seed3_adam_0_1_with_batch_1_is_risky():
    run, findings = _lint(SEED3)
    assert (run.config.optimizer.name, run.config.optimizer.learning_rate, run.config.batch_size) == ("adam", 0.1, 1)
    (f,) = _at(findings, "NF103", 17)
    assert "0.1" in f.message and "batch size 1" in f.message
    _at(findings, "NF124", 19)
    assert not any(f.severity.value == "error" for f in findings)


def test_seed3_custom_square_activation_is_recorded():
    run, _ = _lint(SEED3)
    assert run.layers[0].activation.startswith("custom:lambda x: x ** 2")
    assert run.data.targets[0].min == pytest.approx(2.0) and run.data.targets[0].max == pytest.approx(5.0)


# ---- seed 4: products of integers, Python 2 prints


SEED4 = "seed4_multiply.py"


def test_seed4_unnormalised_integer_inputs_up_to_500():
    run, findings = _lint(SEED4)
    assert [(c.min, c.max, c.is_integer) for c in run.data.inputs] == [(0.0, 499.0, True)] * 2
    assert run.data.n_samples == 10000
    (f,) = _at(findings, "NF105", 28)
    assert "499" in f.message


def test_seed4_products_up_to_250000_as_targets():
    run, findings = _lint(SEED4)
    (t,) = run.data.targets
    assert (t.min, t.max, t.is_integer) == (0.0, 499.0 * 499.0, True)
    (f,) = _at(findings, "NF106", 28)
    assert "2.5e+05" in f.message


def test_seed4_accuracy_on_a_regression():
    _, findings = _lint(SEED4)
    _at(findings, "NF108", 27)


def test_seed4_relu_output_layer_is_read():
    run, _ = _lint(SEED4)
    out = run.layers[-1]
    assert (out.line, out.units, out.activation) == (25, 1, "relu")


def test_seed4_relu_output_flagged():
    _, findings = _lint(SEED4)
    _at(findings, "NF107", 25)
    assert next(f for f in findings if f.code == "NF107").severity.value == "warning"


def test_seed4_python2_prints_reported_and_the_rest_still_read():
    run, findings = _lint(SEED4)
    prints = sorted(f.location.line for f in findings if f.code == "NF121")
    assert prints == [35, 39]
    f = next(f for f in findings if f.code == "NF121" and f.location.line == 39)
    assert f.fix == "print('\\n total rmse error: ', sqrt(np.sum(np.array(sq_error))))"
    assert len(run.layers) == 5


@pytest.mark.parametrize("name", [SEED1, SEED2, SEED4])
def test_failing_seeds_exit_code_1(name):
    _, findings = _lint(name)
    assert L.exit_code(findings) == 1


def test_seed2_restored_example_gets_the_same_findings_with_real_lines():
    path = Path(__file__).resolve().parents[1] / "examples" / "numpy_x2" / "seed2_network.py"
    run = L.analyse_source(L.read_script(path), str(path))
    findings = L.lint_run(run)
    wrong = {(f.evidence["parameter"], f.location.line) for f in findings if f.code == "NF116"}
    assert wrong == {("W_output", 73), ("W_hidden", 76), ("W_input", 80)}
    assert any(f.code == "NF119" for f in findings)
    fixed = Path(__file__).resolve().parents[1] / "examples" / "numpy_x2" / "fixed_network.py"
    assert L.lint_file(fixed) == []
