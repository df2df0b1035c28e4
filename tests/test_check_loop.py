"""`nnfit doctor check` on a network written as a plain training loop (doctor/monitors/numpy_loop.py)."""
from __future__ import annotations

import json

from nnfit.cli import main

LOOP = """\
import numpy as np
np.random.seed(0)
X = np.linspace(-1, 1, 100).reshape(-1, 1)
y = X ** 2
W1 = np.random.randn(1, 10) * 0.5
b1 = np.zeros((1, 10))
W2 = np.random.randn(10, 1) * 0.5
b2 = np.zeros((1, 1))
lr = 0.1

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

for epoch in range(2000):
    h = sigmoid(X @ W1 + b1)
    out = h @ W2 + b2
    err = out - y
    dW2 = h.T @ err / len(X)
    db2 = err.mean(axis=0, keepdims=True)
    dh = (err @ W2.T) * h * (1 - h)
    dW1 = X.T @ dh / len(X)
    db1 = dh.mean(axis=0, keepdims=True)
    W2 -= lr * dW2
    b2 -= lr * db2
    W1 -= lr * dW1
    b1 -= lr * db1
    if epoch % 500 == 0:
        print(epoch, (err ** 2).mean())
"""
MISSING_DERIVATIVE = LOOP.replace("dh = (err @ W2.T) * h * (1 - h)", "dh = err @ W2.T")
WRONG_UPDATE = LOOP.replace("W1 -= lr * dW1", "W1 -= lr * W1")


def check(tmp_path, capsys, text, *extra):
    path = tmp_path / "net.py"
    path.write_text(text)
    code = main(["doctor", "check", str(path), "--steps", "50", *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_a_correct_loop_has_no_finding(tmp_path, capsys):
    code, out = check(tmp_path, capsys, LOOP)
    assert code == 0, out
    assert "the training loop at line 14" in out and "inputs X, targets y, output out, learning rate 0.1" in out
    assert "loss convention: half_mse" in out


def test_a_missing_activation_derivative_is_a_wrong_gradient_at_its_line(tmp_path, capsys):
    code, out = check(tmp_path, capsys, MISSING_DERIVATIVE)
    assert code == 1
    assert "error[NF118]: wrong-gradient: gradient of W1" in out and "net.py:21" in out
    assert "gradient of W2" not in out                          # the output layer's gradient is right


def test_a_step_that_ignores_the_gradient_is_a_wrong_update_rule(tmp_path, capsys):
    code, out = check(tmp_path, capsys, WRONG_UPDATE, "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert [(f["code"], f["location"]["layer"]) for f in data["findings"] if f["severity"] == "error"] == [("NF116", "W1")]


def test_only_pure_numeric_statements_of_the_loop_run(tmp_path, capsys):
    marker = tmp_path / "ran"
    text = LOOP.replace("import numpy as np\n", "import numpy as np\nimport os\n").replace(
        "    if epoch % 500 == 0:", f"    status = os.system('touch {marker}')\n    if epoch % 500 == 0:")
    code, out = check(tmp_path, capsys, text)
    assert not marker.exists()
    assert "no class with forward" in out          # a loop with an impure statement is not taken apart
