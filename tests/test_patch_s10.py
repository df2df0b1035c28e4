"""Patch generators for findings and idioms that had none (session 10): multi-label class imbalance
(NF131, torch and Keras), a loss written positionally or as a torch function (NF110 / NF126), clipping
for an optimiser named by a string (NF112, Keras), hand-set torch initial weights (NF120), Keras hidden
activations written positionally or as Activation layers (NF111 / NF114), torch rates in parameter
groups and `**kwargs` (NF103 / NF104), batches cut by `zip(X.split(b), y.split(b))` (NF129), several
Keras inputs under validation_split (NF127) and epoch loops counted through `enumerate(range(N))` /
progress bars (NF102). Each test parses a small script, runs it for a few updates to get the capture,
plans the patch for a finding and checks the edited code; two run the patched script (seconds)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.patch import plan_patches  # noqa: E402
from tests.test_doctor_patch import added, capture_of, finding, removed  # noqa: E402


def _run(path, text):
    path.write_text(text)
    env = {**os.environ, "KERAS_BACKEND": "torch", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, str(path)], cwd=path.parent, capture_output=True, text=True,
                          timeout=600, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _single(plan, code):
    found = [p for p in plan.singles if p.codes == [code]]
    assert found, plan.skipped
    return found[0]


# -- NF131 on multi-label targets ------------------------------------------------------------------------
TORCH_FLAGS = textwrap.dedent("""
    import torch
    from torch import nn

    torch.manual_seed(0)
    X = torch.randn(64, 4)
    Y = (torch.rand(64, 5) < 0.05).float()
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 5){squash})
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.{loss}()
    for epoch in range(2):
        opt.zero_grad()
        loss = loss_fn(model(X), Y)
        loss.backward()
        opt.step()
""")


def test_rare_flags_under_bce_with_logits_get_pos_weight_from_the_positive_share(tmp_path):
    text = TORCH_FLAGS.format(squash="", loss="BCEWithLogitsLoss")
    path, cap = capture_of(tmp_path, "flags.py", text, max_updates=2)
    plan = plan_patches(text, str(path), cap, [finding("NF131", positive_flag_share=0.04, labels=5)])
    assert added(_single(plan, "NF131").diff()) == ["loss_fn = nn.BCEWithLogitsLoss(pos_weight=torch.tensor(24))"]


def test_rare_flags_under_bce_on_probabilities_get_the_balanced_loss_class(tmp_path):
    text = TORCH_FLAGS.format(squash=", nn.Sigmoid()", loss="BCELoss")
    path, cap = capture_of(tmp_path, "flags.py", text, max_updates=2)
    plan = plan_patches(text, str(path), cap, [finding("NF131", positive_flag_share=0.01, labels=5)])
    patch = _single(plan, "NF131")
    assert "loss_fn = BalancedBCELoss(pos_weight=99)" in added(patch.diff())
    assert "class BalancedBCELoss(torch.nn.Module):" in patch.source
    # the weighted loss runs as it is
    out = _run(tmp_path / "patched.py", patch.source + "\nprint('LOSS', float(loss))\n")
    assert re.search(r"LOSS [0-9.]+", out)


def test_a_multi_label_finding_without_a_measured_share_is_not_patched(tmp_path):
    text = TORCH_FLAGS.format(squash="", loss="BCEWithLogitsLoss")
    path, cap = capture_of(tmp_path, "flags.py", text, max_updates=2)
    plan = plan_patches(text, str(path), cap, [finding("NF131", positive_flag_share=0.0, labels=5)])
    assert plan.combined is None and any("share of positive flags" in s for s in plan.skipped)


KERAS_FLAGS = textwrap.dedent("""
    import numpy as np
    import keras

    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 4)).astype("float32")
    Y = (rng.random((64, 5)) < 0.05).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(5, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    history = model.fit(X, Y, epochs=1, batch_size=32, verbose=0)
    print("LOSS", history.history["loss"][-1])
""")


def test_keras_rare_flags_get_a_weighted_binary_cross_entropy_that_runs(tmp_path):
    path, cap = capture_of(tmp_path, "kflags.py", KERAS_FLAGS, max_updates=2)
    plan = plan_patches(KERAS_FLAGS, str(path), cap, [finding("NF131", positive_flag_share=0.05, labels=5)])
    patch = _single(plan, "NF131")
    # the positional loss replaced in its place (a loss= keyword beside it would be given twice)
    assert 'model.compile("adam", balanced_binary_crossentropy(19))' in added(patch.diff())
    out = _run(tmp_path / "patched.py", patch.source)
    assert re.search(r"LOSS [0-9.]+", out)


# -- NF110: the loss written positionally (Keras) or as a torch function ---------------------------------
def test_keras_positional_loss_is_replaced_where_it_is_written(tmp_path):
    text = textwrap.dedent("""
        import numpy as np
        import keras

        X = np.linspace(-1, 1, 64).reshape(-1, 1).astype("float32")
        y = 3 * X[:, 0]
        model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
        model.compile("adam", "binary_crossentropy")
        model.fit(X, y, epochs=1, verbose=0)
    """)
    path, cap = capture_of(tmp_path, "pos.py", text, max_updates=2)
    plan = plan_patches(text, str(path), cap, [finding("NF110")])
    assert added(_single(plan, "NF110").diff()) == ["model.compile(\"adam\", 'mean_squared_error')"]


def test_torch_functional_classification_loss_becomes_mse_with_its_arguments(tmp_path):
    text = textwrap.dedent("""
        import torch
        import torch.nn.functional as F
        from torch import nn

        X = torch.linspace(-1, 1, 64).reshape(-1, 1)
        y = 3 * X
        net = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1))
        opt = torch.optim.Adam(net.parameters(), lr=1e-2)
        for epoch in range(2):
            opt.zero_grad()
            loss = F.binary_cross_entropy_with_logits(net(X), y)
            loss.backward()
            opt.step()
    """)
    path, cap = capture_of(tmp_path, "fl.py", text, max_updates=2)
    plan = plan_patches(text, str(path), cap, [finding("NF110")])
    assert added(_single(plan, "NF110").diff()) == ["loss = F.mse_loss(net(X), y)"]


# -- NF112, Keras: an optimiser named by a string ------------------------------------------------------
def test_clipping_for_a_string_optimizer_builds_its_class(tmp_path):
    text = textwrap.dedent("""
        import numpy as np
        import keras

        X = np.linspace(-1, 1, 64).reshape(-1, 1).astype("float32")
        y = 3 * X[:, 0]
        model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(X, y, epochs=1, verbose=0)
    """)
    path, cap = capture_of(tmp_path, "clip.py", text, max_updates=2)
    plan = plan_patches(text, str(path), cap, [finding("NF112")])
    lines = added(_single(plan, "NF112").diff())
    assert any(re.fullmatch(r"model\.compile\(optimizer=keras\.optimizers\.SGD\(learning_rate=0\.01, clipnorm=1\.0\), "
                            r"loss=\"mse\"\)", line) for line in lines), lines


# -- NF120, torch: weights set by hand ------------------------------------------------------------------
def test_torch_hand_set_weights_become_glorot_and_biases_stay(tmp_path):
    text = textwrap.dedent("""
        import torch
        from torch import nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.hidden = nn.Linear(2, 16)
                self.out = nn.Linear(16, 1)
                for m in self.modules():
                    if isinstance(m, nn.Linear):
                        nn.init.constant_(m.weight, 0.0)
                        nn.init.zeros_(m.bias)
                self.out.weight.data.fill_(0.5)

            def forward(self, x):
                return self.out(torch.tanh(self.hidden(x)))

        net = Net()
        X = torch.rand(32, 2)
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        for epoch in range(2):
            opt.zero_grad()
            loss = ((net(X) - X[:, :1]) ** 2).mean()
            loss.backward()
            opt.step()
    """)
    path, cap = capture_of(tmp_path, "init.py", text, max_updates=2)
    plan = plan_patches(text, str(path), cap, [finding("NF120", layer="hidden")])
    diff = _single(plan, "NF120").diff()
    assert "torch.nn.init.xavier_uniform_(m.weight)" in added(diff)
    assert "torch.nn.init.xavier_uniform_(self.out.weight.data)" in added(diff)
    assert "nn.init.zeros_(m.bias)" not in removed(diff)


# -- NF111 / NF114, Keras: activations written positionally or as layers ---------------------------------
def test_keras_positional_and_layer_activations_become_tanh(tmp_path):
    text = textwrap.dedent("""
        import numpy as np
        import keras
        from keras import layers

        X = np.linspace(-1, 1, 64).reshape(-1, 1).astype("float32")
        y = np.sin(3 * X[:, 0])
        inp = keras.Input((1,))
        h = layers.Dense(16, "sigmoid")(inp)
        h = layers.Dense(16)(h)
        h = layers.Activation("sigmoid")(h)
        model = keras.Model(inp, layers.Dense(1)(h))
        model.compile(optimizer="adam", loss="mse")
        model.fit(X, y, epochs=1, verbose=0)
    """)
    path, cap = capture_of(tmp_path, "act.py", text, max_updates=2)
    plan = plan_patches(text, str(path), cap, [finding("NF111")])
    lines = added(_single(plan, "NF111").diff())
    assert "h = layers.Dense(16, 'tanh')(inp)" in lines
    assert "h = layers.Activation('tanh')(h)" in lines


# -- NF103 / NF104, torch: rates in parameter groups and **kwargs ----------------------------------------
TORCH_RATE = textwrap.dedent("""
    import torch
    from torch import nn

    X = torch.rand(64, 2)
    y = X[:, :1] - X[:, 1:]
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    {setup}
    for epoch in range(3):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(X), y)
        loss.backward()
        opt.step()
""")


def test_parameter_group_rates_are_scaled_together(tmp_path):
    setup = ('groups = [{"params": model[0].parameters(), "lr": 0.1}, {"params": model[2].parameters(), "lr": 0.01}]\n'
             'opt = torch.optim.SGD(groups, lr=0.1)')
    text = TORCH_RATE.format(setup=setup)
    path, cap = capture_of(tmp_path, "groups.py", text, max_updates=2)
    plan = plan_patches(text, str(path), cap, [finding("NF103")])
    lines = added(_single(plan, "NF103").diff())
    # a decade lower for each group, their ratio (10:1) kept, and the default beside them
    assert any('"lr": 0.01}, {"params": model[2].parameters(), "lr": 0.001}]' in line for line in lines), lines
    assert any("opt = torch.optim.SGD(groups, lr=0.01)" in line for line in lines), lines


def test_a_rate_in_a_kwargs_dict_is_edited_there_not_repeated(tmp_path):
    setup = 'cfg = {"lr": 1e-6, "weight_decay": 0.0}\nopt = torch.optim.Adam(model.parameters(), **cfg)'
    text = TORCH_RATE.format(setup=setup)
    path, cap = capture_of(tmp_path, "kw.py", text, max_updates=2)
    plan = plan_patches(text, str(path), cap, [finding("NF104")])
    patch = _single(plan, "NF104")
    lines = added(patch.diff())
    assert 'cfg = {"lr": 0.001, "weight_decay": 0.0}' in lines, lines
    assert "opt = torch.optim.Adam(model.parameters(), **cfg)" in patch.source


# -- NF129, torch: batches cut in stored order by zip(X.split(b), y.split(b)) ----------------------------
def test_split_batches_are_taken_from_arrays_permuted_each_epoch(tmp_path):
    text = textwrap.dedent("""
        import torch
        from torch import nn

        X = torch.linspace(-1, 1, 64).reshape(-1, 1)
        y = torch.sin(3 * X)
        model = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1))
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        for epoch in range(2):
            for xb, yb in zip(X.split(16), y.split(16)):
                opt.zero_grad()
                loss = nn.functional.mse_loss(model(xb), yb)
                loss.backward()
                opt.step()
        print("ROWS", X.shape[0], float(X.sum()))
    """)
    path, cap = capture_of(tmp_path, "split.py", text, max_updates=4)
    plan = plan_patches(text, str(path), cap, [finding("NF129")])
    patch = _single(plan, "NF129")
    lines = added(patch.diff())
    assert "nnfit_order = nnfit_rng.permutation(len(X))" in lines
    # the batching reads the permuted rows; the names keep theirs (the line after the loop sees X as it was)
    assert "for xb, yb in zip(X[nnfit_order].split(16), y[nnfit_order].split(16)):" in lines
    assert lines.index("nnfit_rng = numpy.random.default_rng(0)") < lines.index("nnfit_order = nnfit_rng.permutation(len(X))")
    out = _run(tmp_path / "patched.py", patch.source)
    assert "ROWS 64" in out


# -- NF127, Keras: several inputs under validation_split --------------------------------------------------
def test_every_input_of_a_multi_input_fit_is_permuted_by_one_order(tmp_path):
    text = textwrap.dedent("""
        import numpy as np
        import keras
        from keras import layers

        a = np.linspace(0, 1, 64).reshape(-1, 1).astype("float32")
        b = a[::-1].copy()
        y = (a + 2 * b).ravel()
        ia, ib = keras.Input((1,)), keras.Input((1,))
        model = keras.Model([ia, ib], layers.Dense(1)(layers.Concatenate()([ia, ib])))
        model.compile(optimizer="adam", loss="mse")
        model.fit([a, b], y, epochs=1, validation_split=0.25, verbose=0)
    """)
    path, cap = capture_of(tmp_path, "two.py", text, max_updates=2)
    plan = plan_patches(text, str(path), cap, [finding("NF127")])
    lines = added(_single(plan, "NF127").diff())
    assert "nnfit_order = np.random.default_rng(0).permutation(len(a))" in lines
    assert "model.fit([a[nnfit_order], b[nnfit_order]], y[nnfit_order], epochs=1, validation_split=0.25, verbose=0)" in lines


# -- NF102, torch: the epoch loop counted through enumerate() or a progress bar ---------------------------
def test_the_pass_count_inside_enumerate_range_is_raised(tmp_path):
    text = textwrap.dedent("""
        import torch
        from torch import nn

        X = torch.rand(64, 1)
        y = 2 * X
        model = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1))
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)
        for k, epoch in enumerate(range(3)):
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(X), y)
            loss.backward()
            opt.step()
    """)
    path, cap = capture_of(tmp_path, "en.py", text)
    plan = plan_patches(text, str(path), cap, [finding("NF102")])
    lines = added(_single(plan, "NF102").diff())
    assert "for k, epoch in enumerate(range(3000)):" in lines, lines


def test_counted_range_reads_progress_bar_wrappers():
    import libcst as cst

    from nnfit.doctor.patch.training import _counted_range

    for code, expect in (("tqdm(range(5), desc='e')", "range(5)"), ("trange(1, 9)", "trange(1, 9)"),
                         ("enumerate(tqdm(range(7)))", "range(7)"), ("zip(a, b)", None), ("range(0, 10, 2)", None)):
        found = _counted_range(cst.parse_expression(code))
        assert (cst.Module([]).code_for_node(found) if found is not None else None) == expect, code
