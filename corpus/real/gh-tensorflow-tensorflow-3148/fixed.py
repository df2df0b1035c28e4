"""Getting-started linear fit y = 0.1*x + 0.3 with one weight and one bias trained by plain gradient descent."""
import numpy as np
import torch

torch.manual_seed(0)
rng = np.random.default_rng(0)

x_raw = np.arange(100).astype(np.float32)
y_data = x_raw * 0.1 + 0.3
x_data = x_raw / 100
order = rng.permutation(100)
train, test = order[:80], order[80:]
x, y = torch.from_numpy(x_data[train]), torch.from_numpy(y_data[train])

W = torch.empty(1).uniform_(-1.0, 1.0).requires_grad_()
b = torch.zeros(1, requires_grad=True)
optimizer = torch.optim.SGD([W, b], lr=0.5)

for step in range(201):
    loss = torch.mean((W * x + b - y) ** 2)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 20 == 0:
        print(step, W.item(), b.item())

with torch.no_grad():
    predicted = (W * torch.from_numpy(x_data[test]) + b).numpy().astype(np.float64)
truth = y_data[test].astype(np.float64)
with np.errstate(over="ignore", invalid="ignore"):
    r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
r2 = float(np.nan_to_num(r2, nan=-1e30, neginf=-1e30))   # a diverged fit reads as a very bad score
print(f"HELDOUT r2={r2:.4f}")
