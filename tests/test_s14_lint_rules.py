"""Lint (static) paths of integer-typed-data (NF128), learning-rate-too-low (NF104), too-few-updates
(NF102) and wrong-update-rule (NF116) on small self-written scripts, each with a near twin that must
stay clean."""
from __future__ import annotations

import os
import textwrap

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.lint import lint_source  # noqa: E402


def codes(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in lint_source(textwrap.dedent(text), "snippet.py"):
        out.setdefault(f.code, []).append(f.message)
    return out


def evidence(text: str, code: str) -> dict:
    return next(f.evidence for f in lint_source(textwrap.dedent(text), "snippet.py") if f.code == code)


KERAS_BITS = """
    import numpy as np
    from keras.models import Sequential
    from keras.layers import Dense

    bits = {draw}
    labels = (bits[:, 0] ^ bits[:, 1]).reshape(-1, 1).astype("float32")
    net = Sequential()
    net.add(Dense(6, input_dim=3, activation="tanh"))
    net.add(Dense(1, activation="sigmoid"))
    net.compile(loss="binary_crossentropy", optimizer="adam")
    net.fit(bits, labels, epochs=200, batch_size=16)
"""


def test_keras_inputs_drawn_as_integers_are_integer_typed():
    found = codes(KERAS_BITS.format(draw="np.random.randint(0, 2, size=(640, 3))"))
    assert "NF128" in found and "inputs are int64" in found["NF128"][0], found


def test_keras_inputs_converted_to_float_are_not():
    found = codes(KERAS_BITS.format(draw='np.random.randint(0, 2, size=(640, 3)).astype("float32")'))
    assert "NF128" not in found, found


def test_keras_arange_inputs_are_numbers_not_integer_typed_data():
    text = """
        import numpy as np
        from keras.models import Sequential
        from keras.layers import Dense

        t = np.arange(300)
        v = np.cos(t / 50.0)
        m = Sequential([Dense(16, input_shape=(1,), activation="tanh"), Dense(1)])
        m.compile(loss="mse", optimizer="adam")
        m.fit(t, v, epochs=100, batch_size=10)
    """
    assert "NF128" not in codes(text)


def test_keras_embedding_indices_drawn_as_integers_are_fine():
    text = """
        import numpy as np
        from keras.models import Sequential
        from keras.layers import Dense, Embedding, Flatten

        tokens = np.random.randint(0, 50, size=(800, 4))
        flags = np.random.rand(800, 1).round().astype("float32")
        m = Sequential([Embedding(50, 8, input_length=4), Flatten(), Dense(1, activation="sigmoid")])
        m.compile(loss="binary_crossentropy", optimizer="adam")
        m.fit(tokens, flags, epochs=50, batch_size=32)
    """
    assert "NF128" not in codes(text)


KERAS_TRUNCATED = """
    import numpy as np
    from keras.models import Sequential
    from keras.layers import Dense

    u = np.random.rand(400, 1)
    w = {target}
    reg = Sequential([Dense(12, input_dim=1, activation="relu"), Dense(1)])
    reg.compile(loss="mean_absolute_error", optimizer="adam")
    reg.fit(u, w, epochs=300, batch_size=20)
"""


def test_keras_regression_targets_truncated_to_integers():
    found = codes(KERAS_TRUNCATED.format(target="(3.5 * u).astype(int)"))
    assert "NF128" in found and "distinct values" in found["NF128"][0], found


def test_keras_real_regression_targets_are_fine():
    assert "NF128" not in codes(KERAS_TRUNCATED.format(target="3.5 * u"))


KERAS_LABELS_LOSS = """
    import numpy as np
    from keras.models import Sequential
    from keras.layers import Dense

    pts = np.random.rand(300, 2)
    cls = (pts[:, 0] > pts[:, 1]).astype("int32")
    clf = Sequential([Dense(8, input_dim=2, activation="relu"), Dense(1, activation="sigmoid")])
    clf.compile(loss="{loss}", optimizer="adam", metrics=["accuracy"])
    clf.fit(pts, cls, epochs=300, batch_size=10)
"""


def test_integer_labels_under_a_regression_loss():
    found = codes(KERAS_LABELS_LOSS.format(loss="mean_squared_error"))
    assert "NF128" in found and "regression loss" in found["NF128"][0], found


def test_integer_labels_under_a_classification_loss_are_fine():
    assert "NF128" not in codes(KERAS_LABELS_LOSS.format(loss="binary_crossentropy"))


TORCH_SGD = """
    import torch
    from torch import nn

    inp = torch.rand(64, 2)
    out = inp.sum(dim=1, keepdim=True)
    net = nn.Sequential(nn.Linear(2, 6), nn.Tanh(), nn.Linear(6, 1))
    opt = torch.optim.SGD(net.parameters(), lr={lr})
    crit = nn.MSELoss()
    for epoch in range({epochs}):
        opt.zero_grad()
        loss = crit(net(inp), out)
        loss.backward()
        opt.step()
"""


def test_a_low_rate_with_few_updates_gets_nowhere():
    # SGD 1e-4 (100x below SGD's usual 1e-2) x 500 updates: 5 updates' worth at the usual rate
    found = codes(TORCH_SGD.format(lr="1e-4", epochs=500))
    assert "NF104" in found and "usual rate" in found["NF104"][0], found
    assert "NF102" in found, found
    assert evidence(TORCH_SGD.format(lr="1e-4", epochs=500), "NF104")["usual_rate_updates"] == 5.0


def test_a_low_rate_with_enough_updates_is_left_alone():
    # 1e-4 x 50000: 500 updates' worth at the usual rate
    found = codes(TORCH_SGD.format(lr="1e-4", epochs=50000))
    assert "NF104" not in found and "NF102" not in found, found


def test_the_usual_rate_with_the_same_count_is_left_alone():
    found = codes(TORCH_SGD.format(lr="0.01", epochs=500))
    assert "NF104" not in found and "NF102" not in found, found


def test_too_few_updates_bar_read_from_the_tuning_half():
    assert "NF102" in codes(TORCH_SGD.format(lr="0.05", epochs=100))
    # 250 updates: at or above the bar of 240 (the tuning half's healthy programs' lowest count)
    assert "NF102" not in codes(TORCH_SGD.format(lr="0.05", epochs=250))


def test_a_rate_below_the_static_floor_is_the_rates_fault_alone():
    # 1e-7 x 1000: the rate is reported on its own (below 1e-5); the count is judged by itself
    found = codes(TORCH_SGD.format(lr="1e-7", epochs=1000))
    assert "NF104" in found and "below" in found["NF104"][0], found
    assert "NF102" not in found, found


TORCH_HAND_LOOP = """
    import torch
    import torch.nn as nn

    a = torch.randn(120, 4)
    b = torch.randn(120, 1)
    mdl = nn.Sequential(nn.Linear(4, 10), nn.ReLU(), nn.Linear(10, 1))
    eta = 0.05
    for it in range(400):
        err = ((mdl(a) - b) ** 2).mean()
        mdl.zero_grad()
        err.backward()
        with torch.no_grad():
            for prm in mdl.parameters():
                {update}
"""


def test_hand_loop_over_model_parameters_stepping_the_weights_themselves():
    for update in ("prm -= eta * prm", "prm.data -= eta * prm.data", "prm.data -= 0.05 * prm"):
        found = codes(TORCH_HAND_LOOP.format(update=update))
        assert "NF116" in found and "themselves" in found["NF116"][0], (update, found)
        assert "NF109" not in found, (update, found)     # the loop is an update, not a missing one


def test_hand_loop_over_model_parameters_on_their_gradients_is_fine():
    for update in ("prm -= eta * prm.grad", "prm.data -= eta * prm.grad.data"):
        found = codes(TORCH_HAND_LOOP.format(update=update))
        assert "NF116" not in found and "NF109" not in found, (update, found)
