"""The fair peer as a candidate (fit.PEER): a wide tanh network trained by Adam + L-BFGS, kept alone or
averaged with the model so far only when that validates better."""
import math

import numpy as np
import torch

from nnfit import NNFitRegressor, fit, models, train
from nnfit.models import Stage, StagedNetwork


def _data(target, n=300, seed=0) -> train.Data:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.5, 1.5, (n, 2))
    y = target(X)
    y = (y - y.mean()) / y.std()
    T = lambda a: torch.as_tensor(np.ascontiguousarray(a), dtype=torch.float64)  # noqa: E731
    cut = int(0.8 * n)
    return train.Data(T(X[:cut]), T(y[:cut, None]), T(X[cut:]), T(y[cut:, None]))


def _model() -> NNFitRegressor:
    model = NNFitRegressor(exact_formula=False)
    model._seed = 0
    return model


def test_the_peer_is_kept_or_averaged_when_the_model_so_far_validates_worse():
    data = _data(lambda X: np.sin(3 * X[:, 0]) * np.cos(2 * X[:, 1]))
    weak = models.build_mlp(2, 1, (2,), seed=0)           # untrained: validation MSE about 1
    before = train.mse(weak, data.X_val, data.Y_val)
    stages, value, log = _model()._peer_floor([Stage(weak, 1.0, (2,))], before, data,
                                              time_limit(30), adam_steps=200, full_lm_steps=40,
                                              history=train.History())
    assert log["chosen"] in ("peer", "average")
    assert value < before
    assert math.isclose(value, train.mse(StagedNetwork(stages), data.X_val, data.Y_val), rel_tol=1e-12)
    assert math.isclose(math.sqrt(value), min(log["validation_rmse"], log["average_validation_rmse"]), rel_tol=1e-12)
    if log["chosen"] == "average":
        assert [s.scale for s in stages] == [0.5, 0.5] and stages[0].net is weak


def test_a_model_that_validates_better_than_the_peer_and_the_average_is_kept_unchanged():
    data = _data(lambda X: X[:, 0] + 0.5 * X[:, 1])          # LM takes a small net to round-off
    good = models.build_mlp(2, 1, (4,), seed=0)
    train.levenberg_marquardt(good, data, steps=300)
    before = train.mse(good, data.X_val, data.Y_val)
    current = [Stage(good, 1.0, (4,))]
    stages, value, log = _model()._peer_floor(current, before, data, time_limit(30), adam_steps=50,
                                              full_lm_steps=10, history=train.History())
    assert before < 1e-10
    assert log["chosen"] == "current" and stages is current and value == before
    assert log["validation_rmse"] ** 2 > before and log["average_validation_rmse"] ** 2 > before


def test_a_fit_that_reaches_round_off_never_trains_the_peer(monkeypatch):
    calls = []
    monkeypatch.setattr(fit.NNFitRegressor, "_peer_floor", lambda *a, **k: calls.append(1))
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (300, 2))
    model = NNFitRegressor(exact_formula=False, restarts=1, max_seconds=60).fit(X, X[:, 0] + 2 * X[:, 1])
    assert not calls and model.summary_["peer"] == {}


def time_limit(seconds: float) -> float:
    import time

    return time.perf_counter() + seconds


def test_in_a_fit_the_peer_is_compared_on_validation_and_its_model_saves_and_loads(tmp_path):
    rng = np.random.default_rng(3)
    X = rng.uniform(-1.5, 1.5, (400, 2))
    y = np.sin(5 * X[:, 0] * X[:, 1]) + X[:, 0]
    model = NNFitRegressor(exact_formula=False, restarts=1, adam_steps=60, stages=1, max_seconds=20).fit(X, y)
    peer = model.summary_["peer"]
    if peer:  # it ran (the capacity search left it time): the kept option is the best-validating one
        options = {"current": peer["before_validation_rmse"], "peer": peer["validation_rmse"],
                   "average": peer["average_validation_rmse"]}
        assert options[peer["chosen"]] == min(v for v in options.values() if v is not None)
        assert model.summary_["stages"] == 1
    X_new = np.random.default_rng(4).uniform(-1.5, 1.5, (50, 2))
    path = model.save(tmp_path / "peer.safetensors")
    np.testing.assert_allclose(NNFitRegressor.load(path).predict(X_new), model.predict(X_new), rtol=0, atol=1e-12)
