"""Session 10: the capacity search's two finalists, both trained to the end, are averaged when the
average validates better than the chosen one (fit.BLEND)."""
import numpy as np
import pytest
import torch

from nnfit import NNFitRegressor, fit
from nnfit.models import StagedNetwork


def _challenged_fit(monkeypatch: pytest.MonkeyPatch, blend: bool) -> NNFitRegressor:
    monkeypatch.setattr(fit, "BLEND", blend)
    # the challenger is polished whatever the first round shows, so both finalists are trained to the end
    monkeypatch.setattr(fit.capacity, "BEAT_THE_INCUMBENT", False)
    rng = np.random.default_rng(3)
    X = rng.uniform(-1.5, 1.5, (400, 2))
    y = np.sin(5 * X[:, 0] * X[:, 1]) + X[:, 0]   # out of reach of either finalist in 40 LM steps
    return NNFitRegressor(exact_formula=False, restarts=1, adam_steps=60, lm_steps=40, stages=1,
                          max_seconds=120).fit(X, y)


def test_two_finalists_far_from_the_target_are_averaged_when_that_validates_better(monkeypatch, tmp_path):
    model = _challenged_fit(monkeypatch, blend=True)
    blend = model.summary_["blend"]
    assert blend, "both finalists were trained to the end: the average was compared"
    chosen = model.summary_["validation_rmse"]
    staged = model.networks_[0]
    assert isinstance(staged, StagedNetwork)
    if blend["kept"]:
        assert len(staged.stages) == 2 and [s.scale for s in staged.stages] == [0.5, 0.5]
        assert "averaged with" in model.summary_["architecture"]
        assert model.summary_["stages"] == 1               # the average is not a residual stage
        single = [t["validation_rmse"] for t in model.summary_["capacity_trials"]]
        assert blend["validation_rmse"] < min(single)
    else:
        assert len(staged.stages) == 1
    # saved and loaded, the average predicts the same
    X = np.random.default_rng(4).uniform(-1.5, 1.5, (50, 2))
    path = model.save(tmp_path / "blend.safetensors")
    np.testing.assert_allclose(NNFitRegressor.load(path).predict(X), model.predict(X), rtol=0, atol=1e-12)
    assert np.isfinite(chosen)


def test_the_average_is_kept_here_and_halves_are_the_two_finalists(monkeypatch):
    """On this target both finalists stop far from it with unlike errors: the average validates better
    (it did on every seed tried, 0-4); without BLEND the single chosen network is kept."""
    model = _challenged_fit(monkeypatch, blend=True)
    assert model.summary_["blend"]["kept"]
    staged = model.networks_[0]
    Z = torch.as_tensor(np.random.default_rng(5).normal(size=(20, 2)))
    with torch.no_grad():
        halves = 0.5 * staged.stages[0].net(Z) + 0.5 * staged.stages[1].net(Z)
        np.testing.assert_allclose(staged(Z).numpy(), halves.numpy(), rtol=0, atol=1e-14)
    single = _challenged_fit(monkeypatch, blend=False)
    assert len(single.networks_[0].stages) == 1 and not single.summary_["blend"]
