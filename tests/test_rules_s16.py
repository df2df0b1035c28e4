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


def test_a_fault_the_scripts_exception_names_is_reported_once(tmp_path):
    """Binary cross-entropy on targets in [-1, 1]: the torch backend raises, and the wrong-loss rule
    reads the same fault from the data: one NF110, the exception's."""
    import os
    import textwrap

    os.environ.setdefault("KERAS_BACKEND", "torch")
    from nnfit.doctor.report import Report
    from tests.test_doctor_patch import capture_of

    text = textwrap.dedent("""
        import numpy as np
        import keras

        rng = np.random.default_rng(0)
        X = rng.uniform(-1, 1, size=(200, 1)).astype("float32")
        y = np.sin(3 * X).astype("float32")
        model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(8, activation="tanh"),
                                  keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(X, y, epochs=2, batch_size=32, verbose=0)
    """)
    _, cap = capture_of(tmp_path, "bce.py", text, max_updates=20)
    found = [f for f in Report.from_run(cap.run, cap).findings if f.code == "NF110"]
    assert len(found) == 1, [f.message for f in found]
    assert "raised" in found[0].message
