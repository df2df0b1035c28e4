"""`nnfit doctor check`: gradients vs finite differences, step direction, the seed-2 class adapter."""
from __future__ import annotations

import runpy
from pathlib import Path

import numpy as np
import pytest

from nnfit.doctor.check import check_gradients, check_step
from nnfit.doctor.monitors.numpy import CheckSpec, check_class_file, check_network, parse_call
from nnfit.doctor.rules import run_rules
from nnfit.errors import NNFitError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "numpy_x2"
SEED2_SPEC = dict(cls="Neural_Net", init="'linear', 0.0001, 10", forward="forward_pass(x)",
                  backward="backpropagation(y, x)", update="weight_update(x, lr)",
                  params=["W_input", "W_hidden", "W_output"],
                  grads=["Partials_W_input", "Partials_W_hidden", "Partials_W_output"], output_attr="y_pred")
FIXED_PARAMS = ["W_input", "b_input", "W_hidden", "b_hidden", "W_output", "b_output"]


def _mlp(rng):
    X = rng.normal(size=(20, 2))
    y = np.sin(X[:, :1])
    P = {"W1": rng.normal(size=(2, 4)), "b1": rng.normal(size=4), "W2": rng.normal(size=(4, 1)), "b2": np.zeros(1)}

    def loss(p):
        h = np.tanh(X @ p["W1"] + p["b1"])
        return 0.5 * np.sum((h @ p["W2"] + p["b2"] - y) ** 2)

    def grads(p):
        h = np.tanh(X @ p["W1"] + p["b1"])
        e = h @ p["W2"] + p["b2"] - y
        dh = e @ p["W2"].T * (1 - h ** 2)
        return {"W1": X.T @ dh, "b1": dh.sum(0), "W2": h.T @ e, "b2": e.sum(0)}

    return P, loss, grads


def test_correct_gradients_pass_in_float64():
    P, loss, grads = _mlp(np.random.default_rng(0))
    rep = check_gradients(loss, P, grads(P))
    assert rep.ok and rep.wrong == []
    assert max(a.relative_error for a in rep.arrays) < 1e-7


def test_transposed_gradient_is_named_with_its_worst_entries():
    rng = np.random.default_rng(1)
    x = rng.normal(size=3)
    P = {"W": rng.normal(size=(3, 3)), "v": rng.normal(size=3)}

    def loss(p):
        return float(np.sum(np.tanh(x @ p["W"]) * p["v"]))

    a = np.tanh(x @ P["W"])
    good_W = np.outer(x, (1 - a ** 2) * P["v"])
    rep = check_gradients(loss, P, {"W": good_W.T, "v": a})
    assert rep.wrong == ["W"]
    w = rep["W"]
    assert w.relative_error > 0.1 and "transpose" in w.hint
    i, j = w.worst[0]["index"]
    assert w.worst[0]["numeric"] == pytest.approx(good_W[i, j], rel=1e-6)
    assert "W " in str(rep) and "WRONG" in str(rep)


def test_factor_and_sign_mistakes_get_a_hint():
    P, loss, grads = _mlp(np.random.default_rng(2))
    g = grads(P)
    g["W2"] = 2 * g["W2"]
    g["b1"] = -g["b1"]
    rep = check_gradients(loss, P, g)
    assert set(rep.wrong) == {"W2", "b1"}
    assert "factor 2" in rep["W2"].hint and "sign" in rep["b1"].hint


def test_missing_gradient_and_size_mismatch_are_clear():
    P, loss, grads = _mlp(np.random.default_rng(3))
    with pytest.raises(NNFitError, match="no gradient given for b2"):
        check_gradients(loss, P, {k: v for k, v in grads(P).items() if k != "b2"})
    g = grads(P)
    g["W1"] = g["W1"][:1]
    assert "entries" in check_gradients(loss, P, g)["W1"].hint


def test_large_arrays_are_sampled():
    rng = np.random.default_rng(4)
    W = rng.normal(size=(60, 60))
    rep = check_gradients(lambda p: 0.5 * np.sum(p["W"] ** 2), {"W": W}, {"W": W}, max_entries=100)
    assert rep.ok and rep["W"].sampled == 100


def test_step_along_negative_gradient_has_cosine_one():
    P, loss, grads = _mlp(np.random.default_rng(5))
    g = grads(P)
    after = {k: P[k] - 0.1 * g[k] for k in P}
    rep = check_step(P, after, g, lr=0.1)
    assert rep.ok and all(a.cosine == pytest.approx(1.0) and a.deviation < 1e-12 for a in rep.arrays)


def test_step_that_subtracts_the_weights_is_caught():
    P, loss, grads = _mlp(np.random.default_rng(6))
    g = grads(P)
    after = {k: P[k] - 0.1 * (P[k] if k == "W1" else g[k]) for k in P}
    rep = check_step(P, after, g, lr=0.1)
    assert rep.wrong == ["W1"] and rep["W1"].cosine < 0.5
    assert "cosine" in str(rep)


def test_call_templates_are_parsed_not_evaluated():
    assert parse_call("weight_update(x, lr)", "update") == ("weight_update", ["x", "lr"])
    assert parse_call("step", "update") == ("step", ["lr"])
    with pytest.raises(NNFitError, match="unknown argument 'weights'"):
        parse_call("update(weights)", "update")
    with pytest.raises(NNFitError, match="must look like"):
        parse_call("update(__import__('os'))", "update")
    with pytest.raises(NNFitError):
        parse_call("update(x); import os", "update")


# ---- the seed-2 network and its corrected version


def test_seed2_check_names_the_wrong_updates_and_the_transposed_gradient():
    run, report = check_class_file(str(EXAMPLE / "seed2_network.py"), CheckSpec(**SEED2_SPEC))
    assert [g["parameter"] for g in report["gradients"] if g["relative_error"] > 1e-4] == ["W_hidden"]
    assert "transpose" in report["gradients"][1]["hint"]
    assert report["step_ignores_data"] == {"W_input": True, "W_hidden": True, "W_output": False}
    findings = run_rules(run)
    nf116 = {f.location.layer: f for f in findings if f.code == "NF116"}
    assert nf116["W_hidden"].severity.value == "error" and nf116["W_input"].severity.value == "error"
    assert nf116["W_hidden"].location.line == 76 and nf116["W_input"].location.line == 80
    assert nf116["W_output"].severity.value == "warning"       # along -g, but not -lr*g
    nf118 = [f for f in findings if f.code == "NF118"]
    assert [(f.location.layer, f.location.line) for f in nf118] == [("W_hidden", 65)]
    assert any(f.code == "NF119" for f in findings)               # no bias arrays
    assert report["has_bias"] is False


def test_seed2_example_script_top_level_training_is_not_run_by_check(tmp_path):
    # check loads classes and functions only: the seed's `Neural_Net(...).train_model()` line is skipped
    script = tmp_path / "net.py"
    marker = tmp_path / "trained"
    src = (EXAMPLE / "seed2_network.py").read_text()
    script.write_text(src.replace("Neural_Net('linear', 0.0001, 10).train_model()",
                                  f"open({str(marker)!r}, 'w').write('x')"))
    check_class_file(str(script), CheckSpec(**{**SEED2_SPEC, "steps": 10}))
    assert not marker.exists()


def test_fixed_network_passes_every_check():
    spec = CheckSpec(cls="Neural_Net", forward="forward_pass(x)", backward="backpropagation(y, x)",
                     update="weight_update(lr)", params=FIXED_PARAMS, grads=["grad_" + p for p in FIXED_PARAMS])
    run, report = check_class_file(str(EXAMPLE / "fixed_network.py"), spec)
    assert all(g["relative_error"] < 1e-6 for g in report["gradients"])
    assert all(c > 0.999 for c in report["steps"].values())
    assert report["loss"][-1] < 0.2 * report["loss"][0]
    assert [f for f in run_rules(run) if f.severity.value == "error"] == []


def test_fixed_network_fits_x_squared_to_1e_3():
    ns = runpy.run_path(str(EXAMPLE / "fixed_network.py"))
    net = ns["Neural_Net"](seed=0)
    net.train_model()
    x = np.random.default_rng(1).uniform(0, 1, 2000)
    rmse = np.sqrt(np.mean((net.make_prediction(x) - x ** 2) ** 2))
    assert rmse / np.std(x ** 2) <= 1e-3


def test_check_network_api_batch_mode():
    rng = np.random.default_rng(0)

    class Lin:
        def __init__(self):
            self.w = rng.normal(size=(1, 1))
            self.b = np.zeros(1)

        def forward(self, x):
            return (x @ self.w + self.b).ravel()

        def backward(self, x, y):
            e = (self.forward(x) - y).reshape(-1, 1)
            self.gw, self.gb = x.T @ e, e.sum(0)

        def update(self, lr):
            self.w = self.w - lr * self.gw
            self.b = self.b - lr * self.gb

    X = np.linspace(-1, 1, 50).reshape(-1, 1)
    run, report = check_network(Lin(), X, 3 * X[:, 0] + 1, forward="forward(x)", backward="backward(x, y)",
                                update="update(lr)", params=["w", "b"], grads=["gw", "gb"], lr=0.01, batch=True)
    assert report["loss"][-1] < 1e-3 * report["loss"][0]
    assert run.layers[0].use_bias is True and not [f for f in run_rules(run) if f.severity.value == "error"]


def test_check_cli_on_the_seed2_example(capsys):
    from nnfit.cli import main

    args = ["doctor", "check", str(EXAMPLE / "seed2_network.py"), "--class", "Neural_Net",
            "--init", "'linear', 0.0001, 10", "--forward", "forward_pass(x)", "--backward", "backpropagation(y, x)",
            "--update", "weight_update(x, lr)", "--params", "W_input,W_hidden,W_output",
            "--grads", "Partials_W_input,Partials_W_hidden,Partials_W_output", "--output-attr", "y_pred",
            "--steps", "50"]
    try:
        code = main(args)
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr().out
    assert code == 1
    assert "error[NF118]: wrong-gradient: gradient of W_hidden" in out
    assert "error[NF116]: wrong-update-rule: update of W_hidden" in out
    assert "76 |         self.W_hidden = w_hidden_old - learning_rate * self.W_hidden" in out


def test_check_cli_user_errors(capsys, tmp_path):
    from nnfit.cli import main

    bad = tmp_path / "py2.py"
    bad.write_text("print 'hello'\n")
    assert main(["doctor", "check", str(bad), "--class", "X", "--params", "W", "--grads", "dW"]) == 2
    assert "nnfit doctor lint" in capsys.readouterr().err
    assert main(["doctor", "check", str(EXAMPLE / "seed2_network.py"), "--class", "Nope",
                 "--params", "W", "--grads", "dW"]) == 2
    assert "defines no class 'Nope'" in capsys.readouterr().err


def test_an_exception_in_the_users_method_is_one_line():
    class Broken:
        def __init__(self):
            self.W = np.ones((1, 1))

        def forward(self, x):
            return x @ self.W

        def backward(self, x, y):
            raise ValueError("shapes (3,) and (1,1) not aligned\nmore detail")

        def update(self, lr):
            pass

    X = np.ones((4, 1))
    with pytest.raises(NNFitError, match=r"^Broken\.backward\(x, y\) raised ValueError: shapes \(3,\) and \(1,1\) not aligned$"):
        check_network(Broken(), X, X[:, 0], forward="forward(x)", backward="backward(x, y)", update="update(lr)",
                      params=["W"], grads=["dW"], lr=0.1)


# ---- doctor check with no options: the names are read from the code; only safe top-level statements run

SEED2_PASTED = ROOT / "tests" / "fixtures" / "seed2_numpy_x2.py"


def _cli(args, capsys):
    from nnfit.cli import main

    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("path", [SEED2_PASTED, EXAMPLE / "seed2_network.py"], ids=["as-pasted", "re-flowed"])
def test_check_without_options_names_the_wrong_update_and_gradient(path, capsys):
    assert len(SEED2_PASTED.read_text().strip().splitlines()) == 1      # the fixture is the one-line paste
    code, out, err = _cli(["doctor", "check", str(path), "--steps", "30"], capsys)
    assert code == 1, err
    assert "checking with: --class Neural_Net --init \"'linear', 0.0001, 10\"" in out
    assert "--params W_input,W_hidden,W_output --grads Partials_W_input,Partials_W_hidden,Partials_W_output" in out
    assert "--output-attr y_pred --data X_train,y_train" in out
    assert "error[NF118]: wrong-gradient: gradient of W_hidden" in out
    assert "error[NF116]: wrong-update-rule: update of W_hidden" in out
    assert "not run: line" in out and "train_model()" in out
    if path == SEED2_PASTED:
        assert "assumed import numpy as np; import matplotlib.pyplot as plt" in out


@pytest.mark.parametrize("path", [SEED2_PASTED, EXAMPLE / "seed2_network.py"], ids=["as-pasted", "re-flowed"])
def test_check_without_options_json(path, capsys):
    import json

    code, out, _ = _cli(["doctor", "check", str(path), "--steps", "30", "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 1
    codes = {(f["code"], f["location"]["layer"]) for f in data["findings"]}
    assert ("NF118", "W_hidden") in codes and ("NF116", "W_hidden") in codes and ("NF116", "W_input") in codes
    assert data["inferred"]["spec"]["forward"] == "forward_pass(x)"
    assert data["inferred"]["spec"]["backward"] == "backpropagation(y, x)"
    assert data["inferred"]["spec"]["update"] == "weight_update(x, lr)"
    assert any("train_model" in s["code"] for s in data["top_level"]["skipped"])


def test_options_override_what_is_inferred(capsys):
    code, out, _ = _cli(["doctor", "check", str(EXAMPLE / "seed2_network.py"), "--steps", "10",
                         "--params", "W_output", "--grads", "Partials_W_output"], capsys)
    assert "--params W_output --grads Partials_W_output" in out
    assert "W_hidden" not in out.split("update direction")[1].split("\n")[1]


def test_fixed_network_without_options_has_no_error(capsys):
    code, out, err = _cli(["doctor", "check", str(EXAMPLE / "fixed_network.py"), "--steps", "30"], capsys)
    assert code == 0, out + err
    assert "--params W_input,b_input,W_hidden,b_hidden,W_output,b_output" in out


def test_check_runs_no_top_level_statement_but_definitions_and_numeric_imports(tmp_path, capsys):
    shell_marker = tmp_path / "shell_ran"
    file_marker = tmp_path / "file_written"
    script = tmp_path / "net.py"
    src = (EXAMPLE / "seed2_network.py").read_text()
    src = src.replace("import numpy as np\n", "import numpy as np\nimport os\n")
    src += (f"x = os.system('touch {shell_marker}')\n"
            f"open({str(file_marker)!r}, 'w').write('x')\n"
            f"y = np.save({str(tmp_path / 'saved')!r}, np.zeros(2))\n"
            "N_POINTS = np.linspace(0, 1, 5).shape[0]\n")
    script.write_text(src)
    code, out, _ = _cli(["doctor", "check", str(script), "--steps", "5"], capsys)
    assert not shell_marker.exists() and not file_marker.exists() and not (tmp_path / "saved.npy").exists()
    assert code == 1                                       # the network itself was still checked
    for needle in ("import os", "os.system", "open(", "np.save"):
        assert any(needle in line for line in out.splitlines() if line.startswith("  not run:")), needle
    assert not any("N_POINTS" in line for line in out.splitlines() if line.startswith("  not run:"))


def test_a_class_whose_definition_would_run_a_command_is_not_defined(tmp_path):
    from nnfit.doctor.monitors.numpy import load_definitions

    marker = tmp_path / "ran"
    script = tmp_path / "net.py"
    script.write_text("import os\n"
                      "class Net:\n"
                      f"    def forward(self, x, flag=os.system('touch {marker}')):\n"
                      "        return x\n")
    loaded = load_definitions(str(script))
    assert not marker.exists() and not hasattr(loaded.module, "Net")
    assert [line for line, _ in loaded.skipped] == [1, 2]


def test_loader_runs_pure_numeric_assignments_only():
    from nnfit.doctor.monitors.numpy import _pure

    import ast as _ast

    ok = _ast.parse("np.linspace(0, 1, 10).reshape(-1, 1) ** 2").body[0].value
    bad = _ast.parse("np.save('f', np.zeros(3))").body[0].value
    sneaky = _ast.parse("np.zeros(3).__class__").body[0].value
    assert _pure(ok, set(), {"np"}) and not _pure(bad, set(), {"np"}) and not _pure(sneaky, set(), {"np"})
