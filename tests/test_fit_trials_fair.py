"""Transform trials are compared at equal work: torch's one-time cost of its first optimiser (an import
of torch._dynamo, over a second) is paid before the first trial's clock starts, so the first choice is
not starved by it. Run in a fresh interpreter: in this one the import has long been paid."""
import ast
import subprocess
import sys
import textwrap

PROBE = textwrap.dedent("""
    import numpy as np
    import nnfit.fit as F

    steps = {}
    original = F.NNFitRegressor._fit_with

    def recorded(self, choice, *args, trial=False, **kwargs):
        result = original(self, choice, *args, trial=trial, **kwargs)
        if trial:
            steps[choice.name] = len(result["history"]["phase"])
        return result

    F.NNFitRegressor._fit_with = recorded
    x = np.linspace(0.005, 0.995, 199)   # reaches near zero: two transform trials (plain, log)
    model = F.NNFitRegressor(max_seconds=10, exact_formula=False).fit(x.reshape(-1, 1), x ** 2)
    print(sorted(steps.items()))
""")


def test_both_transform_trials_get_the_same_number_of_steps_in_a_fresh_process():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=300, check=True)
    steps = dict(ast.literal_eval(out.stdout.strip().splitlines()[-1]))
    assert len(steps) == 2, steps
    assert len(set(steps.values())) == 1, steps  # before: the first (plain) trial ran 2 steps, the second 263
