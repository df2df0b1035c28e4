"""Whether each optimiser step used this step's gradient or the sum of every gradient so far.

PyTorch adds each backward pass's gradient into `param.grad`; a training loop must reset it
(`optimizer.zero_grad()`, `model.zero_grad()`, `p.grad = None`, `p.grad.zero_()` ...) between steps.
Which idiom a script uses does not matter here: a hook on a few parameters sums the gradients that
backward passes delivered since the previous step, and at each step `param.grad` is compared with
that sum. Equal: the buffer was reset (gradient accumulation on purpose, several backward passes per
step, also reads as reset). Equal to the previous step's buffer plus the sum: nothing reset it.
"""
from __future__ import annotations

from typing import Any

# Parameters watched per optimiser: the smallest ones (biases), enough to tell, cheap to copy.
WATCHED_PARAMETERS = 2
# |grad - expected| / |grad| below which a buffer matches an expectation: float32 sums of a few
# gradients agree to ~1e-6; the two expectations differ by the previous buffer (order 1 relative).
MATCH_TOLERANCE = 1e-3


class GradientResetTracker:
    def __init__(self) -> None:
        self.reset_steps = 0          # steps whose gradient was this step's own
        self.accumulated_steps = 0    # steps whose gradient still held the previous steps' gradients
        self._watched: dict[int, list[dict[str, Any]]] = {}     # id(optimizer) -> watched parameters

    def _watch(self, optimizer: Any) -> list[dict[str, Any]]:
        params = [p for group in optimizer.param_groups for p in group["params"]
                  if getattr(p, "requires_grad", False) and p.is_leaf]
        chosen = sorted(params, key=lambda p: p.numel())[:WATCHED_PARAMETERS]
        watched = []
        for p in chosen:
            entry: dict[str, Any] = {"param": p, "fresh": None, "previous": None}

            def add(grad: Any, entry: dict[str, Any] = entry) -> None:
                g = grad.detach().clone()
                entry["fresh"] = g if entry["fresh"] is None else entry["fresh"] + g

            p.register_hook(add)
            watched.append(entry)
        return watched

    def on_step(self, optimizer: Any) -> None:
        """Called just before `optimizer.step()`."""
        key = id(optimizer)
        if key not in self._watched:
            self._watched[key] = self._watch(optimizer)     # the hooks see backward passes from now on
            for entry in self._watched[key]:
                grad = entry["param"].grad
                entry["previous"] = grad.detach().clone() if grad is not None else None
            return
        verdicts = []
        for entry in self._watched[key]:
            grad, fresh, previous = entry["param"].grad, entry["fresh"], entry["previous"]
            if grad is not None and fresh is not None and previous is not None and grad.shape == fresh.shape:
                g = grad.detach()
                size = float(g.norm()) or 1.0
                own = float((g - fresh).norm()) / size
                summed = float((g - fresh - previous).norm()) / size
                if own <= MATCH_TOLERANCE:
                    verdicts.append(True)
                elif summed <= MATCH_TOLERANCE and float(previous.norm()) > MATCH_TOLERANCE * size:
                    verdicts.append(False)
            entry["previous"] = grad.detach().clone() if grad is not None else None
            entry["fresh"] = None
        if verdicts:
            if all(verdicts):
                self.reset_steps += 1
            elif not any(verdicts):
                self.accumulated_steps += 1
