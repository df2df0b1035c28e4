"""data-not-shuffled (NF129)

What it finds: ordered rows (sorted by the target or an input, or grouped by class) fed in the same
order every epoch in mini-batches: a PyTorch loop over X[i:i+batch] or a DataLoader without
shuffle=True, Keras fit(shuffle=False).
Why it matters: each batch then holds one narrow slice of the data (one class, one end of the
range); every step pulls the network towards that slice and the next undoes it, so the loss zig-zags
and settles on whatever the last batches of the epoch wanted.
Example: for i in range(0, len(X), 32): loss = mse(model(X[i:i+32]), y[i:i+32]) with X sorted.
Fix: shuffle every epoch: DataLoader(dataset, batch_size=32, shuffle=True), or
perm = torch.randperm(len(X)) and index the batches with it; Keras: leave shuffle=True (the default).
Threshold: ORDERED = 0.5 on |Spearman correlation| of row position with the target / an input (the
same null-distribution reading as NF127: shuffled rows stay below 0.2 for n >= 100). The run
must have more than one batch per epoch and a batch order that repeats between epochs (measured by
the torch monitor), or Keras shuffle=False.
Severity: a warning; an error when the run fails (the shared fit gate).
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import healthy, location
from nnfit.doctor.run import TrainingRun

ORDERED = 0.5


@rule("NF129")
def data_not_shuffled(run: TrainingRun) -> Iterator[Finding]:
    if run.config.shuffle is not False:
        return
    rho = run.data.order_correlation
    n, batch = run.data.n_samples, run.config.batch_size
    if rho is None or rho < ORDERED or (n and batch and batch >= n):
        return
    state = healthy(run)
    if state is True:
        return
    yield Finding(
        code="NF129",
        message=f"data-not-shuffled: rows are ordered (|rank correlation with position| {rho:.2f}) and batched "
                f"in the same order every epoch" + (f" (batch {batch} of {n})" if n and batch else ""),
        fix="shuffle every epoch: DataLoader(..., shuffle=True) or index batches with torch.randperm(len(X)); "
            "Keras: fit(..., shuffle=True)",
        evidence={"order_correlation": round(rho, 3), "batch_size": batch, "n_samples": n},
        location=location(run, line=run.config.shuffle_line or run.config.fit_line),
        explanation="each batch is one slice of the data; successive steps pull the network back and forth",
        basis="data", margin=rho / ORDERED,
        severity=Severity.ERROR if state is False else Severity.WARNING,
    )
