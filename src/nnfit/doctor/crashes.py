"""The framework errors a small training script raises, read as the fault that causes them.

A script that crashes never reaches a loss curve, yet its error message names the fault exactly:
`mat1 and mat2 must have the same dtype, but got Double and Float` is NumPy's float64 data fed to
float32 layers. Each pattern below is one such message of PyTorch 2 or Keras 3 (their wording, which
the frameworks keep stable across releases) with the catalogue code it is evidence of, what it
means, and the fix. The first pattern that matches names the fault; an unknown message is reported
as it is (the runner's note), never guessed at.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from nnfit.doctor.run import ScriptError

INTEGER_TYPES = {"long", "int", "int64", "int32", "short", "byte", "char"}
FLOAT_TYPES = {"float", "double", "half", "float32", "float64", "float16", "bfloat16"}


@dataclasses.dataclass(frozen=True)
class Diagnosis:
    code: str
    what: str          # the fault, in the report's words
    why: str
    fix: str
    task: str | None = None    # the task the message shows (a class-index loss: multiclass), when it shows one


def _dtypes(a: str, b: str) -> Diagnosis:
    pair = {a.lower(), b.lower()}
    if pair & INTEGER_TYPES:
        return Diagnosis("NF128", f"integer data ({'/'.join(sorted(pair & INTEGER_TYPES))}) reach float layers",
                         "a layer computes in floating point; integer tensors must be converted before they reach it",
                         "convert the inputs (and regression targets) to float: X = X.float() "
                         "(or torch.tensor(x, dtype=torch.float32))")
    return Diagnosis("NF132", f"tensors of two floating types meet ({a} and {b})",
                     "torch.from_numpy / torch.tensor keep NumPy's float64, while layers are created in float32",
                     "make the data float32 like the layers: torch.from_numpy(x).float() "
                     "(or torch.tensor(x, dtype=torch.float32)); or call model.double() once")


def class_index_target(found: str) -> Diagnosis:
    return Diagnosis("NF132", f"CrossEntropyLoss / NLLLoss got {found} targets where it takes class indices",
                     "a class-index loss wants one integer label per row (or, in float, one probability per class)",
                     "pass the labels as integers: loss_fn(out, y.long()) (y of shape (n,), not (n, 1))", "multiclass")


def vector_input(n: str, expected: str) -> Diagnosis:
    return Diagnosis("NF133", f"the inputs are a 1-D vector{f' of {n} values' if n else ''}, not a column: "
                     f"the first layer takes rows of {expected} value(s)",
                     "a layer reads its input as (rows, columns); a 1-D array of samples has no column axis"
                     + (" (torch reads it as one row of all the values)" if n else ""),
                     "give the inputs a column axis: x.reshape(-1, 1) (torch: x.unsqueeze(1)), and the targets too")


def input_width(batch: str, features: str, expected: str) -> Diagnosis:
    if batch == "1" and int(features) > int(expected) and expected == "1":
        return vector_input(features, expected)      # torch: a 1-D vector of n samples is one row of n columns
    return Diagnosis("NF133", f"the data have {features} input columns but the first layer takes {expected}",
                     "a layer's weight matrix is built for a fixed number of inputs",
                     f"make the first layer take {features} inputs (nn.Linear({features}, ...) / "
                     f"keras.Input(({features},))), or select the {expected} columns it was meant for")


PATTERNS: list[tuple[re.Pattern[str], Callable[..., Diagnosis]]] = [
    (re.compile(r"expected scalar type Long but found (\w+)"), class_index_target),
    (re.compile(r"expected target dtype to be Long or Byte, but got (\w+)"), class_index_target),
    (re.compile(r"mat1 and mat2 must have the same dtype, but got (\w+) and (\w+)"), _dtypes),
    (re.compile(r"expected (?:m1 and m2|both vectors|mat1 and mat2) to have the same dtype, but got:? (\w+) != (\w+)"), _dtypes),
    (re.compile(r"expected scalar type (\w+) but found (\w+)"), _dtypes),
    (re.compile(r"[Ff]ound dtype (\w+) but expected (\w+)"), _dtypes),
    (re.compile(r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x\d+\)"), input_width),
    (re.compile(r"expected axis -1 of input shape to have value (\d+), but received input with shape \((?:None|\d+), (\d+)\)"),
     lambda expected, features: input_width("", features, expected)),
    (re.compile(r"expected axis -1 of input shape to have value (\d+), but received input with shape \((?:None|\d+),\)"),
     lambda expected: vector_input("", expected)),
    (re.compile(r"expected min_ndim=2, found ndim=1"), lambda: vector_input("", "1 or more")),
    (re.compile(r"Expected shape \((?:None|\d+), (\d+)\), but input has incompatible shape "
                r"(?:torch\.Size\(\[\d+\]\)|\((?:None|\d+),\))"), lambda expected: vector_input("", expected)),
    (re.compile(r"Expected shape \((?:None|\d+), (\d+)\), but input has incompatible shape "
                r"(?:torch\.Size\(\[|\()(?:None|\d+), (\d+)[\])]"),
     lambda expected, features: input_width("", features, expected)),
    (re.compile(r"Target (-?\d+) is out of bounds"),
     lambda label: Diagnosis("NF130", f"a class label ({label}) that the output layer has no unit for",
                             "the output needs one unit per class; labels run from 0 to (classes - 1)",
                             "give the output layer as many units as there are classes (the largest label + 1)",
                             "multiclass")),
    (re.compile(r"0D or 1D target tensor expected, multi-target not supported"),
     lambda: Diagnosis("NF126", "CrossEntropyLoss / NLLLoss got one-hot (or column) targets where it takes class indices",
                       "a class-index loss wants one integer label per row, of shape (n,)",
                       "pass y.argmax(dim=1) for one-hot targets, or y.squeeze(1).long() for a column of labels",
                       "multiclass")),
    (re.compile(r"all elements of input should be between 0 and 1"),
     lambda: Diagnosis("NF126", "BCELoss got outputs outside [0, 1]: the output is not a probability",
                       "BCELoss takes probabilities; a linear output must go through a sigmoid first",
                       "use nn.BCEWithLogitsLoss() on the raw output (or end the network with nn.Sigmoid())",
                       "binary")),
    (re.compile(r"all elements of target should be between 0 and 1"),
     lambda: Diagnosis("NF110", "a binary cross-entropy on targets outside [0, 1]",
                       "binary cross-entropy scores yes/no probabilities; real-valued targets need a regression loss",
                       "use a regression loss: nn.MSELoss() / loss='mse' (or make the targets 0/1 labels)",
                       "regression")),
]


def diagnose(error: ScriptError | None) -> Diagnosis | None:
    """The fault a script's exception is evidence of (None: a message nnfit does not read)."""
    if error is None:
        return None
    for pattern, make in PATTERNS:
        m = pattern.search(error.detail or error.message)
        if m:
            return make(*m.groups())
    return None
