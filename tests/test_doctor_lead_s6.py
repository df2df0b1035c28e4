"""Faults found on probe scripts written for these tests in common idioms: an optimiser built before
the model was made again (its parameters never get a gradient, although backward() runs), a script
whose imports are one comma-separated line, and a learning rate that Keras keeps in float32."""
from __future__ import annotations

import os
import textwrap

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.runner import _source_uses  # noqa: E402
from tests.test_doctor_patch import capture_of  # noqa: E402
from tests.test_doctor_patch_faults import diagnosed, plan_for  # noqa: E402

STALE_OPTIMIZER = textwrap.dedent("""
    import torch
    from torch import nn

    torch.manual_seed(0)
    x = torch.linspace(-2, 2, 120).unsqueeze(1)
    y = torch.sin(2 * x)
    def build():
        return nn.Sequential(nn.Linear(1, 24), nn.Tanh(), nn.Linear(24, 1))
    model = build()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    model = build()            # made again: the optimiser still holds the first model's weights
    for step in range(300):
        optimizer.zero_grad()
        loss = nn.MSELoss()(model(x), y)
        loss.backward()
        optimizer.step()
""")


def test_an_optimiser_holding_another_models_parameters_is_named_and_rebuilt_before_the_loop(tmp_path):
    _, cap, report = diagnosed(tmp_path, "stale.py", STALE_OPTIMIZER)
    nf109 = next(f for f in report.findings if f.code == "NF109")
    assert nf109.evidence["backward_calls"] > 0 and "another model's parameters" in nf109.message
    plan = plan_for(tmp_path, "stale.py", STALE_OPTIMIZER, "NF109")
    lines = plan.combined.source.splitlines()
    loop = lines.index("for step in range(300):")
    assert lines[loop - 1] == "optimizer = torch.optim.Adam(model.parameters(), lr=0.01)"
    assert "loss.backward()" in plan.combined.source and plan.combined.source.count(".backward()") == 1
    _, fixed = capture_of(tmp_path, "fixed.py", plan.combined.source)
    assert fixed.run.history.steps_with_gradient
    assert fixed.run.history.weights_changed is not False


def test_imports_on_one_comma_separated_line_count_as_using_torch():
    assert _source_uses("import numpy as np, torch\n", "torch")
    assert _source_uses("def f():\n    import torch.nn as nn\n", "torch")
    assert not _source_uses("import numpy as np\n# import torch\ns = 'import torch'\n", "torch")
    assert not _source_uses("from .torch import x\n", "torch")   # a relative import is the script's own module


def test_a_keras_rate_of_1e_5_is_not_called_below_1e_5_after_keras_stores_it_in_float32(tmp_path):
    text = textwrap.dedent("""
        import numpy as np, keras
        x = np.linspace(-1, 1, 64).reshape(-1, 1)
        y = x ** 2
        model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e-5), loss="mse")
        model.fit(x, y, epochs=3, verbose=0)
    """)
    _, cap, report = diagnosed(tmp_path, "slow.py", text)
    assert cap.run.config.optimizer.learning_rate != 1e-5            # float32: 9.99999975e-06
    assert not any("is below 1e-05" in f.message for f in report.findings)


def test_lint_reads_an_optimiser_built_before_its_model_is_made_again():
    from nnfit.doctor.lint import lint_source

    findings = [f for f in lint_source(STALE_OPTIMIZER) if f.code == "NF109"]
    rebind = STALE_OPTIMIZER.splitlines().index(next(ln for ln in STALE_OPTIMIZER.splitlines() if "made again" in ln))
    assert len(findings) == 1 and findings[0].location.line == rebind + 1   # the line that makes the model again
    rebuilt = STALE_OPTIMIZER.replace("for step in range(300):",
                                      "optimizer = torch.optim.Adam(model.parameters(), lr=0.01)\n"
                                      "for step in range(300):")
    assert rebuilt != STALE_OPTIMIZER
    assert not [f for f in lint_source(rebuilt) if f.code == "NF109"]
    after_training = STALE_OPTIMIZER + "model = build()   # a fresh model after training: harmless\n"
    after_training = after_training.replace("model = build()            # made again: the optimiser still holds "
                                            "the first model's weights\n", "")
    assert after_training.count("model = build()") == 2
    assert not [f for f in lint_source(after_training) if f.code == "NF109"]


def test_lint_reads_argmax_labels_given_to_categorical_cross_entropy():
    from nnfit.doctor.lint import lint_source

    template = textwrap.dedent("""
        import numpy as np
        import keras
        rng = np.random.default_rng(0)
        X = rng.normal(size=(900, 5))
        y = LABELS
        model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(32, activation="relu"),
                                  keras.layers.Dense(3, activation="softmax")])
        model.compile(loss="categorical_crossentropy", optimizer="adam")
        model.fit(X, y, epochs=30, batch_size=32)
    """)
    for labels in ("np.argmax(X[:, :3], axis=1)", "X[:, :3].argmax(axis=1)", "np.argmax(X[:, :3], 1)"):
        found = [f for f in lint_source(template.replace("LABELS", labels)) if f.code == "NF126"]
        assert found and "integer class labels" in found[0].message, labels
    onehot = template.replace("LABELS", "keras.utils.to_categorical(np.argmax(X[:, :3], axis=1), 3)")
    assert not [f for f in lint_source(onehot) if f.code == "NF126"]
