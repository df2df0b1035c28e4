"""NNFitRegressor as a scikit-learn estimator: scikit-learn's own checks, composition, notebook display."""
import pickle

import numpy as np
import pandas as pd
import pytest
import sympy as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import estimator_html_repr
from sklearn.utils import estimator_checks
from sklearn.utils.estimator_checks import check_dataframe_column_names_consistency, parametrize_with_checks

from nnfit import NNFitRegressor, fit_function
from nnfit.doctor.findings import Finding
from nnfit.doctor.report import Report
from nnfit.doctor.run import TrainingRun
from nnfit.errors import NNFitError
from nnfit.explain.api import Explanation

# Small and fixed: no architecture search, no formula read-back, one stage, few steps. The checks fit
# tiny random tables dozens of times; this keeps each fit near 0.2 s (the defaults take seconds).
FAST = {"hidden": (8,), "restarts": 1, "adam_steps": 50, "lm_steps": 30, "stages": 1, "scaling": "none",
        "exact_formula": False}
HOSTILE = "<script>alert(1)</script>"


def _smooth(n=200, seed=0):
    X = np.random.default_rng(seed).uniform(-1, 1, (n, 2))
    return X, np.sin(2 * X[:, 0]) + X[:, 1] ** 2


@parametrize_with_checks([NNFitRegressor(**FAST)])
def test_scikit_learn_check(estimator, check):
    check(estimator)


# The fast configuration skips the architecture search and the formula read-back; these checks run
# the defaults (shorter budget), which take seconds per fit (about 3 minutes in all).
DEFAULT_CONFIGURATION_CHECKS = ["check_fit_idempotent", "check_methods_subset_invariance", "check_regressors_train",
                                "check_regressors_int", "check_fit2d_1feature", "check_regressor_multioutput",
                                "check_supervised_y_2d", "check_estimators_dtypes"]


@pytest.mark.slow
@pytest.mark.parametrize("name", DEFAULT_CONFIGURATION_CHECKS)
def test_scikit_learn_check_with_the_default_configuration(name):
    getattr(estimator_checks, name)("NNFitRegressor", NNFitRegressor(max_seconds=20))


def test_dataframe_column_names_are_scikit_learns():
    check_dataframe_column_names_consistency("NNFitRegressor", NNFitRegressor(**FAST))


def test_parameters_come_from_init_and_the_seed_is_random_state():
    params = NNFitRegressor().get_params()
    assert params["random_state"] == 0 and "seed" not in params and "transform" not in params
    assert NNFitRegressor().set_params(random_state=3).random_state == 3
    with pytest.raises(TypeError):
        NNFitRegressor(seed=0)
    with pytest.raises(ValueError, match="Invalid parameter 'seed'"):
        NNFitRegressor().set_params(seed=1)


def test_tags_declare_a_multi_output_regressor():
    tags = NNFitRegressor().__sklearn_tags__()
    assert tags.estimator_type == "regressor" and tags.target_tags.multi_output and not tags.input_tags.allow_nan


def test_pipeline_with_a_scaler():
    X, y = _smooth()
    pipe = make_pipeline(StandardScaler(), NNFitRegressor(**{**FAST, "lm_steps": 200})).fit(X[:150], y[:150])
    assert pipe.score(X[150:], y[150:]) > 0.99
    assert pipe.predict(X[150:]).shape == (50,)


def test_cross_val_score_gives_one_score_per_fold():
    X, y = _smooth(150)
    scores = cross_val_score(NNFitRegressor(**FAST), X, y, cv=KFold(3, shuffle=True, random_state=0))
    assert scores.shape == (3,) and np.all(scores > 0.9)


def test_grid_search_refits_the_best_setting():
    X, y = _smooth(150)
    search = GridSearchCV(NNFitRegressor(**FAST), {"hidden": [(1,), (8,)]}, cv=3).fit(X, y)
    assert search.best_params_ == {"hidden": (8,)}  # one tanh unit cannot draw sin(2x) + y**2
    assert search.best_estimator_.summary_["architecture"].startswith("2-8-1")


def test_clone_copies_parameters_and_drops_the_fit():
    X, y = _smooth(60)
    fitted = NNFitRegressor(**FAST, random_state=5).fit(X, y)
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    assert not hasattr(copy, "networks_") and not hasattr(copy, "n_features_in_")
    with pytest.raises(NotFittedError):
        copy.predict(X)


def test_not_fitted_error_is_scikit_learns_and_nnfits():
    with pytest.raises(NotFittedError) as caught:
        NNFitRegressor().predict(np.ones((2, 1)))
    assert isinstance(caught.value, NNFitError)  # the CLI prints it as one line


def test_pickle_round_trip_predicts_the_same():
    X, y = _smooth(60)
    model = NNFitRegressor(**FAST).fit(X, y)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(model.predict(X), again.predict(X))


def test_feature_names_follow_scikit_learn():
    X, y = _smooth(60)
    on_array = NNFitRegressor(**FAST).fit(X, y)
    assert not hasattr(on_array, "feature_names_in_") and on_array.input_names_ == ["x0", "x1"]
    frame = pd.DataFrame(X, columns=["a", "b"])
    on_frame = NNFitRegressor(**FAST).fit(frame, y)
    assert list(on_frame.feature_names_in_) == ["a", "b"] and on_frame.input_names_ == ["a", "b"]
    np.testing.assert_array_equal(on_frame.predict(frame), on_frame.predict(X))  # arrays: input order
    with pytest.raises(ValueError, match="Feature names must be in the same order"):
        on_frame.predict(frame[["b", "a"]])


def test_estimator_html_repr_before_and_after_fit():
    unfitted = estimator_html_repr(NNFitRegressor())
    assert "NNFitRegressor" in unfitted and "Held-out metrics" not in unfitted
    X, y = _smooth(60)
    html = NNFitRegressor(**FAST).fit(X, y)._repr_html_()
    assert "NNFitRegressor" in html and "Held-out metrics" in html and "nrmse" in html


def test_fit_result_html_escapes_user_text():
    frame = pd.DataFrame({HOSTILE: np.linspace(0, 1, 60)})
    html = NNFitRegressor(**FAST).fit(frame, frame[HOSTILE] ** 2)._repr_html_()
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_fit_function_result_shows_its_target_and_metrics():
    model = fit_function("x**2 + 2*x + 2", domain={"x": (0, 1)}, n_samples=200, n_test=200, random_state=4, **FAST)
    assert model.random_state == 4 and model.summary_["seed"] == 4  # random_state accepted for fit_function's seed
    html = model._repr_html_()
    assert "x**2 + 2*x + 2" in html and "Held-out metrics" in html and "median_rel_error" in html


def test_explanation_html_escapes_user_text():
    x = sp.Symbol("x", real=True)
    explanation = Explanation(2 * x + 1, "sparse", "approximation", True, 1e-3, 2e-3, "data", 50, ["x"],
                              target_name=HOSTILE, note="seen <b>here</b>")
    html = explanation._repr_html_()
    assert "2*x + 1" in html and "approximation" in html
    assert HOSTILE not in html and "&lt;script&gt;" in html and "&lt;b&gt;here&lt;/b&gt;" in html


def test_doctor_report_html_escapes_user_text():
    finding = Finding("NF101", f"layer {HOSTILE} has 1 unit", "remove this layer")
    report = Report(TrainingRun(framework="keras", seed=3), [finding], notes=["note <i>x</i>"])
    html = report._repr_html_()
    assert "NF101" in html and "remove this layer" in html and "seed 3" in html
    assert HOSTILE not in html and "&lt;script&gt;" in html and "&lt;i&gt;x&lt;/i&gt;" in html


def test_a_network_too_large_to_train_and_targets_that_overflow_when_squared_are_refused_up_front():
    X = np.random.default_rng(0).uniform(0, 1, (50, 1))
    with pytest.raises(NNFitError, match="15,001 parameters"):
        NNFitRegressor(hidden=(5000,), max_seconds=2).fit(X, X[:, 0])
    with pytest.raises(NNFitError, match="overflow float64 when squared"):
        NNFitRegressor(**FAST).fit(X, X[:, 0] * 1e300)
    model = NNFitRegressor(**FAST).fit(X, X[:, 0])
    with pytest.raises(ValueError, match="NaN") as info:
        model.predict([[np.nan]])
    assert "HistGradientBoosting" not in str(info.value)
