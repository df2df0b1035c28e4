"""`nnfit explain` on data files and saved models; explain() on fitted NNFitRegressor models."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import sympy as sp

from nnfit.cli import main as _main


def main(argv):
    """The CLI's exit code (typer ends a successful command with SystemExit(0))."""
    try:
        return _main(argv)
    except SystemExit as exc:
        return exc.code or 0


@pytest.fixture
def sine_csv(tmp_path):
    x = np.random.default_rng(0).uniform(0, 1, 200)
    path = tmp_path / "sine.csv"
    pd.DataFrame({"x": x, "y": 10 * np.sin(3 * x)}).to_csv(path, index=False)
    return path


def test_explain_data_csv_prints_formula_and_heldout_rmse(sine_csv, capsys):
    assert main(["explain", str(sine_csv), "--target", "y"]) == 0
    out = capsys.readouterr().out
    assert "y = 10*sin(3*x)" in out
    assert "held-out RMSE" in out
    assert "Pareto" in out


def test_explain_json_output_is_machine_readable(sine_csv, capsys):
    assert main(["explain", str(sine_csv), "--target", "y", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["formula"] == "10*sin(3*x)"
    assert data["is_approximation"] is False
    assert data["candidates"]


def test_explain_unknown_column_is_one_line_error(sine_csv, capsys):
    assert main(["explain", str(sine_csv), "--target", "z"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no column 'z'") and err.count("\n") == 1


def test_explain_missing_file_is_one_line_error(tmp_path, capsys):
    assert main(["explain", str(tmp_path / "nope.nnfit")]) == 2
    assert "error: no such" in capsys.readouterr().err


def test_explain_unknown_method_is_refused(sine_csv, capsys):
    assert main(["explain", str(sine_csv), "--method", "magic"]) == 2
    assert "unknown method" in capsys.readouterr().err


def test_explain_rejects_column_names_that_are_not_symbols(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    x = np.linspace(0, 1, 30)
    pd.DataFrame({"x value": x, "y": x**2}).to_csv(path, index=False)
    assert main(["explain", str(path), "--target", "y"]) == 2
    assert "cannot be a formula symbol" in capsys.readouterr().err


@pytest.fixture(scope="module")
def parabola_model(tmp_path_factory):
    import torch

    from nnfit import fit  # nnfit's own module: a broken import is a failure, never a skip

    torch.set_num_threads(1)
    model = fit.fit_function("x**2 + 2*x + 2", domain={"x": (0, 1)}, n_samples=300, max_seconds=60, seed=0)
    assert model.metrics_["nrmse"] < 1e-6, "the fit engine did not fit the parabola; explain has nothing to read"
    path = tmp_path_factory.mktemp("model") / "parabola.nnfit"
    model.save(path)
    return model, path


def test_formula_read_from_a_fitted_model_beats_or_matches_the_network(parabola_model):
    from nnfit.explain import explain

    model, _ = parabola_model
    result = explain(model)
    x = sp.Symbol("x", real=True)
    assert sp.simplify(result.expression - (x**2 + 2 * x + 2)) == 0
    assert result.reference == "data" and result.fitted_to == "network predictions"
    assert result.formula_rmse <= result.network_rmse
    assert not result.is_approximation
    assert model.formula() == result.expression   # NNFitRegressor.formula() delegates to explain()


def test_explain_saved_model_file_from_the_cli(parabola_model, capsys):
    _, path = parabola_model
    assert main(["explain", str(path)]) == 0
    out = capsys.readouterr().out
    assert "y = x**2 + 2*x + 2" in out
    assert "network" in out


def test_model_report_has_plots_formula_and_seed(parabola_model, tmp_path):
    # its time is measured by bench/explain_bench.py --networks, not asserted here
    from nnfit.report import write_model_report

    model, _ = parabola_model
    path = write_model_report(model, tmp_path / "out")    # points drawn from the model's own domain
    text = path.read_text()
    assert text.count("data:image/png;base64,") == 3     # fit, residuals, losses
    assert "y = x**2 + 2*x + 2" in text and "x**2 + 2*x + 2" in text.split("<title>")[1]
    assert "Levenberg" in text or "Adam" in text           # the model summary


def test_explain_of_a_model_reports_the_formula_it_predicts_with(tmp_path):
    """The API, the text and the JSON all carry the exact formula a fit predicts with (not only the CLI)."""
    import numpy as np
    import pandas as pd

    from nnfit import NNFitRegressor
    from nnfit.explain.api import explain

    rng = np.random.default_rng(3)
    X = pd.DataFrame({"m": rng.uniform(1, 3, 300), "z": rng.uniform(0, 5, 300)})
    model = NNFitRegressor(restarts=1, adam_steps=300, lm_steps=200, stages=1).fit(X, 9.81 * X["m"] * X["z"])
    assert model.summary_["predicts_with"] == "formula"
    result = explain(model, time_limit=5)
    assert list(result.carried_formulas) == list(model.target_names_)
    carried = next(iter(result.carried_formulas.values()))
    assert "m" in carried and "z" in carried and carried in result.text()
    assert result.to_dict()["carried_formulas"] == result.carried_formulas
    network_only = NNFitRegressor(restarts=1, adam_steps=300, lm_steps=200, stages=1, exact_formula=False)
    assert explain(network_only.fit(X, 9.81 * X["m"] * X["z"]), time_limit=5).carried_formulas == {}
