"""Fit y = 2x one point at a time with gradient descent at lr 1e-7, for 100 steps: W ends far from 2.

Facts from https://github.com/nethsix/gentle_tensorflow/issues/10 and the repository's
code/linear_regression_one_feature.py before the fix (written anew): y = W x + b with W and b starting
at zero, cost = mean squared error, plain gradient descent at 0.0000001, 100 steps; step i feeds the
single point x = i, y = 2 i. After the run W is still near 0.13 instead of 2. The original is
TensorFlow 1; PyTorch tensors and SGD stand in here, with the same data stream. The held-out points
are the midpoints x = i + 0.5 of the first 100 integers, which no step feeds.
"""
import numpy as np
import torch

torch.manual_seed(0)

W = torch.zeros(1, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
optimizer = torch.optim.SGD([W, b], lr=0.0000001)

steps = 100
for i in range(steps):
    xs = torch.tensor([[float(i)]])
    ys = torch.tensor([[2.0 * i]])
    cost = torch.mean((ys - (xs @ W + b)) ** 2)
    optimizer.zero_grad()
    cost.backward()
    optimizer.step()
print("W: %f b: %f" % (W.item(), b.item()))

x_held = np.arange(100) + 0.5
truth = 2.0 * x_held
with torch.no_grad():
    pred = (torch.tensor(x_held, dtype=torch.float32).reshape(-1, 1) @ W + b).numpy().ravel().astype(np.float64)
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
