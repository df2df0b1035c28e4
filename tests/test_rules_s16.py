"""Rules, session 16: a loss that blew up early and is falling back is no evidence of a rate too low
(NF104's slow fall), and NF103 prints a jump of many decades in the usual number format."""
from __future__ import annotations

from nnfit.doctor.rules import run_rules
from tests.test_rules_s6_mechanisms import _codes, _regression


def _recovering(jump, r2=0.8):
    """SGD a decade below its usual rate, 3000 updates, the epoch loss still falling 30 % per fifth; the
    per-step loss jumps `jump` x its first value in the first steps."""
    run = _regression(1e-3, r2=r2)
    steps = list(run.history.batch_loss)
    run.history.batch_loss = [steps[0], steps[0] * jump] + steps[2:]
    return run


def test_a_fall_after_an_early_blow_up_is_no_low_rate():
    findings = run_rules(_recovering(4e19))
    assert "NF104" not in _codes(findings), _codes(findings)


def test_a_jump_of_many_decades_is_printed_in_the_number_format():
    findings = run_rules(_recovering(4.2874e19, r2=-0.5))     # never recovered: NF103 names the jump
    high = [f for f in findings if f.code == "NF103"]
    assert high, _codes(findings)
    assert "rose 4.3e+19x above" in high[0].message, high[0].message


def test_the_same_fall_without_the_blow_up_still_names_the_rate():
    findings = run_rules(_recovering(1.0))
    assert _codes(findings)[0] == "NF104", _codes(findings)


def _flat_at_a_large_rate(step_ratio):
    """Plain SGD at 1.0 (past the static bar), a flat loss, a failing fit; each layer's weights change by
    `step_ratio` of their size per step."""
    run = _regression(1.0, fall=0.0, r2=0.1)
    run.history.update_ratio = {"0": [step_ratio] * 60, "2": [step_ratio] * 60}
    return run


def test_a_large_rate_that_moved_the_weights_very_little_is_not_named():
    findings = run_rules(_flat_at_a_large_rate(1e-3))
    assert "NF103" not in _codes(findings), _codes(findings)


def test_a_large_rate_with_large_measured_steps_is_still_the_suspect():
    findings = run_rules(_flat_at_a_large_rate(0.2))
    assert "NF103" in _codes(findings), _codes(findings)
