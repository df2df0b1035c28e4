"""Hostile inputs, session 9: seeds and time budgets checked once (nnfit.errors.check_seed/check_seconds)
for every entry point, and `doctor check` bounded while it calls the network's own methods."""
import math

import numpy as np
import pytest

from nnfit import NNFitRegressor
from nnfit.errors import MAX_SEED, NNFitError, check_seconds, check_seed
from test_hostile_inputs import assert_one_error_line, model_file, run  # noqa: F401


@pytest.mark.parametrize("seed", [-1, MAX_SEED, 2**64, 1.5, True, "0", None])
def test_check_seed_refuses_what_a_library_downstream_would_not_take(seed):
    with pytest.raises(NNFitError, match="seed must be an integer from 0 to"):
        check_seed(seed)


@pytest.mark.parametrize("seed", [0, MAX_SEED - 1, np.int64(7)])
def test_check_seed_takes_every_seed_numpy_takes(seed):
    assert check_seed(seed) == int(seed)
    np.random.RandomState(check_seed(seed))  # the legacy seeding user scripts call takes it


@pytest.mark.parametrize("value", [0, -1, math.inf, math.nan, "5", True])
def test_check_seconds_refuses_budgets_that_never_end_or_never_start(value):
    with pytest.raises(NNFitError, match="positive, finite number of seconds"):
        check_seconds(value, "max_seconds")


@pytest.mark.parametrize("params", [{"max_seconds": math.inf}, {"max_seconds": math.nan},
                                    {"random_state": MAX_SEED}, {"random_state": -3}])
def test_the_estimator_refuses_an_endless_budget_or_a_seed_numpy_cannot_take(params):
    X = np.linspace(0, 1, 40).reshape(-1, 1)
    with pytest.raises(NNFitError):  # before any training starts
        NNFitRegressor(**params).fit(X, X[:, 0] ** 2)


@pytest.mark.parametrize("command", [
    ["explain", "{model}", "--seed", "-1"],
    ["explain", "{model}", "--seed", str(MAX_SEED)],
    ["explain", "{model}", "--time-limit", "inf"],
    ["doctor", "run", "{script}", "--seed", "-1"],
    ["doctor", "run", "{script}", "--budget", "inf"],
    ["doctor", "run", "{script}", "--train-budget", "0"],
    ["demo", "--seed", str(MAX_SEED)],
    ["batch", "{csv}", "--seeds", "0,-2", "--out", "{out}"],
    ["batch", "{csv}", "--timeout", "-1", "--out", "{out}"],
])
def test_seeds_and_budgets_on_the_command_line_give_one_error_line(model_file, tmp_path, capsys, command):
    script = tmp_path / "train.py"
    script.write_text("raise SystemExit('this script must not run')\n")
    table = tmp_path / "formulas.csv"
    table.write_text("formula,ranges\nx**2,x=0:1\n")
    values = {"{model}": model_file, "{script}": script, "{csv}": table, "{out}": tmp_path / "out"}
    args = [str(values.get(a, a)) for a in command]
    code, out, err = run(args, capsys)
    assert "must not run" not in out + err
    assert_one_error_line(code, err)


ENDLESS_FORWARD = '''import numpy as np

class Net:
    def __init__(self):
        self.W = np.ones((1, 1))
        self.dW = np.zeros((1, 1))
        self.X_train = np.linspace(0, 1, 10).reshape(-1, 1)
        self.y_train = self.X_train ** 2
    def forward(self, x):
        while True:
            pass
    def backward(self, x, y):
        self.dW = np.ones((1, 1))
    def update(self, lr):
        self.W -= lr * self.dW
'''


def test_doctor_check_stops_a_network_method_that_never_returns(tmp_path, capsys, monkeypatch):
    from nnfit.doctor import cli as doctor_cli

    monkeypatch.setattr(doctor_cli, "CHECK_SECONDS", 1.0)  # the bound itself, not its size, is under test
    script = tmp_path / "net.py"
    script.write_text(ENDLESS_FORWARD)
    code, _, err = run(["doctor", "check", str(script), "--lr", "0.1"], capsys)
    assert_one_error_line(code, err, "never returns")


def test_a_numpy_integer_seed_is_taken_as_scikit_learn_searches_pass_it():
    X = np.linspace(0, 1, 40).reshape(-1, 1)
    # a fixed small fit that ends by its step counts, far inside its budget: the same seed, the same model
    quick = dict(hidden=(4,), restarts=1, adam_steps=50, lm_steps=20, stages=1, max_seconds=120, exact_formula=False)
    a = NNFitRegressor(random_state=np.int64(3), **quick).fit(X, X[:, 0] ** 2)
    b = NNFitRegressor(random_state=3, **quick).fit(X, X[:, 0] ** 2)
    assert a.summary_["seed"] == 3 and type(a.summary_["seed"]) is int  # once: torch refused np.int64
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
