"""integer-typed-data (NF128)

What it finds: inputs or targets held in an integer dtype where the training needs real numbers:
- a regression whose targets are integer-typed (torch: a LongTensor given to MSELoss / L1Loss; Keras:
  y.astype(int) truncating real targets to a few values);
- inputs in an unsigned or a narrow signed integer dtype (uint8 images, int8 counts): subtracting a
  mean or a difference wraps around instead of going negative, a sum or product overflows;
- torch inputs of an integer dtype fed to float layers.
Why it matters: truncation throws information away (0.7 becomes 0), and unsigned arithmetic wraps
(3 - 5 = 254 in uint8): the network trains on data that are not the data.
Example: y = (2.5 * x).astype(int) for a regression; X = images.astype(np.uint8) - 128
Fix: keep the data in float32/float64: X = X.astype("float32"); y = y.astype("float32") (torch:
torch.tensor(..., dtype=torch.float32)); scale after converting.
Threshold: a regression target is "truncated" when it is integer-typed with at most FEW = 20 distinct
values (a class-label count, see task.py MAX_LABELS); read from the definition, not from the corpus.
Read from a script (lint: the data are not loaded, run.data.exact is False): the dtype is the one the
script gives (`.astype(int)`, `np.random.randint(...)`, `dtype=int`; a literal list has none), and the
distinct count of integer targets is the width of their literal range (max - min + 1), as
task.target_kind reads it. There, also for Keras: inputs drawn as integers (np.random.randint(2, size=...),
rng.integers: an integer dtype the script asks for, not one numpy infers from integer literals or
np.arange, which hold numbers written as integers) given to a network whose first layer is a dense one
(not an embedding), and integer-typed targets given to a regression loss (MSE, MAE: it reads the labels
as real numbers). No new threshold.
Severity: a warning (the data are the evidence, even when the network fits the truncated values); an
error when the run also fails (the shared fit gate) with truncated targets.
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import healthy, index_inputs, location
from nnfit.doctor.run import TrainingRun
from nnfit.doctor.vocab import canonical_loss

FEW = 20
# signed integer dtypes so narrow that ordinary preprocessing overflows them (int8 holds -128..127)
NARROW = {"int8", "int16"}


def _integer(dtype: str | None) -> bool:
    return bool(dtype) and (dtype.startswith("int") or dtype.startswith("uint") or dtype in ("long", "short"))


REGRESSION_CANONICAL = ("mse", "mae", "huber", "log_cosh", "msle", "mape")


def _read_from_script(run: TrainingRun) -> bool:
    """Data read from the script by lint (static reader, values not loaded)."""
    return run.static is not None and not run.data.exact


def _literal_distinct(run: TrainingRun) -> int | None:
    """The distinct values of one integer target column read from a script: its literal range's width."""
    t = run.data.targets
    if len(t) != 1 or not t[0].is_integer:
        return None
    return int(t[0].max - t[0].min) + 1


def _float_first_layer(run: TrainingRun) -> bool:
    """The network's first weighted layer is a dense one (weights times inputs, in floats); other kinds
    (LayerInfo.kind "other": convolutions, recurrent and unknown layers) are left alone."""
    first = next((layer for layer in run.layers if layer.kind not in ("activation", "dropout")), None)
    return first is not None and first.kind == "dense"


@rule("NF128")
def integer_typed_data(run: TrainingRun) -> Iterator[Finding]:
    d = run.data
    # a torch script read by lint (run.framework is "static") is a torch run for the dtype checks
    torch = run.framework == "torch" or bool(run.static and "torch" in run.static.frameworks
                                             and "keras" not in run.static.frameworks)
    state = healthy(run)     # not a gate: a network can fit truncated targets well; the data are the evidence
    problems = []
    script = _read_from_script(run)
    if run.task == "regression" and _integer(d.target_dtype):
        distinct = len(d.class_counts) if d.class_counts else _literal_distinct(run) if script else None
        if distinct is not None and distinct <= FEW:
            problems.append(f"regression targets are {d.target_dtype} with only {distinct} distinct values")
        elif torch:
            problems.append(f"regression targets are {d.target_dtype}")
    elif script and _integer(d.target_dtype) and canonical_loss(run.config.loss) in REGRESSION_CANONICAL:
        problems.append(f"targets are {d.target_dtype} under the regression loss {run.config.loss!r}, which reads "
                        "them as real numbers")
    if index_inputs(run):
        pass     # indices into an embedding are integers by design
    elif d.input_dtype and (d.input_dtype.startswith("uint") or d.input_dtype in NARROW):
        problems.append(f"inputs are {d.input_dtype} (arithmetic on them overflows and wraps around)")
    elif (torch or (script and _float_first_layer(run) and getattr(d, "inputs_drawn_as_integers", False))) \
            and _integer(d.input_dtype):
        problems.append(f"inputs are {d.input_dtype}" + ("" if torch else ", given to float layers"))
    if not problems:
        return
    if run.script_error is not None:
        from nnfit.doctor.crashes import diagnose

        crash = diagnose(run.script_error)
        if crash is not None and crash.code == "NF128":
            return      # the script's own exception already names this fault (rules/script_error.py)
    yield Finding(
        code="NF128",
        message="integer-typed-data: " + "; ".join(problems),
        fix='convert before scaling and training: X = X.astype("float32"); y = y.astype("float32") '
            "(torch: dtype=torch.float32)",
        evidence={"input_dtype": d.input_dtype, "target_dtype": d.target_dtype, "task": run.task},
        location=location(run, line=d.line or run.config.fit_line),
        explanation="integer data are truncated or wrap around; the network trains on values that are not the data",
        basis="data", margin=2.0,
        severity=Severity.ERROR if state is False and "distinct" in problems[0] else Severity.WARNING,
    )
