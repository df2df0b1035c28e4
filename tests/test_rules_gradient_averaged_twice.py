"""NF104's doubled batch average: a hand-written step that divides a batch-mean gradient by the batch
size again. Scripts written here in the d2l 'from scratch' idiom (a batch generator, a hand-written sgd())."""
from __future__ import annotations

from nnfit.doctor import lint as L
from nnfit.doctor.static import analyse

SCRATCH = """\
import random
import torch

def batches(size, xs, ys):
    order = list(range(len(xs)))
    random.shuffle(order)
    for start in range(0, len(xs), size):
        pick = torch.tensor(order[start:start + size])
        yield xs[pick], ys[pick]

def step(weights, rate, size):
    for p in weights:
        p.data.sub_(rate * p.grad / size)
        p.grad.zero_()

xs = torch.normal(0, 1, (800, 3))
ys = xs @ torch.tensor([[1.5], [-2.0], [0.5]]) + 1.0
w = torch.normal(0, 0.01, size=(3, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)
size = 16
rate = 0.05
for epoch in range(4):
    for xb, yb in batches(size, xs, ys):
        err = (xb @ w + b - yb) ** 2 / 2
        err.REDUCE().backward()
        step([w, b], rate, size)
"""


def nf104(text: str) -> list:
    return [f for f in L.lint_source(text) if f.code == "NF104"]


def test_mean_loss_and_a_step_divided_by_the_batch_size_is_a_rate_batch_size_times_lower():
    found = nf104(SCRATCH.replace("REDUCE", "mean"))
    assert len(found) == 1
    assert found[0].evidence["divisor"] == 16
    assert abs(found[0].evidence["effective_learning_rate"] - 0.05 / 16) < 1e-12


def test_summed_loss_divided_once_is_left_alone():
    assert nf104(SCRATCH.replace("REDUCE", "sum")) == []


def test_a_loss_module_with_default_reduction_counts_as_a_mean():
    text = SCRATCH.replace("err = (xb @ w + b - yb) ** 2 / 2\n        err.REDUCE().backward()",
                           "loss = crit(xb @ w + b, yb)\n        loss.backward()").replace(
        "size = 16", "size = 16\ncrit = torch.nn.MSELoss()")
    assert len(nf104(text)) == 1
    assert nf104(text.replace("MSELoss()", "MSELoss(reduction='sum')")) == []


def test_update_divided_by_a_count_is_read_as_a_hand_written_sgd_step():
    run = analyse(SCRATCH.replace("REDUCE", "mean"))
    assert run.config.optimizer is not None and run.config.optimizer.learning_rate == 0.05
    assert [u.uses_gradient for u in run.updates] == [True]


def test_batches_of_a_generator_and_a_loop_over_parameters_give_the_planned_updates():
    run = analyse(SCRATCH.replace("REDUCE", "mean"))
    assert run.config.epochs == 4
    assert run.n_updates_planned == 4 * 50       # 800 rows in batches of 16; `for p in weights` is one step
