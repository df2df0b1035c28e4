"""Patch kinds added for the real-program corpus: the rate lowered with the updates raised to match,
the longer training ended at a tenth of the rate, torch integer data made float, torch output layers
and class weights, and a symptom patched through its causes. Small scripts written for these tests."""
from __future__ import annotations

import os
import textwrap

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.findings import Finding  # noqa: E402
from nnfit.doctor.patch import plan_patches  # noqa: E402
from tests.test_doctor_patch import added, capture_of, finding  # noqa: E402

TORCH_STEEP = textwrap.dedent("""
    import torch

    torch.manual_seed(3)
    x = torch.linspace(-2, 2, 64).unsqueeze(1)
    y = torch.sin(2 * x)
    net = torch.nn.Sequential(torch.nn.Linear(1, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    sgd = torch.optim.SGD(net.parameters(), lr=0.8)
    mse = torch.nn.MSELoss()
    for step in range(150):
        sgd.zero_grad()
        loss = mse(net(x), y)
        loss.backward()
        sgd.step()
    print(float(mse(net(x), y)))
""")


def test_a_lower_rate_comes_with_as_many_more_updates_and_a_polish(tmp_path):
    path, cap = capture_of(tmp_path, "steep.py", TORCH_STEEP)
    plan = plan_patches(TORCH_STEEP, str(path), cap, [finding("NF103")])
    lines = added(plan.singles[0].diff())
    made = cap.updates_run
    # lr / 10 and 10x the updates: the distance the weights may travel stays the script's own
    assert "sgd = torch.optim.SGD(net.parameters(), lr=0.08)" in lines
    loop = next(line for line in lines if line.startswith("for step in range("))
    passes = int(loop.split("range(")[1].split(")")[0])
    assert passes * (made // 150) >= 10 * made - 10
    boundary = int(0.8 * passes * (made // 150))
    assert "nnfit_updates = 0" in lines and "nnfit_updates += 1" in lines
    assert f"if nnfit_updates == {boundary}:   # the last updates at a smaller rate" in lines
    assert "nnfit_group['lr'] *= 0.1" in lines
    fixed_path, fixed = capture_of(tmp_path, "fixed.py", plan.combined.source)
    assert fixed.run.config.optimizer.learning_rate is not None
    assert fixed.updates_run > cap.updates_run


TORCH_INTEGER = textwrap.dedent("""
    import torch

    torch.manual_seed(0)
    counts = torch.randint(0, 9, (240, 2))          # integer inputs (event counts)
    price = (1.7 * counts[:, :1] + 0.6 * counts[:, 1:]).long()   # real targets truncated to integers


    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.body = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))

        def forward(self, x):
            return self.body(x.float())


    model = Model()
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = torch.nn.MSELoss()
    for epoch in range(40):
        for start in range(0, 240, 24):
            opt.zero_grad()
            loss = loss_fn(model(counts[start:start + 24]), price[start:start + 24])
            loss.backward()
            opt.step()
    test = torch.randint(0, 9, (20, 2))
    with torch.no_grad():
        print(model(test)[:3])
""")


def test_torch_integer_data_are_made_float_where_made_or_before_the_loop(tmp_path):
    path, cap = capture_of(tmp_path, "counts.py", TORCH_INTEGER)
    plan = plan_patches(TORCH_INTEGER, str(path), cap,
                        [finding("NF128", input_dtype="int64", target_dtype="int64", task="regression")])
    assert plan.singles, plan.skipped
    lines = added(plan.singles[0].diff())
    # the truncating cast where the targets are made becomes a float cast: nothing is truncated
    assert "price = (1.7 * counts[:, :1] + 0.6 * counts[:, 1:]).float()   # real targets truncated to integers" in lines
    # inputs made by a call with no cast to edit: cast right before the loop, and where predictions are made
    assert "counts = as_float(counts)" in lines
    assert "print(model(as_float(test))[:3])" in lines
    fixed_path, fixed = capture_of(tmp_path, "fixed.py", plan.combined.source, max_updates=50)
    assert "int" not in str(fixed.run.data.target_dtype) and "int" not in str(fixed.run.data.input_dtype)


KERAS_SCALE = textwrap.dedent("""
    import numpy as np
    import keras

    keras.utils.set_random_seed(0)
    X = np.random.default_rng(0).uniform(0, 500, size=(300, 1))
    y = X[:, 0] * 0.01
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, y, epochs=2, batch_size=32, verbose=0)
    print(model.evaluate(X, y, verbose=0), model(X[:2]))
""")


def test_a_symptom_is_patched_through_its_causes_or_listed_with_them(tmp_path):
    path, cap = capture_of(tmp_path, "scale.py", KERAS_SCALE)
    symptom = Finding(code="NF122", message="NF122", fix="", evidence={}, consequence_of=["NF105"])
    plan = plan_patches(KERAS_SCALE, str(path), cap, [finding("NF105", transform="standardise"), symptom])
    assert plan.combined.codes == ["NF105", "NF122"]
    assert "NF122 through the fix of NF105" in plan.combined.changes
    # every place the network meets inputs gets them on the training scale: fit, evaluate, a direct call
    assert "print(model.evaluate(x_scaler.scale(X), y, verbose=0), model(x_scaler.scale(X[:2])))" \
        in added(plan.combined.diff())
    alone = plan_patches(KERAS_SCALE, str(path), cap, [symptom])
    assert alone.combined is None and any(s.startswith("NF122") and "NF105" in s for s in alone.skipped)


TORCH_CLASSIFIER = textwrap.dedent("""
    import torch
    from torch import nn

    torch.manual_seed(0)
    X = torch.randn(300, 2)
    labels = (X[:, 0] + 0.3 * X[:, 1] > 1.2).float().unsqueeze(1)      # about one row in eight is positive
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1), nn.Softmax(dim=1))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    bce = nn.BCELoss()
    for epoch in range(20):
        opt.zero_grad()
        loss = bce(model(X), labels)
        loss.backward()
        opt.step()
""")

TORCH_LOGITS = textwrap.dedent("""
    import torch
    from torch import nn

    torch.manual_seed(0)
    X = torch.randn(300, 2)
    labels = (X[:, 0] + 0.3 * X[:, 1] > 1.2).float().unsqueeze(1)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = nn.BCEWithLogitsLoss()
    for epoch in range(20):
        opt.zero_grad()
        loss = loss_fn(model(X), labels)
        loss.backward()
        opt.step()
""")


def test_torch_softmax_of_one_unit_becomes_a_sigmoid(tmp_path):
    path, cap = capture_of(tmp_path, "clf.py", TORCH_CLASSIFIER)
    f = finding("NF130", output_activation="softmax", output_units=1, classes=2, task="binary")
    plan = plan_patches(TORCH_CLASSIFIER, str(path), cap, [f])
    assert plan.singles, plan.skipped
    assert added(plan.singles[0].diff()) == [
        "model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1), nn.Sigmoid())"]
    fixed_path, fixed = capture_of(tmp_path, "fixed.py", plan.combined.source, max_updates=20)
    assert fixed.run.layers[-1].activation != "softmax"


def test_torch_class_weights_from_the_class_shares(tmp_path):
    path, cap = capture_of(tmp_path, "logits.py", TORCH_LOGITS)
    f = finding("NF131", class_shares={"0.0": 0.875, "1.0": 0.125})
    plan = plan_patches(TORCH_LOGITS, str(path), cap, [f])
    assert plan.singles, plan.skipped
    # a positive row weighs as much as the 7 negative rows beside it
    assert added(plan.singles[0].diff()) == ["loss_fn = nn.BCEWithLogitsLoss(pos_weight=torch.tensor(7))"]
    capture_of(tmp_path, "fixed.py", plan.combined.source, max_updates=20)    # runs as written
    multiclass = TORCH_LOGITS.replace("nn.BCEWithLogitsLoss()", "nn.CrossEntropyLoss()") \
        .replace("(X[:, 0] + 0.3 * X[:, 1] > 1.2).float().unsqueeze(1)", "(X[:, 0] > 0).long() + (X[:, 1] > 1).long()") \
        .replace("nn.Linear(8, 1))", "nn.Linear(8, 3))")
    path, cap = capture_of(tmp_path, "three.py", multiclass)
    plan = plan_patches(multiclass, str(path), cap, [finding("NF131", class_shares={0: 0.5, 1: 0.25, 2: 0.25})])
    assert "loss_fn = nn.CrossEntropyLoss(weight=torch.tensor([0.6667, 1.333, 1.333]))" in added(plan.singles[0].diff())
    # BCELoss has no class weights: a weighted binary cross-entropy on the same probabilities
    path, cap = capture_of(tmp_path, "clf.py", TORCH_CLASSIFIER)
    plan = plan_patches(TORCH_CLASSIFIER, str(path), cap, [f])
    assert plan.singles, plan.skipped
    assert any("BalancedBCELoss(pos_weight=7)" in line for line in added(plan.singles[0].diff()))


def test_a_larger_batch_keeps_the_scripts_update_count(tmp_path):
    script = KERAS_SCALE.replace("epochs=2, batch_size=32", "epochs=2, batch_size=1")
    path, cap = capture_of(tmp_path, "single.py", script)
    plan = plan_patches(script, str(path), cap, [finding("NF124")])
    fit = [line for line in added(plan.singles[0].diff()) if line.startswith("model.fit(")]
    # 2 epochs of 300 single-row updates = 600; batches of 32 make 10 updates an epoch: 60 epochs
    assert fit == ["model.fit(X, y, epochs=60, batch_size=32, verbose=0)"]


KERAS_SCHEDULED = textwrap.dedent("""
    import numpy as np
    from keras.layers import Dense
    from keras.models import Sequential
    from keras.optimizers import SGD
    from keras.optimizers.schedules import InverseTimeDecay

    X = np.random.default_rng(0).uniform(0, 1, size=(200, 1))
    r = Sequential()
    r.add(Dense(16, activation='tanh', input_dim=1))
    r.add(Dense(1))
    sgd = SGD(learning_rate=InverseTimeDecay(0.05, decay_steps=1, decay_rate=1e-6), momentum=0.9)
    r.compile(loss='mean_squared_error', optimizer='sgd')
    r.fit(X, np.sin(3 * X[:, 0]), batch_size=100, epochs=1, verbose=0)
""")


def test_a_scheduled_rate_is_left_as_the_script_wrote_it(tmp_path):
    path, cap = capture_of(tmp_path, "sched.py", KERAS_SCHEDULED)
    plan = plan_patches(KERAS_SCHEDULED, str(path), cap, [finding("NF102"), finding("NF109")])
    diff = plan.combined.diff()
    # the built optimiser trains now; its own schedule is kept (no constant rate, no polish over it)
    assert "r.compile(loss='mean_squared_error', optimizer=sgd)" in added(diff)
    assert not any(line.startswith("sgd =") for line in added(diff)), diff
    assert "PiecewiseConstantDecay" not in plan.combined.source


def test_an_info_finding_is_patched_alone_not_in_the_all_fixes_script(tmp_path):
    from nnfit.doctor.findings import Severity

    script = KERAS_SCALE.replace('keras.layers.Dense(8, activation="tanh")',
                                 'keras.layers.Dense(8, activation="tanh", use_bias=False)')
    path, cap = capture_of(tmp_path, "nobias.py", script)
    advice = Finding(code="NF119", message="NF119", fix="", evidence={}, severity=Severity.INFO)
    plan = plan_patches(script, str(path), cap, [finding("NF105", transform="standardise"), advice])
    assert {p.codes[0] for p in plan.singles} == {"NF105", "NF119"}
    assert "use_bias=False" not in next(p for p in plan.singles if p.codes == ["NF119"]).source
    assert "use_bias=False" in plan.combined.source and plan.combined.codes == ["NF105"]
    assert "NF119 (info) only in its own patch" in plan.combined.changes


TORCH_NO_OPTIMIZER = textwrap.dedent("""
    import torch

    torch.manual_seed(0)
    x = torch.rand(64, 2)
    y = x @ torch.tensor([[2.0], [-1.0]]) + 0.5
    model = torch.nn.Linear(2, 1)
    criterion = torch.nn.MSELoss()
    # optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for step in range(200):
        cost = criterion(model(x), y)
        cost.backward()             # nothing ever applies these gradients
    print(float(criterion(model(x), y)))
""")


def test_a_torch_loop_that_never_steps_gets_an_optimiser(tmp_path):
    path, cap = capture_of(tmp_path, "nostep.py", TORCH_NO_OPTIMIZER)
    plan = plan_patches(TORCH_NO_OPTIMIZER, str(path), cap, [finding("NF109")])
    assert plan.combined is not None, plan.skipped
    lines = added(plan.combined.diff())
    assert lines[0].startswith("nnfit_optimizer = torch.optim.Adam(model.parameters(), lr=0.001)")
    assert lines[1:] == ["nnfit_optimizer.zero_grad()", "nnfit_optimizer.step()"]
    src = plan.combined.source
    assert src.index("nnfit_optimizer.zero_grad()") < src.index("cost.backward()") < src.index("nnfit_optimizer.step()")
    fixed_path, fixed = capture_of(tmp_path, "fixed.py", src)
    assert fixed.run.config.optimizer is not None and fixed.run.config.optimizer.name.lower() == "adam"
    assert fixed.run.history.loss[-1] < cap.run.history.loss[-1]


TORCH_SQUASHED_LOSS = textwrap.dedent("""
    import torch
    from torch import nn

    torch.manual_seed(0)
    x = torch.randn(200, 3)
    y = (x[:, :1] > 0).float()
    model = nn.Linear(3, 1)
    squash = nn.Sigmoid()
    criterion = nn.BCEWithLogitsLoss()
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for epoch in range(50):
        loss = criterion(squash(model(x)), y)   # the loss applies its own sigmoid
        opt.zero_grad()
        loss.backward()
        opt.step()
        check = criterion(torch.sigmoid(model(x)), y)
""")


def test_the_squash_before_a_logit_loss_is_taken_off(tmp_path):
    path, cap = capture_of(tmp_path, "squash.py", TORCH_SQUASHED_LOSS)
    f = finding("NF126", loss="BCEWithLogitsLoss", output_activation="linear", loss_input_activation="sigmoid",
                output_units=1, task="binary")
    plan = plan_patches(TORCH_SQUASHED_LOSS, str(path), cap, [f])
    assert plan.combined is not None, plan.skipped
    lines = added(plan.combined.diff())
    assert "loss = criterion(model(x), y)   # the loss applies its own sigmoid" in lines
    assert "check = criterion(model(x), y)" in lines


TORCH_MODULE_IN_FUNCTION = textwrap.dedent("""
    import torch
    import torch.nn as nn

    torch.manual_seed(0)
    X = 100 * torch.rand(120, 3)
    Y = 50 + 3 * X[:, :1]


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(3, 16)
            self.out = nn.Linear(16, 1)

        def forward(self, x):
            h = torch.relu(self.hidden(x))
            return torch.sigmoid(self.out(h))


    def train(net, X, Y, epochs=3, bs=16):
        opt = torch.optim.SGD(net.parameters(), lr=0.01)
        loss_fn = nn.MSELoss()
        for epoch in range(epochs):
            for i in range(0, len(X), bs):
                opt.zero_grad()
                loss = loss_fn(net(X[i:i + bs]), Y[i:i + bs])
                loss.backward()
                opt.step()
        return net


    net = train(Net(), X, Y)
""")


def test_patches_reach_into_a_module_subclass_and_a_training_function(tmp_path):
    path, cap = capture_of(tmp_path, "module.py", TORCH_MODULE_IN_FUNCTION)
    plan = plan_patches(TORCH_MODULE_IN_FUNCTION, str(path), cap, [finding("NF107"), finding("NF102")])
    assert plan.skipped == []
    lines = added(plan.combined.diff())
    # the functional sigmoid on the output layer in forward(), the hidden layer's relu kept
    assert "return self.out(h)" in lines and "h = torch.relu(self.hidden(x))" not in lines
    # the epoch count is the training function's default (its one call does not pass it)
    header = next(line for line in lines if line.startswith("def train("))
    epochs = int(header.split("epochs=")[1].split(",")[0])
    assert epochs > 3 and "net = train(Net(), X, Y)" in plan.combined.source


def test_a_loop_counted_from_one_gets_its_passes_raised(tmp_path):
    script = TORCH_STEEP.replace("for step in range(150):", "for step in range(1, STEPS + 1):") \
        .replace("mse = torch.nn.MSELoss()", "mse = torch.nn.MSELoss()\nSTEPS = 150")
    path, cap = capture_of(tmp_path, "from_one.py", script)
    plan = plan_patches(script, str(path), cap, [finding("NF102")])
    lines = added(plan.combined.diff())
    steps = next(int(line.split("=")[1]) for line in lines if line.startswith("STEPS ="))
    # range(1, STEPS + 1) makes STEPS passes, one update each: the patch asks for its updates
    assert steps * (cap.updates_run // 150) >= 3000 and "for step in range(1, STEPS + 1):" not in lines
