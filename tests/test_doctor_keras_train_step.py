"""Keras 3 on the torch backend, a custom `train_step` that calls `loss.backward()` itself: the doctor
measures whether the gradients are reset between steps (NF116, as for a torch loop), says the Keras
fix (`self.zero_grad()`), and the patch inserts it before the backward pass. A custom train_step that
resets, and a plain `fit`, get no NF116."""
from __future__ import annotations

import os
import textwrap

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.patch import plan_patches  # noqa: E402
from nnfit.doctor.report import Report  # noqa: E402
from tests.test_doctor_patch import added, capture_of  # noqa: E402

CUSTOM_STEP = textwrap.dedent("""
    import os
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import numpy as np
    import torch
    import keras

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(256, 3)).astype("float32")
    y = (X @ np.array([1.0, -2.0, 0.5], dtype="float32"))[:, None]
    loss_fn = keras.losses.MeanSquaredError()


    class StepModel(keras.Model):
        def train_step(self, data):
            inputs, targets = data
            predictions = self(inputs, training=True)
            loss = loss_fn(targets, predictions){reset}
            loss.backward()
            weights = [v for v in self.trainable_weights]
            gradients = [v.value.grad for v in weights]
            with torch.no_grad():
                self.optimizer.apply(gradients, weights)
            return {{"loss": loss}}


    inputs = keras.Input(shape=(3,))
    hidden = keras.layers.Dense(16, activation="tanh")(inputs)
    outputs = keras.layers.Dense(1)(hidden)
    model = StepModel(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(0.01))
    model.fit(X, y, epochs=2, batch_size=32, verbose=0)
""")

PLAIN_FIT = textwrap.dedent("""
    import numpy as np
    import keras

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(256, 3)).astype("float32")
    y = (X @ np.array([1.0, -2.0, 0.5], dtype="float32"))[:, None]
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(16, activation="tanh"), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, y, epochs=2, batch_size=32, verbose=0)
""")


def _report(tmp_path, name, text):
    path, cap = capture_of(tmp_path, name, text, max_updates=40)
    assert cap is not None and cap.run.framework == "keras"
    return path, cap, Report.from_run(cap.run, cap)


def test_a_custom_train_step_without_zero_grad_is_measured_as_accumulating(tmp_path):
    path, cap, report = _report(tmp_path, "step.py", CUSTOM_STEP.format(reset=""))
    nf116 = [f for f in report.findings if f.code == "NF116"]
    assert nf116, report.codes
    assert nf116[0].evidence["accumulated_steps"] > nf116[0].evidence["reset_steps"]
    assert "self.zero_grad()" in nf116[0].fix
    text = CUSTOM_STEP.format(reset="")
    plan = plan_patches(text, str(path), cap, nf116)
    single = [p for p in plan.singles if p.codes == ["NF116"]]
    assert single, plan.skipped
    assert added(single[0].diff()) == ["self.zero_grad()"]
    # the reset goes before the backward pass, inside train_step
    patched = single[0].source.splitlines()
    at = patched.index("        self.zero_grad()")
    assert patched[at + 1].strip() == "loss.backward()"


def test_a_custom_train_step_that_resets_and_a_plain_fit_get_no_nf116(tmp_path):
    _, cap, report = _report(tmp_path, "reset.py", CUSTOM_STEP.format(reset="\n        self.zero_grad()"))
    assert "NF116" not in report.codes
    assert (cap.run.gradients.reset_steps or 0) > 0    # measured, not merely absent
    _, cap, report = _report(tmp_path, "plain.py", PLAIN_FIT)
    assert "NF116" not in report.codes
    assert not cap.run.gradients.accumulated_steps


MODEL_PER_EPOCH = textwrap.dedent("""
    import numpy as np
    import keras

    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(200, 1)).astype("float32")
    y = np.sin(3 * X).astype("float32")
    for epoch in range(4):
        model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(X, y, epochs=1, batch_size=32, verbose=0)
""")


def test_a_model_built_anew_for_each_fit_is_not_read_as_unreset_gradients(tmp_path):
    """Each new model's backward passes do not reach the first model's weights, whose .grad then stays
    as it was: that is no buffer left unreset (the tracker watches the graph of each pass)."""
    _, cap, report = _report(tmp_path, "rebuilt.py", MODEL_PER_EPOCH)
    assert "NF116" not in report.codes
    assert not cap.run.gradients.accumulated_steps
