"""Rule mechanisms of the seventh session, on records built by hand (fast, no training):

- a finding another finding explains (ranking.EXPLAINS, Finding.explains) is its consequence: ranked
  below it and at most a warning (a torch loop without zero_grad() swings like a too-high rate: the
  rate is not a second error);
- a classification loss on a regression (wrong-loss) explains the rate and update-count readings of
  its curve;
- a loss that goes below zero gives no relative "fall" (too-few-updates reads nothing from it);
- the rules that point at a line of the script's text skip its docstrings;
- a crash that names integer-typed data is reported once, not again from the data's dtype.
"""
from __future__ import annotations

from nnfit.doctor.findings import Finding, Location, Severity
from nnfit.doctor.ranking import assess
from nnfit.doctor.rules import run_rules
from nnfit.doctor.rules._common import code_lines, first_line_matching, tail_drop
from nnfit.doctor.run import DataStats, Fit, ScriptError, TrainingRun


def finding(code, basis="measured", margin=1.0, severity=None):
    return Finding(code=code, message=f"{code} message", fix="fix", basis=basis, margin=margin,
                   severity=severity, location=Location(line=None))


def watched(r2=0.2, task="regression"):
    return TrainingRun(framework="torch", task=task, fit=Fit(train_r2=r2))


def test_a_rate_reading_explained_by_accumulated_gradients_is_a_warning_below_them():
    findings = assess([finding("NF103", "measured", 5.0, Severity.ERROR),
                       finding("NF116", "measured", 10.0, Severity.ERROR)], watched())
    assert [f.code for f in findings] == ["NF116", "NF103"]
    assert findings[0].severity is Severity.ERROR
    assert findings[1].severity is Severity.WARNING and findings[1].consequence_of == ["NF116"]


def test_an_explained_finding_stays_an_error_when_its_explanation_is_absent():
    findings = assess([finding("NF103", "measured", 5.0, Severity.ERROR)], watched())
    assert findings[0].severity is Severity.ERROR


def test_a_classification_loss_on_a_regression_explains_its_curves_readings():
    findings = assess([finding("NF102", "measured", 50.0, Severity.ERROR),
                       finding("NF103", "measured", 3.0, Severity.ERROR),
                       finding("NF110", "setting", 10.0, Severity.ERROR)], watched())
    assert findings[0].code == "NF110"
    assert all(f.severity is Severity.WARNING and "NF110" in f.consequence_of for f in findings[1:])


def test_a_loss_below_zero_has_no_relative_fall():
    assert tail_drop([1.0, 0.6, 0.3, 0.1, -0.2, -0.5, -0.9, -1.4, -2.0, -2.7]) is None
    assert tail_drop([1.0, 0.8, 0.6, 0.5, 0.4, 0.35, 0.3, 0.27, 0.25, 0.2]) > 0


def test_a_docstring_that_names_a_call_is_not_the_line_of_the_call():
    src = ['"""Probe: the loop calls loss.backward() and', 'optimizer.step() but never zero_grad()."""',
           "import torch", "", "def train(model):", '    """Runs loss.backward() once."""',
           "    loss = model()", "    loss.backward()  # the call", 's = "x.backward()".upper()']
    run = TrainingRun(framework="torch", source_lines=src)
    assert first_line_matching(run, ".backward(") == 8
    assert code_lines(run)[8] == src[8]       # a string inside an expression is code


def test_text_that_does_not_tokenize_keeps_every_line():
    src = ['print "loss.backward()"', '"""unclosed']
    run = TrainingRun(framework="torch", source_lines=src)
    assert code_lines(run)[0] == src[0]


def test_an_integer_crash_is_reported_once():
    run = TrainingRun(framework="torch", data=DataStats(n_samples=100, input_dtype="int64"),
                      script_error=ScriptError(kind="RuntimeError",
                                               message="mat1 and mat2 must have the same dtype, but got Long and Float",
                                               line=7))
    findings = [f for f in run_rules(run) if f.code == "NF128"]
    assert len(findings) == 1 and findings[0].basis == "measured"
