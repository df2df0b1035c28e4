"""Rule mechanisms of the sixth session, on records built by hand (fast, no training):

- learning-rate-too-low from the run's own curve: a loss still falling after enough updates at a rate a
  decade or more below the usual one names the rate, and the "too few updates" that the same slow fall
  shows is its consequence (Finding.explains);
- learning-rate-too-high from an early blow-up that left lasting damage on a run that came back part
  of the way (R² > 0) but fails;
- loss-output-mismatch resting on the run's measurement (predictions collapsed onto one class, or an
  accuracy short of the reference model's) rather than on the setting alone.
"""
from __future__ import annotations

import math

from nnfit.doctor.findings import Severity
from nnfit.doctor.rules import run_rules
from nnfit.doctor.run import (ColumnStats, DataStats, Fit, History, LayerInfo, OptimizerInfo, TrainingConfig,
                              TrainingRun)


def _regression(lr, name="sgd", updates=3000, fall=0.3, r2=0.8, reference=0.9995, n=400, batch=None,
                dead=None, batch_loss=None):
    """A torch-like regression record whose epoch loss falls by `fall` per fifth of training."""
    epochs = updates if batch is None else max(1, updates * batch // n)
    per = (1 - fall) ** (1 / max(1, epochs / 5))
    loss = [3.0 * per ** i for i in range(epochs)]
    history = History(loss=loss, batch_loss=batch_loss or list(loss), n_updates=updates,
                      update_ratio={"0": [3e-4] * 60, "2": [5e-4] * 60}, dead_fraction=dead or {})
    return TrainingRun(
        framework="torch", task="regression",
        layers=[LayerInfo("0", units=32, input_units=3, activation="tanh"), LayerInfo("2", units=1, input_units=32)],
        data=DataStats(n_samples=n, inputs=[ColumnStats(-1, 1, 0, 0.58)] * 3, targets=[ColumnStats(-4, 4, 0, 1.8)]),
        config=TrainingConfig(optimizer=OptimizerInfo(name, lr, line=5), loss="mse_loss", epochs=epochs,
                              batch_size=batch or n, fit_line=9),
        history=history, fit=Fit(train_r2=r2, reference_r2=reference), n_updates_planned=updates)


def _codes(findings):
    return [f.code for f in findings]


def test_a_slow_steady_fall_at_a_rate_a_decade_below_the_usual_names_the_rate_first():
    findings = run_rules(_regression(1e-4))
    assert _codes(findings)[:2] == ["NF104", "NF102"], _codes(findings)
    low = findings[0]
    assert low.basis == "measured" and low.severity is Severity.ERROR
    assert "NF104" in findings[1].consequence_of


def test_the_same_fall_at_the_usual_rate_is_too_few_updates_alone():
    findings = run_rules(_regression(1e-2))
    assert "NF104" not in _codes(findings)
    assert _codes(findings)[0] == "NF102"


def test_few_updates_at_a_low_rate_stay_too_few_updates():
    """Below too_few_updates.MIN_UPDATES the count is the small one: the slow-fall reading stays out."""
    findings = run_rules(_regression(1e-4, updates=100))
    assert "NF102" in _codes(findings)
    low = [f for f in findings if f.code == "NF104"]
    assert not low or "NF102" not in (low[0].explains or [])


def test_a_levelled_loss_is_no_slow_fall():
    """A loss that has stopped falling (converged to a poor level) is not the rate's slow pace."""
    run = _regression(1e-4)
    run.history.loss = run.history.batch_loss = [3.0 * 0.5 ** i for i in range(20)] + [0.5] * 2980
    assert "NF104" not in _codes(run_rules(run))


def _blown_up(r2, reference, dead):
    jump = [0.4, 18.0, 6.0, 0.5, 0.4] + [0.02] * 1195
    return _regression(0.3, name="adam", updates=1200, fall=0.01, r2=r2, reference=reference, n=494, batch=30,
                       dead={"0": [dead]}, batch_loss=jump)


def test_an_early_blow_up_that_left_dead_units_on_a_failing_run_is_the_rate():
    findings = run_rules(_blown_up(r2=0.95, reference=0.9994, dead=0.88))
    assert _codes(findings)[0] == "NF103", _codes(findings)
    assert findings[0].basis == "measured" and "dead" in findings[0].message


def test_the_same_blow_up_on_a_run_that_fits_as_well_as_its_reference_names_no_rate():
    """gh-MorvanZhou-PyTorch-Tutorial-31's fixed program: a 10x jump and dead units, yet R² at the
    reference fit's level: nothing to explain."""
    findings = run_rules(_blown_up(r2=0.95, reference=0.957, dead=0.88))
    assert "NF103" not in [f.code for f in findings if f.severity is Severity.ERROR]


def test_a_blow_up_without_lasting_damage_is_no_error_on_a_run_that_recovered():
    findings = run_rules(_blown_up(r2=0.95, reference=0.9994, dead=0.1))
    assert not [f for f in findings if f.code == "NF103" and f.severity is Severity.ERROR]


def _classifier(loss, act, accuracy, majority_fraction, reference):
    return TrainingRun(
        framework="torch", task="binary",
        layers=[LayerInfo("0", units=16, input_units=4, activation="tanh"),
                LayerInfo("2", units=1, input_units=16, activation=act)],
        data=DataStats(n_samples=800, inputs=[ColumnStats(-3, 3, 0, 1)] * 4,
                       targets=[ColumnStats(0, 1, 0.25, 0.43, is_integer=True)], class_counts={"0": 600, "1": 200}),
        config=TrainingConfig(optimizer=OptimizerInfo("sgd", 0.01), loss=loss, epochs=30, batch_size=50),
        history=History(loss=[0.3 - 0.001 * i for i in range(30)], n_updates=480),
        fit=Fit(train_accuracy=accuracy, majority_fraction=majority_fraction, reference_accuracy=reference),
        n_updates_planned=480)


def test_a_regression_loss_on_a_sigmoid_that_collapsed_the_predictions_rests_on_the_run():
    findings = run_rules(_classifier("l1loss", "sigmoid", 0.75, 1.0, 0.95))
    mismatch = next(f for f in findings if f.code == "NF126")
    assert mismatch.basis == "measured" and mismatch.severity is Severity.ERROR
    assert "predicted as one class" in mismatch.message
    assert findings[0].code == "NF126", _codes(findings)


def test_a_shortfall_against_the_reference_is_evidence_too():
    findings = run_rules(_classifier("mse", "sigmoid", 0.85, 0.8, 0.97))
    mismatch = next(f for f in findings if f.code == "NF126")
    assert mismatch.basis == "measured"
    assert math.isclose(mismatch.margin, (0.97 - 0.85) / 0.02)


def test_without_a_measured_harm_the_mismatch_stays_a_setting():
    findings = run_rules(_classifier("mse", "sigmoid", 0.975, 0.7, 0.99))
    mismatch = next(f for f in findings if f.code == "NF126")
    assert mismatch.basis == "setting"


def _unscaled(optimizer):
    run = _regression(1e-6, name=optimizer, updates=5000, fall=0.001, r2=0.5)
    run.data.inputs = [ColumnStats(-500, 500, 0, 290)]
    run.data.targets = [ColumnStats(-869, 933, 32, 520)]
    run.layers = [LayerInfo("0", units=1, input_units=1)]
    return run


def test_under_plain_gradient_descent_unscaled_inputs_outrank_unscaled_targets():
    """The curvature a plain step must respect grows with the inputs' scale squared; the targets' scale
    does not enter it (fastai-18783: inputs over -500..500, the inputs are the root cause)."""
    codes = _codes(run_rules(_unscaled("sgd")))
    assert codes.index("NF105") < codes.index("NF106"), codes


def test_under_an_adaptive_optimiser_the_input_margin_is_not_squared():
    findings = {f.code: f for f in run_rules(_unscaled("adam"))}
    assert findings["NF105"].margin == 500 / 10


def _event_flags(predicted_share):
    """A multi-label record: 300 sequences x 100 steps, 1 % event flags (discuss-pytorch-72150's shape)."""
    return TrainingRun(
        framework="torch", task="multilabel",
        layers=[LayerInfo("out", units=1, input_units=16, activation="sigmoid")],
        data=DataStats(n_samples=300, inputs=[ColumnStats(-3, 5, 0, 1)] * 100,
                       targets=[ColumnStats(0, 1, 0.01, 0.1, is_integer=True)] * 100,
                       class_counts={str(i): 3 for i in range(100)}),
        config=TrainingConfig(optimizer=OptimizerInfo("adam", 1e-3), loss="bceloss", epochs=20, batch_size=16),
        history=History(loss=[0.6 * 0.8 ** i for i in range(20)], n_updates=380),
        fit=Fit(train_accuracy=0.4, reference_accuracy=0.4, predicted_positive_share=predicted_share),
        n_updates_planned=380)


def test_rare_label_flags_never_predicted_are_a_class_imbalance():
    findings = run_rules(_event_flags(0.0))
    assert _codes(findings)[0] == "NF131", _codes(findings)
    assert findings[0].basis == "measured"


def test_rare_label_flags_that_are_predicted_are_no_imbalance_finding():
    assert "NF131" not in _codes(run_rules(_event_flags(0.012)))


def test_one_hot_targets_under_a_squared_error_on_a_linear_output_are_a_classification():
    from nnfit.doctor.task import infer_task

    run = TrainingRun(
        framework="keras",
        layers=[LayerInfo("d", units=8, input_units=4, activation="relu"), LayerInfo("o", units=3, input_units=8)],
        data=DataStats(n_samples=150, inputs=[ColumnStats(-2, 2, 0, 1)] * 4,
                       targets=[ColumnStats(0, 1, 0.33, 0.47, is_integer=True)] * 3,
                       class_counts={"0": 50, "1": 50, "2": 50}),
        config=TrainingConfig(loss="mean_squared_error"))
    assert infer_task(run) == "multiclass"
    run.data.class_counts = {"0": 60, "1": 70, "2": 50}      # rows with several 1s: multi-hot, not one-hot
    assert infer_task(run) == "regression"
