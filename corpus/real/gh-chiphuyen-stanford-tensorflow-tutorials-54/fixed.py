"""Quadratic fit Y = w*X^2 + u*X + b by per-sample gradient descent, X unscaled (up to ~40).

PyTorch stand-in for a TensorFlow 1 tutorial exercise (fires vs thefts per 1000 housing units).
"""
import math

import numpy as np
import torch

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(0)

n = 200
x = rng.uniform(2.0, 40.0, size=n)
y = 0.03 * x ** 2 + 1.2 * x + 2.0 + rng.normal(0.0, 1.0, size=n)
X = torch.tensor(x, dtype=torch.float32)
Y = torch.tensor(y, dtype=torch.float32)
X_train, Y_train, X_test, Y_test = X[:150], Y[:150], X[150:], Y[150:]

w = torch.zeros((), requires_grad=True)
u = torch.zeros((), requires_grad=True)
b = torch.zeros((), requires_grad=True)
optimizer = torch.optim.SGD([w, u, b], lr=3e-7)

for epoch in range(100):
    total = 0.0
    for xi, yi in zip(X_train, Y_train):
        pred = w * xi * xi + u * xi + b
        loss = (yi - pred) ** 2
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
    if epoch % 10 == 0:
        print(f"epoch {epoch} loss {total / len(X_train):.4g}")

with torch.no_grad():
    pred = w * X_test * X_test + u * X_test + b
    ss_res = float(((Y_test - pred) ** 2).sum())
    ss_tot = float(((Y_test - Y_test.mean()) ** 2).sum())
r2 = 1.0 - ss_res / ss_tot if math.isfinite(ss_res) else float("nan")
print(f"HELDOUT r2={r2:.4f}")
