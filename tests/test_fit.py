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
    settings = {"restarts": 1, "lm_steps": 300, "hidden": (24,), "exact_formula": False}  # the network itself
    one = fit_function("10*sin(3*x)", domain={"x": (0, 1)}, stages=1, **settings)
    two = fit_function("10*sin(3*x)", domain={"x": (0, 1)}, stages=2, **settings)
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
    # the network's transform: with the read-back on, exp(x) is carried exactly and no transform is tried
    model = fit_function("exp(x)", domain={"x": (0, 25)}, exact_formula=False, **QUICK)
    trials = model.summary_["transform_trials"]
    assert set(trials) >= {"standardise", "log target"}
    assert "log1p(y)" in model.summary_["transform"]
    assert trials["log target"] < trials["standardise"]


def test_transform_for_integer_product_is_chosen_on_validation():
    model = fit_function("a*b", domain={"a": (0, 500), "b": (0, 500)}, integer=True, n_samples=600,
                         restarts=1, adam_steps=300, lm_steps=100, stages=1, exact_formula=False)
    trials = model.summary_["transform_trials"]
    assert {"standardise", "log target", "log inputs and target"} <= set(trials)
    winner = min(trials, key=trials.get)
    assert ("log1p" in model.summary_["transform"]) == (winner != "standardise")  # the winner is the one used
    assert model.metrics_["nrmse"] < 0.1  # a usable fit (R² > 0.99) with the chosen transform, network alone


def test_save_then_load_gives_identical_predictions(tmp_path):
    model = fit_function("x*y + sin(x)", domain={"x": (0, 1), "y": (-1, 1)}, **QUICK)
    path = model.save(tmp_path / "model.nnfit")
    loaded = nnfit.load(path)
    X = np.random.default_rng(3).uniform(0, 1, (100, 2))
    np.testing.assert_array_equal(model.predict(X), loaded.predict(X))
    assert loaded.metrics_ == json.loads(json.dumps(model.metrics_))
    assert loaded.input_names_ == ["x", "y"] and list(loaded.feature_names_in_) == ["x", "y"]


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
    with pytest.raises(DataError, match="expecting 2 features as input. Its inputs: a, b"):
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


def test_nonfinite_drop_draws_only_where_the_target_is_finite():
    from nnfit.fit import sample_finite
    from nnfit.targets import formula_target

    spec = formula_target("sqrt(x) + sqrt(y)", {"x": (-1, 1), "y": (-1, 1)})  # finite on a quarter of the box
    X, Y = sample_finite(spec, 500, np.random.default_rng(0))
    assert X.shape == (500, 2) and np.all(np.isfinite(Y)) and np.all(X >= 0)
    with pytest.raises(DataError, match="not finite"):
        fit_function("sqrt(x)", domain={"x": (-1, 1)}, **QUICK)
    model = fit_function("sqrt(x)", domain={"x": (-1, 1)}, nonfinite="drop", n_test=300, **QUICK)
    assert np.isfinite(model.metrics_["nrmse"]) and model.metrics_["nrmse"] < 1e-2


def test_nonfinite_drop_refuses_a_domain_that_is_almost_nowhere_finite():
    from nnfit.fit import sample_finite
    from nnfit.targets import formula_target

    spec = formula_target("sqrt(x - 0.99)", {"x": (-1, 1)})  # finite on 0.5 % of the range
    with pytest.raises(DataError, match="finite at only"):
        sample_finite(spec, 200, np.random.default_rng(0))


def test_exact_formula_leaves_the_network_beside_it_a_short_plain_fit():
    rng = np.random.default_rng(3)
    X = pd.DataFrame({"x": rng.uniform(0, 1, 600)})
    model = NNFitRegressor(max_seconds=60).fit(X, X["x"] ** 3 + X["x"])
    assert model.summary_["predicts_with"] == "formula"
    assert model.summary_["stages"] == 1 and model.summary_["capacity_trials"] == []
    assert model.summary_["transform_trials"] == {}


def test_same_seed_gives_the_same_model():
    # The formula read-back is stopped at a time limit, so on a busy machine whether it finishes can
    # differ between runs (as any budget-bound part can); the network itself is what must repeat.
    a = fit_function("sin(5*x)", domain={"x": (0, 1)}, exact_formula=False, **QUICK)
    b = fit_function("sin(5*x)", domain={"x": (0, 1)}, exact_formula=False, **QUICK)
    assert a.metrics_["rmse"] == b.metrics_["rmse"]
    assert a.summary_["seed"] == 0


def test_large_tables_train_levenberg_marquardt_on_a_row_subset(monkeypatch):
    monkeypatch.setattr("nnfit.fit.LM_MAX_JACOBIAN", 73 * 300)  # 1-24-1 net: at most 300 LM rows
    rng = np.random.default_rng(4)
    X = rng.uniform(0, 1, (1000, 1))
    model = NNFitRegressor(hidden=(24,), **QUICK).fit(X, np.sin(4 * X[:, 0]))
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


# -- issue 11: capacity by validation, stages per input, function-mode sampling, exact answers ------

def test_normal_equations_in_row_blocks_match_the_whole_jacobian():
    import torch

    from nnfit import models, train

    net = models.build_mlp(2, 1, (7,), seed=3)
    X = torch.as_tensor(np.random.default_rng(0).uniform(-1, 1, (53, 2)))
    r = torch.as_tensor(np.random.default_rng(1).standard_normal(53))
    J = train._mlp_jacobian(net, X)
    A, g = train.normal_equations(lambda rows: train._mlp_jacobian(net, rows), X, r, J.shape[1],
                                  block_entries=5 * J.shape[1])  # 11 blocks of 5 rows (the last one 3)
    torch.testing.assert_close(A, J.T @ J)
    torch.testing.assert_close(g, J.T @ r)


def test_capacity_candidates_shrink_to_the_rows_available():
    from nnfit import capacity, models

    wide = capacity.candidates(2, 100_000)
    assert wide[0] == (40,) and any(len(h) == 2 for h in wide)
    assert ((80,) in wide) == capacity.WIDE_CHALLENGER
    few = capacity.candidates(2, 200)
    assert all(models.parameter_count(2, h) <= 200 / capacity.ROWS_PER_PARAMETER for h in few)


def test_successive_halving_gives_the_survivors_more_steps_and_keeps_the_best():
    from nnfit import capacity

    quality = {(4,): 3.0, (8,): 1.0, (4, 4): 2.0, (16,): 5.0}
    steps_seen: dict[tuple[int, ...], list[int]] = {h: [] for h in quality}

    class Net:
        def __init__(self, hidden):
            self.hidden = hidden

    def start(hidden, steps, deadline):
        steps_seen[hidden].append(steps)
        return quality[hidden], Net(hidden)

    def resume(net, steps):
        steps_seen[net.hidden].append(steps)
        return quality[net.hidden] / 2

    best, trials = capacity.successive_halving(list(quality), start, resume, first_steps=10, deadline=float("inf"))
    assert best.hidden == (8,)
    assert steps_seen[(8,)] == [10, 20] and steps_seen[(4, 4)] == [10, 20] and steps_seen[(16,)] == [10]
    assert len(trials) == 4 and all(t.net is None for t in trials if t is not best)


def test_residual_frequency_is_measured_per_input():
    from nnfit import stages

    rng = np.random.default_rng(0)
    Z = rng.uniform(-1.7, 1.7, (1500, 2))
    residual = np.sin(8 * Z[:, 0])          # oscillates along the first input only
    omega = stages.frequencies_scattered(Z, residual)
    assert 6 < omega[0] < 10 and omega[1] < 1.5
    axis = np.linspace(-1.7, 1.7, 96)
    grid = np.sin(8 * axis)[None, :] * np.ones((96, 1))   # along the second input only
    omega_grid = stages.frequencies_grid([axis, axis], grid)
    assert omega_grid[0] < 0.5 and 7 < omega_grid[1] < 9


def test_exact_formula_is_carried_predicted_with_and_saved(tmp_path):
    rng = np.random.default_rng(2)
    X = pd.DataFrame({"q": rng.uniform(0.5, 2, 400), "E": rng.uniform(-3, 3, 400)})
    y = X["q"] * X["E"]
    model = NNFitRegressor(**QUICK).fit(X, y)
    assert model.summary_["formula"] is not None and model.summary_["predicts_with"] == "formula"
    assert model.metrics_["nrmse"] < 1e-12
    assert model.networks_  # the network is kept beside the formula
    loaded = nnfit.load(model.save(tmp_path / "m.nnfit"))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    off = NNFitRegressor(exact_formula=False, **QUICK).fit(X, y)
    assert off.summary_["formula"] is None and off.summary_["predicts_with"] == "network"


def test_integer_table_predictions_are_rounded_when_validation_allows():
    rng = np.random.default_rng(5)
    X = rng.integers(0, 30, (500, 2)).astype(float)
    y = X[:, 0] * X[:, 1] + X[:, 0]
    model = NNFitRegressor(**QUICK).fit(X, y)
    assert model.summary_["rounds_to_integers"]
    grid = np.array([(a, b) for a in range(30) for b in range(30)], float)
    assert np.array_equal(model.predict(grid), grid[:, 0] * grid[:, 1] + grid[:, 0])
    noisy = NNFitRegressor(**QUICK).fit(X, y + rng.integers(-3, 4, 500))  # integers, but not a function of X
    assert not noisy.summary_["rounds_to_integers"]


def test_function_mode_adds_points_where_the_residual_is_largest():
    model = fit_function("sin(4*x)*exp(x)", domain={"x": (0, 2)}, exact_formula=False, **QUICK)
    first = model.summary_["n_train"]
    assert model.summary_["n_train_points"] > first   # the extra points went to training only
    assert model.metrics_["n_test"] == 4000 and model.metrics_["nrmse"] < 1e-4


def test_capacity_search_tries_other_architectures_when_the_usual_width_falls_short():
    rng = np.random.default_rng(6)
    X = rng.uniform(-1.5, 1.5, (600, 2))
    model = NNFitRegressor(exact_formula=False, **QUICK).fit(X, np.sin(4 * X[:, 0] * X[:, 1]) + X[:, 0])
    tried = model.summary_["capacity_trials"]
    assert len(tried) >= 2 and len({tuple(t["hidden"]) for t in tried}) == len(tried)
    assert any(len(t["hidden"]) == 2 for t in tried)          # a deeper one among them
    best = min(tried, key=lambda t: t["validation_rmse"])
    assert best["hidden"] == model.summary_["hidden"]         # the one kept is the one that validated best


@pytest.mark.slow
def test_seed4_product_is_exact_on_all_integer_pairs_after_rounding():
    model = fit_function("a*b", domain={"a": (0, 500), "b": (0, 500)}, integer=True)
    a, b = np.meshgrid(np.arange(500.0), np.arange(500.0), indexing="ij")
    grid = np.column_stack([a.ravel(), b.ravel()])
    assert np.array_equal(model.predict(grid), grid[:, 0] * grid[:, 1])


@pytest.mark.slow
def test_damped_cosine_reaches_1e_8_without_a_carried_formula():
    model = fit_function("exp(-x)*cos(5*x)", domain={"x": (0, 2)}, exact_formula=False)
    assert model.metrics_["nrmse"] <= 1e-8
