"""Linear regression demo with hand-made parameters w, b and a manual gradient-descent update."""
import numpy as np
import torch

torch.manual_seed(0)

x_all = torch.rand(125, 1) * 20
y_all = 2 * x_all + 3 + torch.randn(125, 1)
x, y = x_all[:100], y_all[:100]
x_test, y_test = x_all[100:], y_all[100:]

w = torch.rand(1, 1, requires_grad=True)
b = torch.zeros(1, 1, requires_grad=True)
lr = 1e-3

for step in range(500):
    y_pred = x.mm(w) + b
    loss = ((y_pred - y) ** 2).mean()
    loss.backward()
    w.data.sub_(lr * w.grad.data)
    b.data.sub_(lr * b.grad.data)
    if step % 50 == 0:
        print(step, loss.item())

with torch.no_grad():
    predicted = (x_test.mm(w) + b).numpy().ravel().astype(np.float64)
truth = y_test.numpy().ravel().astype(np.float64)
with np.errstate(over="ignore", invalid="ignore"):
    r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
r2 = float(np.nan_to_num(r2, nan=-1e30, neginf=-1e30))   # a diverged fit reads as a very bad score
print(f"HELDOUT r2={r2:.4f}")
