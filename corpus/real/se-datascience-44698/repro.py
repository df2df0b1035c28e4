"""A 1-3-1 sigmoid network for sin(x) whose hand-written update climbs the error instead of descending it.

Facts from https://datascience.stackexchange.com/questions/44698 (written anew, ported from NumPy to
PyTorch): 50 inputs drawn uniformly from [0, 1), targets sin(x); one hidden layer of 3 sigmoid units,
a sigmoid output unit; all weights and biases drawn uniformly from [0, 1); learning rate 0.1, 20000
full-batch epochs. The error is taken as (prediction - target) and the weights are then *increased* by
learning_rate * gradient, so every step goes uphill; the error never approaches zero. In the port,
autograd gives the gradient of half the summed squared error (what the post's deltas compute) and the
update keeps the post's sign. 50 further rows are held out.
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
            p += lr * p.grad          # the post's "+=" with error = prediction - target: gradient ascent
            p.grad.zero_()

with torch.no_grad():
    pred = forward(xte)[:, 0].numpy()
r2 = 1.0 - np.sum((yte - pred) ** 2) / np.sum((yte - yte.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
