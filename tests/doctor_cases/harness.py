"""Turn a corpus Case into a training script, run it through `doctor run`'s runner, return the report."""
from __future__ import annotations

import contextlib
import io
import os
import tempfile
import time
import warnings

from nnfit.doctor.report import Report
from nnfit.doctor.runner import run_script

try:
    from .cases import Case
except ImportError:  # loaded by path from bench/
    from cases import Case  # type: ignore

KERAS_ACT = {"square": "lambda x: x ** 2"}
TORCH_ACT = {"tanh": "nn.Tanh()", "relu": "nn.ReLU()", "sigmoid": "nn.Sigmoid()", "square": "Square()"}
KERAS_OPT = {"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop"}
TORCH_OPT = {"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop"}


def _data_lines(case: Case) -> list[str]:
    d = len(case.domain)
    lines = [f"rng = np.random.default_rng({case.seed})"]
    for i, (lo, hi) in enumerate(case.domain):
        if case.integer:
            lines.append(f"x{i} = rng.integers({int(lo)}, {int(hi)}, size={case.n}).astype(float)")
        else:
            lines.append(f"x{i} = rng.uniform({lo}, {hi}, size={case.n})")
    lines.append(f"X = np.stack([{', '.join(f'x{i}' for i in range(d))}], axis=1)")
    lines.append(f"y = ({case.target}).reshape(-1, 1)")
    return lines


def keras_script(case: Case) -> str:
    L = ["import os", 'os.environ.setdefault("KERAS_BACKEND", "torch")', "import numpy as np", "import keras",
         "from keras.layers import Dense", f"keras.utils.set_random_seed({case.seed})"]
    L += _data_lines(case)
    L.append("model = keras.Sequential()")
    L.append(f"model.add(keras.Input(shape=({len(case.domain)},)))")
    for units, act in case.layers:
        a = KERAS_ACT.get(act, repr(act))
        init = {"uniform": ", kernel_initializer='random_uniform'",
                "big": ", kernel_initializer=keras.initializers.RandomNormal(stddev=20.0)",
                "negbias": ", bias_initializer=keras.initializers.Constant(-5.0)",
                None: ""}[case.init if units > 1 or case.init != "negbias" else None]
        L.append(f"model.add(Dense({units}, activation={a}{init}))")
    if case.unused:
        name, *args = case.unused.split(":")
        kw = f"learning_rate={args[0]}" + (f", momentum={args[1]}" if len(args) > 1 else "")
        L.append(f"unused = keras.optimizers.{KERAS_OPT[name]}({kw})")
    mom = f", momentum={case.momentum}" if case.momentum else ""
    L.append(f"opt = keras.optimizers.{KERAS_OPT[case.optimizer]}(learning_rate={case.lr}{mom})")
    opt = repr(case.compile_string) if case.compile_string else "opt"
    loss = {"mse": "'mean_squared_error'", "bce": "'binary_crossentropy'"}[case.loss]
    L.append(f"model.compile(optimizer={opt}, loss={loss}, metrics={list(case.metrics)!r})")
    L.append(f"model.fit(X, y, epochs={case.epochs}, batch_size={case.batch}, verbose=0)")
    return "\n".join(L) + "\n"


def torch_script(case: Case) -> str:
    L = ["import numpy as np", "import torch", "from torch import nn", "", "class Square(nn.Module):",
         "    def forward(self, x):", "        return x ** 2", "", f"torch.manual_seed({case.seed})"]
    L += _data_lines(case)
    L.append("X = torch.tensor(X, dtype=torch.float32)")
    L.append("y = torch.tensor(y, dtype=torch.float32)")
    mods, n_in = [], len(case.domain)
    for units, act in case.layers:
        mods.append(f"nn.Linear({n_in}, {units})")
        if act != "linear":
            mods.append(TORCH_ACT[act])
        n_in = units
    L.append(f"model = nn.Sequential({', '.join(mods)})")
    if case.init:
        L.append("for m in model:")
        L.append("    if isinstance(m, nn.Linear):")
        if case.init == "uniform":
            L.append("        nn.init.uniform_(m.weight, -0.05, 0.05); nn.init.zeros_(m.bias)")
        elif case.init == "big":
            L.append("        nn.init.normal_(m.weight, std=20.0)")
        elif case.init == "negbias":
            L.append("        if m.out_features > 1: nn.init.constant_(m.bias, -5.0)")
    if case.unused:
        name, *args = case.unused.split(":")
        kw = f"lr={args[0]}" + (f", momentum={args[1]}" if len(args) > 1 else "")
        L.append(f"unused = torch.optim.{TORCH_OPT[name]}(model.parameters(), {kw})")
    mom = f", momentum={case.momentum}" if case.momentum else ""
    L.append(f"opt = torch.optim.{TORCH_OPT[case.optimizer]}(model.parameters(), lr={case.lr}{mom})")
    L.append("loss_fn = " + {"mse": "nn.MSELoss()", "bce": "nn.BCEWithLogitsLoss()"}[case.loss])
    L += [f"for epoch in range({case.epochs}):",
          f"    perm = torch.randperm({case.n})",
          f"    for i in range(0, {case.n}, {case.batch}):",
          f"        idx = perm[i:i + {case.batch}]",
          "        opt.zero_grad()",
          "        loss = loss_fn(model(X[idx]), y[idx])",
          "        loss.backward()",
          "        opt.step()"]
    return "\n".join(L) + "\n"


def script_for(case: Case) -> str:
    return keras_script(case) if case.framework == "keras" else torch_script(case)


def run_case(case: Case, *, train_budget_s: float = 20.0, workdir: str | None = None) -> tuple[Report, float]:
    """Write the case's script, run it under the doctor, return (report, seconds)."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        path = os.path.join(tmp, f"{case.id}.py")
        with open(path, "w") as fh:
            fh.write(script_for(case))
        t0 = time.perf_counter()
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            cap = run_script(path, budget_s=120, train_budget_s=train_budget_s)
        report = Report.from_run(cap.run, cap, cap.notes)
        return report, time.perf_counter() - t0
