"""fastai-58206 fixed: the prediction (n,) and the target (n, 1) must have the same shape, otherwise the
squared difference broadcasts to (n, n) and every prediction is pulled towards the mean target. The
target is flattened to (n,) before the loss. Same data, held-out rows and training schedule.
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
    loss = mse(y_hat, expected_y[tr].reshape(-1))         # fix: both (200,)
    loss.backward()
    with torch.no_grad():
        weights.sub_(lr * weights.grad)
        weights.grad.zero_()

with torch.no_grad():
    pred = (torch.sigmoid(inputs[te] @ weights) > 0.5).float()
acc = (pred == expected_y[te, 0]).float().mean().item()
print(f"HELDOUT accuracy={acc:.4f}")
