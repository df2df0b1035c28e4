"""The log of inputs that reach near zero: offered as a transform trial, kept when it validates better."""
from __future__ import annotations

import json

import numpy as np
import pytest

from nnfit import persist, prep
from nnfit.fit import NNFitRegressor


def test_offsets_are_offered_only_for_non_negative_columns_reaching_near_zero():
    rng = np.random.default_rng(0)
    columns = np.column_stack([
        rng.uniform(0, 1, 500),        # reaches zero: offered
        rng.uniform(1, 5, 500),        # a physics-style range: its low end is a fifth of its top
        rng.uniform(-1, 1, 500),       # signed: no log
        rng.integers(0, 2, 500),       # two values: a log would only re-space them
        rng.uniform(0.05, 10, 500),    # near zero relative to its top: offered
    ])
    offsets = prep.near_zero_offsets(columns)
    assert offsets[1] is None and offsets[2] is None and offsets[3] is None
    assert offsets[0] is not None and 0 < offsets[0] < np.percentile(columns[:, 0], 1)
    assert offsets[4] is not None and 0 < offsets[4] < 0.05


def test_the_choice_is_a_trial_in_auto_mode_only():
    X = np.random.default_rng(1).uniform(0, 1, (300, 2))
    y = X[:, 0] ** X[:, 1]
    names = [c.name for c in prep.transform_choices(X, y.reshape(-1, 1), "auto")]
    assert names == ["standardise", "log of inputs near zero"]
    assert [c.name for c in prep.transform_choices(X, y.reshape(-1, 1), "none")] == ["standardise"]
    with pytest.raises(Exception, match="non-negative target"):
        prep.transform_choices(X, y.reshape(-1, 1), "log")  # the inputs' log does not stand in for a log target


def test_transform_with_offsets_is_finite_at_zero_and_survives_its_dict():
    X = np.random.default_rng(2).uniform(0, 3, (200, 2))
    t = prep.Transform.fit(X, [True, False], [0.01, 1.0])
    Z = t.forward(np.array([[0.0, 0.0], [3.0, 3.0]]))
    assert np.all(np.isfinite(Z))
    back = prep.Transform.from_dict(json.loads(json.dumps(t.to_dict())))
    assert np.array_equal(back.forward(X), t.forward(X))
    assert "log(x+0.01)" in t.describe(["x", "y"])
    assert prep.Transform.fit(X, [True, False]).describe(["x", "y"]).startswith("log1p(x)")


def test_a_steep_power_at_zero_is_fitted_in_log_x():
    """x**0.3 on [0, 4] has an infinite slope at 0: in log x it is smooth (measured: held-out
    RMSE/std 2.8e-3 with plain standardisation, 1.5e-4 with the log of x)."""
    rng = np.random.default_rng(2)
    X = rng.uniform(0, 4, (400, 1))
    model = NNFitRegressor(max_seconds=40, exact_formula=False).fit(X, X[:, 0] ** 0.3)
    trials = model.summary_["transform_trials"]
    assert trials["log of inputs near zero"] < trials["standardise"]
    assert model.summary_["transform"].startswith("inputs: log(x+")
    plain = NNFitRegressor(max_seconds=20, exact_formula=False, scaling="none").fit(X, X[:, 0] ** 0.3)
    assert model.metrics_["nrmse"] < plain.metrics_["nrmse"]


def test_a_saved_model_keeps_its_offsets_and_refuses_bad_ones(tmp_path):
    rng = np.random.default_rng(3)
    X = rng.uniform(0, 4, (200, 1))
    model = NNFitRegressor(max_seconds=5, exact_formula=False, hidden=(8,)).fit(X, np.sqrt(X[:, 0]))
    path = model.save(tmp_path / "m.nnfit")
    loaded = NNFitRegressor.load(path)
    assert np.array_equal(loaded.predict(X[:20]), model.predict(X[:20]))
    transform = model.x_transform_.to_dict()
    transform["log_offsets"] = [-1.0]
    with pytest.raises(ValueError, match="log offsets"):
        persist._transform(transform, 1)
