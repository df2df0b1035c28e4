"""se-datascience-44698 fixed: with the error defined as prediction - target, the weights must move
against the gradient (w -= lr * grad, or keep += and define the error as target - prediction). Same
data, network, initialisation, learning rate and epochs.
"""
import numpy as np
import torch

torch.manual_seed(0)
torch.set_num_threads(1)
x = torch.rand(100, 1)
y = torch.sin(x)
xtr, ytr, xte, yte = x[:50], y[:50], x[50:], y[50:, 0].numpy()

w_in, b_in = torch.rand(1, 3, requires_grad=True), torch.rand(1, 3, requires_grad=True)
w_out, b_out = torch.rand(3, 1, requires_grad=True), torch.rand(1, 1, requires_grad=True)
params = [w_in, b_in, w_out, b_out]
lr = 0.1


def forward(inp):
    hidden = torch.sigmoid(inp @ w_in + b_in)
    return torch.sigmoid(hidden @ w_out + b_out)


for epoch in range(20000):
    loss = 0.5 * ((forward(xtr) - ytr) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad          # fix: step against the gradient
            p.grad.zero_()

with torch.no_grad():
    pred = forward(xte)[:, 0].numpy()
r2 = 1.0 - np.sum((yte - pred) ** 2) / np.sum((yte - yte.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
