"""Run-time diagnosis on programs the project had not seen (session 17):

- target-shape-broadcast in a model written as tensor algebra (`x.mm(w).add(b)`, no nn.Module called):
  the hand-written loss's difference (n, 1) - (n,) is measured though no module input was recorded;
  the same loop with the shapes matched gets no such finding;
- learning-rate-too-low's "a decade below the usual rate" read at the script's own precision (Keras
  keeps SGD's 1e-3 in float32, 1.0000000475e-03, and ten times that sits just above SGD's 1e-2);
- learning-rate-too-low on a regression still worse than predicting the mean (training R² < 0) whose
  loss keeps falling, though the fall has slowed below too-few-updates' "still falling" bar: it has not
  arrived; a run that reached a fit (R² > 0) and slowed is left alone;
- a divergence measured at a rate past learning-rate-too-high's static bar (SGD 0.5: too high for data of
  order 1 too) keeps its rank beside unscaled targets (ranking.OWN_SCALE); at an ordinary rate the
  targets' scale still explains it.
"""
from __future__ import annotations

import math
import textwrap

from nnfit.doctor.findings import Severity
from nnfit.doctor.rules import run_rules
from nnfit.doctor.run import (ColumnStats, DataStats, Fit, History, LayerInfo, OptimizerInfo, TrainingConfig,
                              TrainingRun)
from tests.test_doctor_patch import capture_of

TENSOR_ALGEBRA = textwrap.dedent("""
    import torch

    torch.manual_seed(0)
    x = torch.tensor([[1, 2.0], [1, 3.0], [1, 7.0], [1, 9.0]])
    y = torch.tensor([2.0, 3.0, 7.0, 9.0])
    weights = torch.randn(2, 1, requires_grad=True)
    bias = torch.randn(1, requires_grad=True)
    optimizer = torch.optim.Adam([weights, bias], lr=0.01)
    for i in range(60):
        out = x.mm(weights).add(bias){view}
        loss = torch.mean((out - y) ** 2)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
""")


def _codes(findings):
    return [f.code for f in findings]


def test_a_broadcast_difference_in_a_tensor_algebra_model_is_measured(tmp_path):
    _, cap = capture_of(tmp_path, "mm_broadcast.py", TENSOR_ALGEBRA.format(view=""))
    assert cap.run.fit.loss_broadcast == ((4, 1), (4,))
    findings = run_rules(cap.run)
    assert _codes(findings)[0] == "NF125", _codes(findings)


def test_the_same_tensor_algebra_loop_with_matched_shapes_has_no_broadcast(tmp_path):
    _, cap = capture_of(tmp_path, "mm_matched.py", TENSOR_ALGEBRA.format(view=".view(-1)"))
    assert cap.run.fit.loss_broadcast is None
    assert "NF125" not in _codes(run_rules(cap.run))


def test_a_float32_copy_of_a_rate_a_decade_below_the_usual_counts_as_a_decade_below():
    from nnfit.doctor.rules.learning_rate_too_low import far_below

    assert far_below(0.0010000000474974513, 1e-2)          # Keras' float32 SGD(learning_rate=0.001)
    assert far_below(1e-3, 1e-2)
    assert not far_below(0.002, 1e-2)


def _curve(n, decay=0.995, floor=0.0075, height=0.085):
    """floor + height * decay**i: falls 66 % in its first fifth and still 4.7 % in its last (n = 1500):
    "levelled" by too-few-updates' reading (below STILL_FALLING, and under LEVELLED of its first
    window's fall), yet still above its noise floor MIN_FALL."""
    return [floor + height * decay ** i for i in range(n)]


def _behind_constant(r2, lr=0.0010000000474974513, n=1500):
    """A Keras SGD regression (SGD at 1e-3 in float32) whose loss fell fast at first and is still falling slowly."""
    loss = _curve(n)
    history = History(loss=loss, batch_loss=list(loss), n_updates=n,
                      update_ratio={"dense": [1.8e-5] * 60, "dense_1": [1.1e-5] * 60, "dense_2": [3.4e-5] * 60})
    return TrainingRun(
        framework="keras", task="regression",
        layers=[LayerInfo("dense", units=16, input_units=1, activation="relu"),
                LayerInfo("dense_1", units=16, input_units=16, activation="relu"),
                LayerInfo("dense_2", units=1, input_units=16)],
        data=DataStats(n_samples=79, inputs=[ColumnStats(0, 0.99, 0.5, 0.29)], targets=[ColumnStats(0, 0.25, 0.08, 0.075)]),
        config=TrainingConfig(optimizer=OptimizerInfo("sgd", lr, line=5), loss="mean_squared_error", epochs=n,
                              batch_size=100, fit_line=9),
        history=history, fit=Fit(train_r2=r2, reference_r2=0.999), n_updates_planned=n)


def test_a_regression_still_behind_the_constant_with_a_falling_loss_names_the_low_rate():
    from nnfit.doctor.rules.too_few_updates import still_falling

    assert still_falling(_behind_constant(r2=-0.37))[1] is False      # too-few-updates' reading: levelled
    findings = run_rules(_behind_constant(r2=-0.37))
    assert findings and findings[0].code == "NF104", _codes(findings)
    assert findings[0].basis == "measured" and findings[0].severity is Severity.ERROR


def test_the_same_slowing_fall_after_the_fit_passed_the_constant_is_no_low_rate():
    """R² above 0: the network got past the mean; a slowed fall there is a levelled loss, not an unfinished one."""
    assert "NF104" not in _codes(run_rules(_behind_constant(r2=0.4)))


def test_a_steady_fall_at_keras_float32_sgd_1e3_names_the_rate():
    """SGD(learning_rate=0.001) as Keras stores it: a decade below SGD's usual 1e-2, so a loss still falling
    30 % per fifth after 1500 updates names the rate first (too-few-updates its consequence)."""
    run = _behind_constant(r2=0.5)
    per = 0.7 ** (1 / 300)
    run.history.loss = run.history.batch_loss = [3.0 * per ** i for i in range(1500)]
    findings = run_rules(run)
    assert _codes(findings)[:2] == ["NF104", "NF102"], _codes(findings)
    assert "NF104" in findings[1].consequence_of


def _diverged_at_rate(lr, name="sgd"):
    """A torch SGD regression on targets of spread 31 (past unscaled-targets' bar) whose loss went NaN."""
    loss = [31.3, 30.3, 42.8, 38.4, 42.8, 36.1, 80.0, 400.0, 9e3] + [math.nan] * 291
    history = History(loss=loss, batch_loss=list(loss), n_updates=300,
                      update_ratio={"0": [0.2] * 60, "2": [0.3] * 60})
    return TrainingRun(
        framework="torch", task="regression",
        layers=[LayerInfo("0", units=8, input_units=2, activation="tanh"), LayerInfo("2", units=1, input_units=8)],
        data=DataStats(n_samples=651, inputs=[ColumnStats(-4, 4, 0, 2.3)] * 2,
                       targets=[ColumnStats(-15.6, 15.6, 0, 5.3)]),
        config=TrainingConfig(optimizer=OptimizerInfo(name, lr, line=5), loss="mse_loss", epochs=300,
                              batch_size=651, fit_line=9),
        history=history, fit=Fit(train_r2=-math.inf, reference_r2=0.999), n_updates_planned=300)


def test_a_divergence_at_a_rate_past_the_static_bar_is_not_explained_away_by_the_targets_scale():
    findings = run_rules(_diverged_at_rate(0.5))
    codes = _codes(findings)
    assert "NF106" in codes and codes[0] == "NF103", codes
    assert findings[0].evidence.get("rate_past_static_bar") is True
    assert "NF106" not in findings[0].consequence_of


def test_a_divergence_at_an_ordinary_rate_on_unscaled_targets_is_still_the_scale():
    """Below the bar (SGD 0.05) the same blow-up on targets this large is the data's doing (ranking.EXPLAINS)."""
    findings = run_rules(_diverged_at_rate(0.05))
    codes = _codes(findings)
    assert codes[0] == "NF106" and "NF103" in codes, codes
    assert "NF106" in next(f for f in findings if f.code == "NF103").consequence_of
