"""Seed 2 end to end: lint the pasted code, check the network it describes, fit x^2 with the fixed one.

    .venv/bin/python examples/numpy_x2/run_example.py      (about 10 s, seed 0)

1. `nnfit doctor lint` on the seed exactly as pasted (one flattened line): never runs it.
2. `nnfit doctor check` on seed2_network.py (the seed with its line breaks restored): runs the
   network's own forward / backpropagation / weight_update for a few steps and measures them.
3. fixed_network.py (correct update, gradient and biases) trained on x^2, [0, 1]: RMSE / std.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("MPLBACKEND", "Agg")

from nnfit.doctor import lint as L  # noqa: E402
from nnfit.doctor.monitors.numpy import CheckSpec, check_class_file  # noqa: E402
from nnfit.doctor.rules import run_rules  # noqa: E402

SEED = 0


def main() -> None:
    fixture = ROOT / "tests" / "fixtures" / "seed2_numpy_x2.py"
    print(f"== 1. nnfit doctor lint {fixture.relative_to(ROOT)} (static; seed {SEED})")
    run = L.analyse_source(L.read_script(fixture), str(fixture.relative_to(ROOT)))
    for f in L.lint_run(run):
        print(f"  {f.severity.value}[{f.code}] line {f.location.line}, col {f.location.column}: {f.message}")

    print(f"\n== 2. nnfit doctor check seed2_network.py (runs the network; seed {SEED})")
    spec = CheckSpec(cls="Neural_Net", init="'linear', 0.0001, 10", forward="forward_pass(x)",
                     backward="backpropagation(y, x)", update="weight_update(x, lr)",
                     params=["W_input", "W_hidden", "W_output"],
                     grads=["Partials_W_input", "Partials_W_hidden", "Partials_W_output"],
                     output_attr="y_pred", seed=SEED)
    run, report = check_class_file(str((HERE / "seed2_network.py").relative_to(ROOT)), spec)
    print(report["text"])
    print()
    print(L.render_text(run_rules(run), run))

    print(f"\n== 3. fixed_network.py: correct update and gradient, with biases (seed {SEED})")
    sys.path.insert(0, str(HERE))
    from fixed_network import Neural_Net  # noqa: E402

    t0 = time.perf_counter()
    net = Neural_Net(seed=SEED)
    net.train_model()
    x = np.random.default_rng(1).uniform(0, 1, 2000)
    pred = net.make_prediction(x)
    rmse = float(np.sqrt(np.mean((pred - x ** 2) ** 2)))
    ratio = rmse / float(np.std(x ** 2))
    print(f"x^2 on [0, 1], 2000 held-out points: RMSE {rmse:.3g}, RMSE/std {ratio:.3g} "
          f"({'meets' if ratio <= 1e-3 else 'MISSES'} the 1e-3 target; {time.perf_counter() - t0:.1f} s)")
    fixed_params = ["W_input", "b_input", "W_hidden", "b_hidden", "W_output", "b_output"]
    spec = CheckSpec(cls="Neural_Net", forward="forward_pass(x)", backward="backpropagation(y, x)",
                     update="weight_update(lr)", params=fixed_params, grads=["grad_" + p for p in fixed_params],
                     seed=SEED)
    run, report = check_class_file(str((HERE / "fixed_network.py").relative_to(ROOT)), spec)
    errors = [f for f in run_rules(run) if f.severity.value == "error"]
    worst = max(g["relative_error"] for g in report["gradients"])
    print(f"nnfit doctor check fixed_network.py: worst gradient relative error {worst:.2g}, "
          f"step cosines {min(report['steps'].values()):.3f}..{max(report['steps'].values()):.3f}, "
          f"{len(errors)} error findings")


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
