"""The declared ranking model (nnfit.doctor.ranking): causes before symptoms, evidence strength within
causes, repair gains, and severities a user can trust on a run that fits."""
from __future__ import annotations

import pytest

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.ranking import GOOD_FIT, apply_repair, assess, order, strength
from nnfit.doctor.run import Fit, TrainingRun


def finding(code, basis="setting", margin=1.0, severity=None, line=None):
    from nnfit.doctor.findings import Location

    return Finding(code=code, message=f"{code} message", fix="fix", basis=basis, margin=margin,
                   severity=severity, location=Location(line=line))


def watched(r2=0.2, task="regression"):
    return TrainingRun(framework="keras", task=task, fit=Fit(train_r2=r2))


def test_a_cause_is_ranked_above_a_stronger_symptom_which_names_it():
    findings = assess([finding("NF122", "measured", 1000.0), finding("NF105", "data", 1.5)], watched())
    assert [f.code for f in findings] == ["NF105", "NF122"]
    assert findings[1].consequence_of == ["NF105"]
    assert findings[1].severity is Severity.WARNING        # a symptom of a cause found is not the error
    assert "consequence of unscaled-inputs" in findings[1].message


def test_a_symptom_alone_keeps_its_severity():
    findings = assess([finding("NF122", "measured", 2.0), finding("NF117", "code")], watched())
    assert findings[0].code == "NF122" and findings[0].severity is Severity.ERROR
    assert findings[0].consequence_of == []


def test_within_causes_the_stronger_evidence_comes_first():
    weak, strong = finding("NF102", "setting", 2.0), finding("NF103", "measured", 5.0)
    assert [f.code for f in assess([weak, strong], watched())] == ["NF103", "NF102"]
    # a fact of the data three decades past its threshold beats a measurement just past its own
    far = finding("NF106", "data", 1e4)
    assert strength(far) > strength(finding("NF103", "measured", 1.0))


def test_strength_grows_with_margin_and_is_capped():
    assert strength(finding("NF105", "data", 1.0)) < strength(finding("NF105", "data", 10.0))
    assert strength(finding("NF105", "data", 1e3)) == strength(finding("NF105", "data", 1e9))
    assert strength(finding("NF105", "data", float("inf"))) == strength(finding("NF105", "data", 1e9))


def test_a_run_that_fits_well_gets_no_error_and_unfounded_warnings_become_info():
    run = watched(r2=GOOD_FIT + 0.005)
    findings = assess([finding("NF103", "measured", 3.0), finding("NF124", "setting"),
                       finding("NF128", "data", severity=Severity.WARNING), finding("NF117", "code")], run)
    by_code = {f.code: f.severity for f in findings}
    assert by_code["NF103"] is Severity.WARNING           # measured: still worth a warning
    assert by_code["NF124"] is Severity.INFO              # a setting alone, on a run that fits: no alarm
    assert by_code["NF128"] is Severity.INFO              # a fact of the data this training fitted anyway
    assert by_code["NF117"] is Severity.WARNING           # advice about the code keeps its level


def test_a_static_run_keeps_the_rules_severities():
    run = TrainingRun(framework="static")
    findings = assess([finding("NF103", "setting", severity=Severity.WARNING), finding("NF105", "code")], run)
    assert {f.code: f.severity for f in findings} == {"NF103": Severity.WARNING, "NF105": Severity.ERROR}


def test_classification_fit_is_judged_by_accuracy():
    run = TrainingRun(framework="torch", task="binary", fit=Fit(train_r2=-3.0, train_accuracy=0.995))
    findings = assess([finding("NF131", "measured", 2.0)], run)
    assert findings[0].severity is Severity.WARNING


def test_a_measured_repair_gain_reorders_the_causes():
    a, b = finding("NF103", "measured", 100.0), finding("NF101", "setting", 1.0)
    findings = assess([a, b], watched())
    assert findings[0].code == "NF103"
    findings = apply_repair(findings, {"NF101": 0.6, "NF103": 0.0})
    assert [f.code for f in findings] == ["NF101", "NF103"]


def test_unscaled_data_explain_a_diverging_loss():
    nan_loss, targets = finding("NF103", "measured", 1000.0), finding("NF106", "data", 50.0)
    findings = assess([nan_loss, targets], watched())
    assert [f.code for f in findings] == ["NF106", "NF103"] and findings[1].consequence_of == ["NF106"]


def test_an_explaining_cause_ranks_above_what_it_explains():
    shuffled, lr = finding("NF129", "data", 2.0), finding("NF103", "measured", 300.0)
    findings = assess([lr, shuffled], watched())
    assert [f.code for f in findings] == ["NF129", "NF103"]
    assert "NF129" in findings[1].consequence_of


def test_order_is_stable_on_ties_by_line_then_code():
    fs = [finding("NF105", "data", 1.0, line=9), finding("NF106", "data", 1.0, line=3)]
    assert [f.code for f in order(fs)] == ["NF106", "NF105"]


def test_repair_rows_give_each_single_fix_its_gain():
    from types import SimpleNamespace as NS

    from nnfit.doctor.report import repair_gains, rerank_by_repair

    result = NS(rows=[NS(codes=[], result={"r2": 0.1}), NS(codes=["NF101"], result={"r2": 0.2}),
                      NS(codes=["NF102"], heldout={"r2": 0.95}), NS(codes=["NF101", "NF102"], result={"r2": 0.99})])
    gains = repair_gains(result)
    assert gains["NF101"] == pytest.approx(0.1) and gains["NF102"] == pytest.approx(0.85)
    findings = assess([finding("NF101", "setting", 50.0), finding("NF102", "setting", 2.0)], watched())
    assert [f.code for f in findings] == ["NF101", "NF102"]
    assert [f.code for f in rerank_by_repair(findings, result)] == ["NF102", "NF101"]


def test_a_run_that_measured_neither_fit_nor_loss_gets_no_error_from_a_setting_alone():
    # a hand-written loop the monitor could not see into: 201 planned updates is a reason to look,
    # not evidence that training was hurt
    blind = TrainingRun(framework="torch")
    findings = assess([finding("NF102", "setting", 2.0, severity=Severity.ERROR),
                       finding("NF124", "setting", severity=Severity.WARNING),
                       finding("NF103", "measured", 3.0, severity=Severity.ERROR)], blind)
    by_code = {f.code: f.severity for f in findings}
    assert by_code == {"NF102": Severity.WARNING, "NF124": Severity.INFO, "NF103": Severity.ERROR}
    # the same setting on a run that measured a poor fit keeps its error
    seen = assess([finding("NF102", "setting", 2.0, severity=Severity.ERROR)], watched(r2=0.2))
    assert seen[0].severity is Severity.ERROR


def test_a_rate_read_from_the_text_of_a_hand_written_loop_ranks_below_what_the_run_observed():
    from nnfit.doctor.run import OptimizerInfo, TrainingConfig

    run = TrainingRun(framework="torch", task="regression", fit=Fit(train_r2=0.1),
                      config=TrainingConfig(optimizer=OptimizerInfo(name="sgd", learning_rate=1e-7,
                                                                    arguments={"hand_written": True})))
    text_rate = Finding(code="NF104", message="NF104 message", fix="fix", basis="setting", margin=100.0,
                        severity=Severity.ERROR, evidence={"learning_rate": 1e-7})
    seen = finding("NF102", "setting", 1.0, severity=Severity.WARNING)
    ranked = assess([text_rate, seen], run)
    assert [f.code for f in ranked] == ["NF102", "NF104"]
    assert ranked[1].from_text and ranked[1].severity is Severity.WARNING   # no error from the text alone


def test_an_observed_optimizer_keeps_its_place():
    from nnfit.doctor.run import OptimizerInfo, TrainingConfig

    run = TrainingRun(framework="torch", task="regression", fit=Fit(train_r2=0.1),
                      config=TrainingConfig(optimizer=OptimizerInfo(name="sgd", learning_rate=1e-7)))
    rate = Finding(code="NF104", message="NF104 message", fix="fix", basis="setting", margin=100.0,
                   severity=Severity.ERROR, evidence={"learning_rate": 1e-7})
    ranked = assess([rate, finding("NF102", "setting", 1.0, severity=Severity.WARNING)], run)
    assert ranked[0].code == "NF104" and not ranked[0].from_text and ranked[0].severity is Severity.ERROR
