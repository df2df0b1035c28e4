"""dtype-mismatch (NF132)

What it finds: (doctor lint, nothing run) a PyTorch script that turns NumPy arrays into tensors with
`torch.from_numpy(...)` and never asks for float32 anywhere (no `.float()`, `dtype=torch.float32`,
`astype(np.float32)` / `float32`, no `.double()` model): NumPy makes float64 arrays, torch layers are
float32, and the first layer raises "mat1 and mat2 must have the same dtype". `doctor run` reads the
same fault from the exception itself (rules/script_error.py).
Why it matters: the script stops at its first forward pass, with a message about matrices rather than
about the line that made the data.
Example: X = torch.from_numpy(np.linspace(0, 1, 100).reshape(-1, 1)); net = nn.Linear(1, 1); net(X)
Fix: X = torch.from_numpy(x).float() (or torch.tensor(x, dtype=torch.float32)).
Threshold: none: a text pattern; any mention of float32 or double in the file silences it, since
the static reading does not follow each array's dtype.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import code_lines, first_line_matching, location
from nnfit.doctor.run import TrainingRun

FROM_NUMPY = re.compile(r"torch\.from_numpy\s*\(")
# anything that sets a floating type on the data or the model
FLOAT_CHOSEN = re.compile(r"\.float\s*\(|float32|float64|\.double\s*\(|\.to\s*\(\s*torch\.|dtype\s*=|set_default_dtype|"
                          r"\.type\s*\(")


@rule("NF132")
def dtype_mismatch(run: TrainingRun) -> Iterator[Finding]:
    if not run.is_static or "torch" not in (run.static.frameworks if run.static else []):
        return
    code = "\n".join(code_lines(run))
    if FROM_NUMPY.search(code) is None or FLOAT_CHOSEN.search(code):
        return
    line = first_line_matching(run, FROM_NUMPY)
    yield Finding(
        code="NF132",
        message="dtype-mismatch: torch.from_numpy keeps NumPy's float64, and nothing in the script makes the "
                "data (or the model) one floating type: float32 layers will refuse float64 inputs",
        fix="torch.from_numpy(x).float() (or torch.tensor(x, dtype=torch.float32))",
        evidence={"call": "torch.from_numpy"}, location=location(run, line=line),
        explanation="NumPy arrays are float64 by default; torch layers are created in float32",
        basis="code", margin=1.0, severity=Severity.WARNING,
    )
