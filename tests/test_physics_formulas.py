"""Physics-style formulas: the names physicists use (lambda, gamma, E, I, N, pi as a variable, m_1, T_0),
the operators they type (^, −, ², ×), many inputs, and the read-back of their names.

The formulas here are generic shapes written for these tests (products of powers, ratios, roots of
sums of squares, exponentials of ratios, cosines of angles); none is taken from a benchmark list.
"""
import json
import re

import numpy as np
import pytest
import sympy as sp

from nnfit.cli import main
from nnfit.errors import FormulaError, NNFitError
from nnfit.targets import formula_target, parse_domain, parse_formula

RNG_SEED = 7


def values_of(formula, domain, n=64):
    """The formula's target values and its inputs as a {name: column} dict, on points drawn from its domain."""
    target = formula_target(formula, domain)
    X, Y = target.sample(n, np.random.default_rng(RNG_SEED))
    return target, {name: X[:, j] for j, name in enumerate(target.input_names)}, Y[:, 0]


# -- names: a name with a domain is a variable --------------------------------------------------------

# (formula, domain, the same formula as numpy code over the columns `v`)
NAMED = [
    ("h*c/lambda", {"h": (1, 2), "c": (1, 2), "lambda": (1, 2)}, lambda v: v["h"] * v["c"] / v["lambda"]),
    ("gamma*x", {"gamma": (1, 2), "x": (1, 2)}, lambda v: v["gamma"] * v["x"]),
    ("beta**2*x", {"beta": (1, 2), "x": (1, 2)}, lambda v: v["beta"] ** 2 * v["x"]),
    ("E*I", {"E": (1, 2), "I": (1, 2)}, lambda v: v["E"] * v["I"]),
    ("N*S/Q", {"N": (1, 2), "S": (1, 2), "Q": (1, 2)}, lambda v: v["N"] * v["S"] / v["Q"]),
    ("e*x", {"e": (1, 2), "x": (1, 2)}, lambda v: v["e"] * v["x"]),
    ("pi*r**2", {"pi": (1, 2), "r": (1, 2)}, lambda v: v["pi"] * v["r"] ** 2),
    ("in*is + as", {"in": (1, 2), "is": (1, 2), "as": (1, 2)}, lambda v: v["in"] * v["is"] + v["as"]),
    ("lambda*exp(-lambda*t)", {"lambda": (0.5, 2), "t": (0, 3)}, lambda v: v["lambda"] * np.exp(-v["lambda"] * v["t"])),
    ("m_1*m_2/r_12**2", {"m_1": (1, 5), "m_2": (1, 5), "r_12": (1, 3)}, lambda v: v["m_1"] * v["m_2"] / v["r_12"] ** 2),
    ("E_n*exp(-E_n/T_0)", {"E_n": (1, 2), "T_0": (1, 2)}, lambda v: v["E_n"] * np.exp(-v["E_n"] / v["T_0"])),
    ("sigma*T^4", {"sigma": (1, 2), "T": (1, 2)}, lambda v: v["sigma"] * v["T"] ** 4),
    ("sqrt(x1**2 + x2**2 + q2**2)", {"x1": (-1, 1), "x2": (-1, 1), "q2": (1, 2)},
     lambda v: np.sqrt(v["x1"] ** 2 + v["x2"] ** 2 + v["q2"] ** 2)),
    ("A*cos(omega*t - theta)", {"A": (1, 2), "omega": (1, 3), "t": (0, 1), "theta": (0, 1)},
     lambda v: v["A"] * np.cos(v["omega"] * v["t"] - v["theta"])),
    ("mu*nu/(rho + delta)", {"mu": (1, 2), "nu": (1, 2), "rho": (1, 2), "delta": (1, 2)},
     lambda v: v["mu"] * v["nu"] / (v["rho"] + v["delta"])),
    ("1.5e-3*chi*epsilon + alpha", {"chi": (1, 2), "epsilon": (1, 2), "alpha": (1, 2)},
     lambda v: 1.5e-3 * v["chi"] * v["epsilon"] + v["alpha"]),
]


@pytest.mark.parametrize("formula, domain, truth", NAMED, ids=[row[0] for row in NAMED])
def test_a_name_with_a_domain_is_a_variable_with_the_users_name(formula, domain, truth):
    target, columns, y = values_of(formula, domain)
    assert sorted(target.input_names) == sorted(domain)
    assert {str(s) for s in target.expression.free_symbols} == set(domain)
    assert all(s.is_real and isinstance(s, sp.Symbol) for s in target.expression.free_symbols)
    np.testing.assert_allclose(y, truth(columns), rtol=1e-12)


def test_e_and_pi_stay_constants_without_a_domain():
    target, columns, y = values_of("e*x + pi", {"x": (1, 2)})
    assert target.input_names == ["x"]
    np.testing.assert_allclose(y, np.e * columns["x"] + np.pi, rtol=1e-12)


def test_a_called_name_stays_a_function_beside_the_variable_of_that_name():
    target, columns, y = values_of("gamma*gamma(x)", {"gamma": (1, 2), "x": (2, 3)})
    from scipy.special import gamma as gamma_function

    np.testing.assert_allclose(y, columns["gamma"] * gamma_function(columns["x"]), rtol=1e-12)


def test_a_variable_named_like_a_function_used_beside_that_function_evaluates():
    target, columns, y = values_of("exp*exp(x)", {"exp": (1, 2), "x": (0, 1)})
    np.testing.assert_allclose(y, columns["exp"] * np.exp(columns["x"]), rtol=1e-12)


def test_calling_a_variable_says_it_is_a_variable():
    with pytest.raises(FormulaError, match="'m' is a variable here"):
        formula_target("m(x)", {"m": (1, 2), "x": (1, 2)})


def test_sympy_names_stay_plain_real_symbols():
    expr = parse_formula("E*I + N*S*Q + beta*gamma", variables=["E", "I", "N", "S", "Q", "beta", "gamma"])
    assert not expr.has(sp.E, sp.I, sp.EulerGamma)
    assert all(type(s) is sp.Symbol and s.is_real for s in expr.free_symbols)
    assert sp.latex(expr)  # printable as LaTeX with those names


def test_a_keyword_without_a_range_names_the_missing_range():
    with pytest.raises(NNFitError, match=r"no range given for variable 'lambda'.*--lambda"):
        formula_target("h*c/lambda", {"h": (1, 2), "c": (1, 2)})


def test_a_keyword_used_as_python_syntax_is_still_refused():
    with pytest.raises(FormulaError, match="lambda is not allowed"):
        formula_target("lambda x: x + 1", {"x": (0, 1)})
    with pytest.raises(FormulaError, match="unknown function 'lambda x: x'"):
        formula_target("(lambda x: x)(1) + x", {"x": (0, 1)})


def test_parser_normalised_names_match_the_users_spelling():
    # Python's parser reads identifiers NFKC-normalised: a micro sign (U+00B5) becomes a Greek mu
    target, columns, y = values_of("\u00b5*x", {"\u00b5": (1, 2), "x": (1, 2)})
    assert "\u00b5" in target.input_names
    np.testing.assert_allclose(y, columns["\u00b5"] * columns["x"], rtol=1e-12)


# -- operators as typed in papers ---------------------------------------------------------------------

@pytest.mark.parametrize("typed, plain", [
    ("x\u00b2 \u2212 1", "x**2 - 1"),
    ("x\u207b\u00b9 + 2\u00d7x", "x**-1 + 2*x"),
    ("x^3 \u00f7 2", "x**3/2"),
    ("2\u00b7x", "2*x"),
])
def test_typographic_operators_read_as_python_operators(typed, plain):
    assert sp.simplify(parse_formula(typed, variables=["x"]) - parse_formula(plain, variables=["x"])) == 0


@pytest.mark.parametrize("text, low, high", [
    ("0:2*pi", 0.0, 2 * np.pi), ("-pi/2:pi/2", -np.pi / 2, np.pi / 2), ("[1e-3, 5]", 1e-3, 5.0),
    ("\u22121:1", -1.0, 1.0), ("1..5", 1.0, 5.0),
])
def test_domain_bounds_may_be_constant_formulas(text, low, high):
    domain = parse_domain(text)
    assert (domain.low, domain.high) == pytest.approx((low, high), rel=1e-15)


def test_a_bound_glued_to_pi_is_refused_not_misread():
    with pytest.raises(NNFitError, match="cannot read domain"):
        parse_domain("0:2pi")  # once read as 23.14159...


# -- fits and the command line ------------------------------------------------------------------------

def run(argv, capsys):
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


QUICK = ["--max-seconds", "3", "--samples", "300"]


def test_cli_fits_a_formula_with_a_keyword_variable_and_predicts_by_name(tmp_path, capsys):
    model = tmp_path / "planck.nnfit"
    code, out, err = run(["fit", "h*c/lambda", "--h", "1:2", "--c", "1:2", "--lambda", "1:2", "--format", "json",
                          "--save", str(model), *QUICK], capsys)
    assert code == 0, err
    result = json.loads(out)
    assert sorted(result["inputs"]) == ["c", "h", "lambda"] and result["target"] == "h*c/lambda"
    assert result["metrics"]["nrmse"] < 0.1
    # columns by name, in any order: the same rows in two column orders predict the same values
    # (inside the domain, away from its corners, where a 3-second fit is least sure)
    predictions = []
    for name, text in (("by_name.csv", "lambda,h,c\n1.6,1.5,1.2\n1.25,1.8,1.5\n"),
                       ("reordered.csv", "h,c,lambda\n1.5,1.2,1.6\n1.8,1.5,1.25\n")):
        (tmp_path / name).write_text(text)
        code, out, err = run(["predict", str(model), str(tmp_path / name)], capsys)
        assert code == 0, err
        predictions.append([float(v) for v in out.split()])
    assert predictions[0] == predictions[1]
    np.testing.assert_allclose(predictions[0], [1.5 * 1.2 / 1.6, 1.8 * 1.5 / 1.25], rtol=0.1)


def test_predict_takes_negative_values(tmp_path, capsys):
    model = tmp_path / "m.nnfit"
    code, _, err = run(["fit", "a*b", "--a", "-1:1", "--b", "-1:1", "--save", str(model), *QUICK], capsys)
    assert code == 0, err
    code, out, err = run(["predict", str(model), "-0.5", "0.5"], capsys)
    assert code == 0, err
    assert float(out) == pytest.approx(-0.25, abs=0.05)


def test_explain_reads_the_target_back_with_euler_named_variables(tmp_path):
    """The model remembers its formula as text; read back with its inputs as variables, E is the
    input E (not Euler's number) and gamma the input gamma (not the gamma function)."""
    from nnfit.explain.api import _model_reference
    from nnfit.fit import NNFitRegressor, fit_function

    domain = {"E": (1, 2), "gamma": (1, 2), "x": (0, 1)}
    model = fit_function("E*gamma + x", domain=domain, max_seconds=2, n_samples=200)
    loaded = NNFitRegressor.load(model.save(tmp_path / "m.nnfit"))
    X = np.random.default_rng(0).uniform(1, 2, size=(20, 3))
    names = loaded.input_names_
    truth = X[:, names.index("E")] * X[:, names.index("gamma")] + X[:, names.index("x")]
    np.testing.assert_allclose(_model_reference(loaded, X), truth, rtol=1e-12)


def test_explain_prints_the_users_names(tmp_path, capsys):
    from nnfit.fit import fit_function

    model = fit_function("lambda*E", domain={"lambda": (1, 2), "E": (1, 2)}, max_seconds=2, n_samples=200)
    path = model.save(tmp_path / "m.nnfit")
    code, out, err = run(["explain", str(path), "--time-limit", "3", "--json"], capsys)
    assert code == 0, err
    result = json.loads(out)
    assert sorted(result["input_names"]) == ["E", "lambda"]
    from nnfit.targets import FUNCTIONS

    used = set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", result["formula"])) - set(FUNCTIONS)
    assert used <= {"E", "lambda"}
    for formula in result.get("carried_formulas", {}).values():  # the exact formula the model predicts with
        assert set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", formula)) - set(FUNCTIONS) <= {"E", "lambda"}


# (formula, domain): 4 to 9 inputs on positive ranges, as physics formulas have
MANY_INPUTS = [
    ("q1*q2/(4*pi*epsilon*r**2)", {"q1": (1, 5), "q2": (1, 5), "epsilon": (1, 2), "r": (1, 3)}),
    ("rho*c_p*dT*V/(tau*A_s)", {k: (1, 5) for k in ("rho", "c_p", "dT", "V", "tau", "A_s")}),
    ("x1*x2*x3*x4*x5*x6*x7*x8*x9", {f"x{i}": (1, 2) for i in range(1, 10)}),
]


def test_a_five_input_formula_fits_in_a_short_budget():
    from nnfit.fit import fit_function

    model = fit_function("E*I*exp(-gamma*t)/lambda",
                         domain={"E": (1, 2), "I": (1, 2), "gamma": (0.5, 1.5), "t": (0, 1), "lambda": (1, 3)},
                         max_seconds=4, n_samples=500)
    assert sorted(model.input_names_) == ["E", "I", "gamma", "lambda", "t"]
    assert np.isfinite(model.metrics_["nrmse"]) and model.metrics_["nrmse"] < 0.2


@pytest.mark.slow
@pytest.mark.parametrize("formula, domain", MANY_INPUTS, ids=[row[0] for row in MANY_INPUTS])
def test_many_input_formulas_fit(formula, domain):
    """A fit that learnt nothing predicts the mean: RMSE/std 1. The budget is wall-clock, so on a loaded
    machine the read-back may miss the exact formula and the network alone decides (0.13 seen for the
    6-input ratio at 10 s under load, 1.6e-16 when the read-back finished): the bound is far from both."""
    from nnfit.fit import fit_function

    model = fit_function(formula, domain=domain, max_seconds=10)
    assert sorted(model.input_names_) == sorted(domain)
    assert model.metrics_["nrmse"] < 0.5


def test_formula_of_a_model_that_predicts_with_an_exact_formula_keeps_the_users_symbols():
    from nnfit import fit_function

    model = fit_function("E*lambda/gamma", domain={"E": (1, 2), "lambda": (1, 2), "gamma": (1, 2)},
                         max_seconds=10, n_samples=400)
    if model.summary_.get("formula") is None:
        pytest.skip("the read-back missed the formula in its budget on this machine")
    expr = model.formula()
    assert {s.name for s in expr.free_symbols} == {"E", "lambda", "gamma"}
    assert float(expr.subs({s: 2.0 for s in expr.free_symbols})) == pytest.approx(2.0)   # not Euler's number
