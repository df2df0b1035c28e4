"""A one-layer 'X' recogniser whose predictions (n,) are compared with targets (n, 1): the loss broadcasts.

Facts from https://forums.fast.ai/t/trouble-with-a-simple-cross-recognizer/58206 (written anew): 3x3
inputs flattened to 9 values plus an appended bias 1 (10 inputs), a third of the samples are the 'X'
pattern (target 1) and the rest uniform random grids (target 0); one weight vector of 10 values
initialised uniformly in [-0.5, 0.5], a sigmoid, a hand-written mean squared error, lr 0.05, manual
updates (weights.sub_(lr * grad), then grad.zero_()). The poster's weight vector is 1-D, so the product
has shape (n,) while the target tensor is (n, 1): the difference is an (n, n) matrix. The post used 10
samples; we draw 300 (the crosses get a little noise so held-out rows are not copies), 200 for training
and 100 held out, and run 5000 full-batch steps.
"""
import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
torch.set_num_threads(1)
n = 300
cross = torch.tensor([[1., 0., 1.], [0., 1., 0.], [1., 0., 1.]]).reshape(9)
grids = torch.rand(n, 9)
is_cross = torch.rand(n) < 0.33
grids[is_cross] = (cross + 0.25 * torch.rand(int(is_cross.sum()), 9)).clamp(0, 1)
inputs = torch.cat([grids, torch.ones(n, 1)], dim=1)
expected_y = is_cross.float().reshape(n, 1)
tr, te = slice(0, 200), slice(200, n)

weights = nn.Parameter(torch.rand(10) - 0.5)
lr = 0.05


def mse(y_hat, y):
    return ((y_hat - y) ** 2).mean()


for step in range(5000):
    y_hat = torch.sigmoid(inputs[tr] @ weights)          # shape (200,)
    loss = mse(y_hat, expected_y[tr])                     # (200,) - (200, 1) -> (200, 200)
    loss.backward()
    with torch.no_grad():
        weights.sub_(lr * weights.grad)
        weights.grad.zero_()

with torch.no_grad():
    pred = (torch.sigmoid(inputs[te] @ weights) > 0.5).float()
acc = (pred == expected_y[te, 0]).float().mean().item()
print(f"HELDOUT accuracy={acc:.4f}")
