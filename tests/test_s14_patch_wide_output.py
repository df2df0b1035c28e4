"""NF125's wide-output case patched: an output layer wider than the one target column (evidence
`output_width`) is made one unit wide, Keras `Dense(k)` -> `Dense(1)`, torch `nn.Linear(h, k)` ->
`nn.Linear(h, 1)`. Small self-written scripts, recorded by the real runner as the patch tests do."""
from __future__ import annotations

import contextlib
import io
import os
import textwrap
import warnings

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.findings import Finding, Location  # noqa: E402
from nnfit.doctor.patch import plan_patches  # noqa: E402
from nnfit.doctor.runner import run_script  # noqa: E402

KERAS_WIDE = textwrap.dedent("""
    import numpy as np
    import keras

    keras.utils.set_random_seed(1)
    X = np.random.rand(64, 3).astype("float32")
    y = (X.sum(axis=1, keepdims=True) * 2.0).astype("float32")
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(12, activation="relu"),
                              keras.layers.Dense(4)])
    model.compile(loss="mse", optimizer="adam")
    model.fit(X, y, epochs=2, batch_size=16, verbose=0)
""")

TORCH_WIDE = textwrap.dedent("""
    import torch
    from torch import nn

    torch.manual_seed(1)
    X = torch.rand(64, 3)
    y = X.sum(dim=1, keepdim=True) * 2.0
    net = nn.Sequential(nn.Linear(3, 12), nn.Tanh(), nn.Linear(12, 5))
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    mse = nn.MSELoss()
    for epoch in range(3):
        opt.zero_grad()
        loss = mse(net(X), y)
        loss.backward()
        opt.step()
""")


def _plan(tmp_path, name, text, width):
    path = tmp_path / name
    path.write_text(text)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        cap = run_script(str(path))
    f = Finding(code="NF125", message="NF125", fix="", evidence={
        "prediction_shape": [64, width], "target_shape": [64, 1], "output_width": width}, location=Location())
    return plan_patches(text, str(path), cap, [f])


def _added(diff):
    return [line[1:].strip() for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]


def _removed(diff):
    return [line[1:].strip() for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]


def test_keras_wide_output_layer_is_made_one_unit(tmp_path):
    plan = _plan(tmp_path, "wide_keras.py", KERAS_WIDE, 4)
    by_code = {p.codes[0]: p for p in plan.singles}
    assert set(by_code) == {"NF125"}, plan.skipped
    diff = by_code["NF125"].diff()
    assert "keras.layers.Dense(1)])" in _added(diff), diff
    assert "keras.layers.Dense(4)])" in _removed(diff), diff
    # the hidden layer keeps its width
    assert "Dense(12" in plan.combined.source and "Dense(4)" not in plan.combined.source


def test_torch_wide_output_linear_is_made_one_unit(tmp_path):
    plan = _plan(tmp_path, "wide_torch.py", TORCH_WIDE, 5)
    by_code = {p.codes[0]: p for p in plan.singles}
    assert set(by_code) == {"NF125"}, plan.skipped
    diff = by_code["NF125"].diff()
    assert "net = nn.Sequential(nn.Linear(3, 12), nn.Tanh(), nn.Linear(12, 1))" in _added(diff), diff
    assert "nn.Linear(12, 5)" not in plan.combined.source


def test_a_reshape_case_is_still_a_reshape(tmp_path):
    # predictions (n, 1) against targets (n,): no output_width, the targets are reshaped as before
    text = TORCH_WIDE.replace("nn.Linear(12, 5)", "nn.Linear(12, 1)").replace("keepdim=True", "keepdim=False")
    path = tmp_path / "flat.py"
    path.write_text(text)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        cap = run_script(str(path))
    f = Finding(code="NF125", message="NF125", fix="", evidence={"prediction_shape": [64, 1], "target_shape": [64]},
                location=Location())
    plan = plan_patches(text, str(path), cap, [f])
    by_code = {p.codes[0]: p for p in plan.singles}
    assert set(by_code) == {"NF125"}, plan.skipped
    assert "loss = mse(net(X), y.reshape(-1, 1))" in _added(by_code["NF125"].diff())
