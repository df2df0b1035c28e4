"""Whether each optimiser step used this step's gradient or the sum of every gradient so far.

PyTorch adds each backward pass's gradient into `param.grad`; a training loop must reset it
(`optimizer.zero_grad()`, `model.zero_grad()`, `p.grad = None`, `p.grad.zero_()` ...) between steps.
Which idiom a script uses does not matter here. With an optimiser: a hook on a few parameters sums the gradients that
backward passes delivered since the previous step, and at each step `param.grad` is compared with
that sum. Equal: the buffer was reset (gradient accumulation on purpose, several backward passes per
step, also reads as reset). Equal to the previous step's buffer plus the sum: nothing reset it.
A hand-written loop (`w.data -= lr * w.grad`, no optimiser) counts each `loss.backward()` as a step:
before it, a buffer that is empty or zero was reset; one still equal to the last pass's gradient
was not.
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
        self._manual: list[dict[str, Any]] | None = None        # a loop that steps no optimiser
        # id(parameter) -> its entry: a parameter gets one hook however many optimisers step it (a
        # script that builds a fresh optimiser for every step would otherwise stack a hook per step on
        # it, and every backward pass would run them all)
        self._by_param: dict[int, dict[str, Any]] = {}

    # -- hand-written updates (w.data -= lr * w.grad): each loss.backward() is one step ----------------
    def before_backward(self, loss: Any) -> None:
        leaves = _leaves(loss)
        ids = {id(p) for p in leaves}
        if self._manual is None or any(id(e["param"]) not in ids for e in self._manual):
            # the first pass, or one whose graph no longer reaches the watched parameters (a model built
            # anew, another network): parameters this pass does not touch keep their .grad, which would
            # read as a buffer nobody reset; watch this graph's own
            chosen = sorted(leaves, key=lambda p: p.numel())[:WATCHED_PARAMETERS]
            self._manual = [{"param": p, "before": None, "after": None} for p in chosen]
        for entry in self._manual:
            grad = entry["param"].grad
            entry["before"] = grad.detach().clone() if grad is not None else None

    def after_backward(self) -> None:
        verdicts = []
        for entry in self._manual or []:
            before, last = entry["before"], entry["after"]
            if last is not None and float(last.norm()) > 0:
                if before is None or not bool(before.any()):
                    verdicts.append(True)           # reset since the last backward pass
                elif before.shape == last.shape and bool((before == last).all()):
                    verdicts.append(False)          # the last pass's gradient is still there: it accumulates
            grad = entry["param"].grad
            entry["after"] = grad.detach().clone() if grad is not None else None
        self._count(verdicts)

    def _count(self, verdicts: list[bool]) -> None:
        if verdicts:
            if all(verdicts):
                self.reset_steps += 1
            elif not any(verdicts):
                self.accumulated_steps += 1

    def _watch(self, optimizer: Any) -> list[dict[str, Any]]:
        params = [p for group in optimizer.param_groups for p in group["params"]
                  if getattr(p, "requires_grad", False) and p.is_leaf]
        chosen = sorted(params, key=lambda p: p.numel())[:WATCHED_PARAMETERS]
        watched = []
        for p in chosen:
            if id(p) in self._by_param and self._by_param[id(p)]["param"] is p:
                watched.append(self._by_param[id(p)])
                continue
            entry: dict[str, Any] = {"param": p, "fresh": None, "previous": None}
            self._by_param[id(p)] = entry

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
        self._count(verdicts)


def _leaves(loss: Any, limit: int = 10_000) -> list[Any]:
    """The leaf tensors a loss's gradient flows into (autograd's AccumulateGrad nodes)."""
    out, seen, stack = [], set(), [getattr(loss, "grad_fn", None)]
    while stack and len(seen) < limit:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        variable = getattr(fn, "variable", None)
        if variable is not None:
            out.append(variable)
        stack.extend(f for f, _ in getattr(fn, "next_functions", ()))
    return out
