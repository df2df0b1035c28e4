"""The estimator contract, precision on smooth targets, transform choice, and saved models."""
import json

import numpy as np
import pandas as pd
import pytest

import nnfit
from nnfit import NNFitRegressor, fit_function
from nnfit.errors import DataError, NNFitError

QUICK = {"restarts": 1, "adam_steps": 300, "lm_steps": 200, "stages": 1}


def test_fit_function_reaches_high_precision_on_a_smooth_1d_target():
    model = fit_function("x**2 + 2*x + 2", domain={"x": (0, 1)}, **QUICK)
    assert model.metrics_["nrmse"] < 1e-5
    assert model.metrics_["n_test"] == 4000
    assert set(model.metrics_) >= {"rmse", "nrmse", "mae", "max_abs_error", "r2", "median_rel_error"}
    assert "accuracy" not in model.metrics_


def test_second_stage_fits_the_residual_beyond_one_network():
    one = fit_function("10*sin(3*x)", domain={"x": (0, 1)}, restarts=1, lm_steps=300, stages=1)
    two = fit_function("10*sin(3*x)", domain={"x": (0, 1)}, restarts=1, lm_steps=300, stages=2)
    assert two.summary_["stages"] == 2
    assert two.metrics_["nrmse"] < one.metrics_["nrmse"] / 10


def test_callable_target_is_fitted():
    model = fit_function(lambda x: np.cos(2 * x), domain={"x": (-1, 1)}, **QUICK)
    assert model.metrics_["nrmse"] < 1e-4


def test_estimator_follows_the_scikit_learn_contract():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (300, 2))
    y = np.sin(X[:, 0]) + X[:, 1] ** 2
    est = NNFitRegressor(**QUICK)
    assert est.get_params()["restarts"] == 1
    assert est.fit(X, y) is est
    assert est.predict(X).shape == (300,)
    assert est.score(X, y) > 0.9999
    assert est.metrics_["n_test"] == 60  # held out from the table: never trained on


def test_multi_output_table_fits_each_output():
    rng = np.random.default_rng(1)
    X = rng.uniform(0, 1, (200, 1))
    Y = np.column_stack([X[:, 0] ** 2, np.sin(3 * X[:, 0])])
    est = NNFitRegressor(**QUICK).fit(X, Y)
    assert est.predict(X).shape == (200, 2)
    assert est.metrics_["nrmse"] < 1e-3


def test_log_transform_chosen_when_the_target_spans_many_decades():
    model = fit_function("exp(x)", domain={"x": (0, 25)}, **QUICK)
    trials = model.summary_["transform_trials"]
    assert set(trials) >= {"standardise", "log target"}
    assert "log1p(y)" in model.summary_["transform"]
    assert trials["log target"] < trials["standardise"]


def test_transform_for_integer_product_is_chosen_on_validation():
    model = fit_function("a*b", domain={"a": (0, 500), "b": (0, 500)}, integer=True, n_samples=600,
                         restarts=1, adam_steps=300, lm_steps=100, stages=1)
    trials = model.summary_["transform_trials"]
    assert {"standardise", "log target", "log inputs and target"} <= set(trials)
    winner = min(trials, key=trials.get)
    assert model.summary_["transform"].endswith("standardise") == (winner == "standardise")
    assert model.metrics_["median_rel_error"] < 0.01


def test_save_then_load_gives_identical_predictions(tmp_path):
    model = fit_function("x*y + sin(x)", domain={"x": (0, 1), "y": (-1, 1)}, **QUICK)
    path = model.save(tmp_path / "model.nnfit")
    loaded = nnfit.load(path)
    X = np.random.default_rng(3).uniform(0, 1, (100, 2))
    np.testing.assert_array_equal(model.predict(X), loaded.predict(X))
    assert loaded.metrics_ == json.loads(json.dumps(model.metrics_))
    assert loaded.feature_names_in_ == ["x", "y"]


def test_loading_a_file_that_is_not_a_model_is_a_clear_error(tmp_path):
    bogus = tmp_path / "bogus.nnfit"
    bogus.write_bytes(b"\x80\x04\x95pickle-looking bytes")
    with pytest.raises(NNFitError, match="not an nnfit model"):
        NNFitRegressor.load(bogus)
    with pytest.raises(NNFitError, match="no such model file"):
        NNFitRegressor.load(tmp_path / "missing.nnfit")


def test_constant_target_is_refused():
    with pytest.raises(DataError, match="constant"):
        NNFitRegressor(**QUICK).fit(np.arange(50.0).reshape(-1, 1), np.full(50, 3.0))


def test_predict_checks_the_input_width():
    model = NNFitRegressor(**QUICK).fit(pd.DataFrame({"a": np.arange(50.0), "b": np.arange(50.0) % 7}),
                                        np.arange(50.0))
    with pytest.raises(DataError, match="expected 2 input column"):
        model.predict(np.ones((3, 3)))


def test_unfitted_estimator_says_so():
    with pytest.raises(NNFitError, match="not fitted"):
        NNFitRegressor().predict(np.ones((2, 1)))


@pytest.mark.parametrize("params, message", [
    ({"optimizer": "sgd"}, "unknown optimizer"),
    ({"hidden": (0,)}, "hidden"),
    ({"device": "tpu"}, "unknown device"),
    ({"activation": "relu6"}, "unknown activation"),
])
def test_bad_parameters_are_refused_at_fit(params, message):
    with pytest.raises(NNFitError, match=message):
        NNFitRegressor(**params).fit(np.arange(50.0).reshape(-1, 1), np.arange(50.0) ** 2)


def test_target_not_finite_on_the_domain_is_explained():
    with pytest.raises(DataError, match="not finite at x="):
        fit_function("1/x", domain={"x": (-1, 1)}, integer=True, **QUICK)


def test_same_seed_gives_the_same_model():
    a = fit_function("sin(5*x)", domain={"x": (0, 1)}, **QUICK)
    b = fit_function("sin(5*x)", domain={"x": (0, 1)}, **QUICK)
    assert a.metrics_["rmse"] == b.metrics_["rmse"]
    assert a.summary_["seed"] == 0


def test_large_tables_train_levenberg_marquardt_on_a_row_subset(monkeypatch):
    monkeypatch.setattr("nnfit.fit.LM_MAX_JACOBIAN", 73 * 300)  # 1-24-1 net: at most 300 LM rows
    rng = np.random.default_rng(4)
    X = rng.uniform(0, 1, (1000, 1))
    model = NNFitRegressor(**QUICK).fit(X, np.sin(4 * X[:, 0]))
    assert "on 300 of 640 rows" in model.summary_["optimizer"]
    assert model.metrics_["nrmse"] < 1e-4


def test_forged_model_header_is_refused_before_building_anything(tmp_path):
    from safetensors import safe_open
    from safetensors.torch import save_file

    model = fit_function("x**2", domain={"x": (0, 1)}, **QUICK)
    path = model.save(tmp_path / "m.nnfit")
    with safe_open(str(path), framework="pt") as handle:
        meta = json.loads(handle.metadata()["nnfit"])
        tensors = {key: handle.get_tensor(key) for key in handle.keys()}
    meta["outputs"][0]["stages"][0]["hidden"] = [10**9]
    forged = tmp_path / "forged.nnfit"
    save_file(tensors, str(forged), metadata={"nnfit": json.dumps(meta)})
    with pytest.raises(NNFitError, match="damaged"):
        NNFitRegressor.load(forged)
