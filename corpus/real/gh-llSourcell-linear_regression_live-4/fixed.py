"""gh-llSourcell-linear_regression_live-4 fixed as the thread closes: normalise the data first.

Same data, split, model, loss and optimiser as repro.py; x and y are standardised with the training
points' mean and standard deviation before gradient descent, and predictions are mapped back to scores.
Facts from https://github.com/llSourcell/linear_regression_live/issues/4 (written anew): see repro.py.
"""
import numpy as np
import torch

torch.manual_seed(0)
rng = np.random.default_rng(0)

x_all = rng.uniform(25.0, 70.0, size=100).astype(np.float32)
y_all = (1.3 * x_all + 8.0 + rng.normal(scale=5.0, size=100)).astype(np.float32)
order = rng.permutation(100)
train, test = order[:75], order[75:]
x_mean, x_std = x_all[train].mean(), x_all[train].std()
y_mean, y_std = y_all[train].mean(), y_all[train].std()
x = torch.from_numpy((x_all[train] - x_mean) / x_std)
y = torch.from_numpy((y_all[train] - y_mean) / y_std)

W = torch.tensor([0.3], requires_grad=True)
b = torch.tensor([-0.3], requires_grad=True)
optimizer = torch.optim.SGD([W, b], lr=0.01)

for step in range(1000):
    loss = torch.sum((W * x + b - y) ** 2)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"W={W.item()} b={b.item()} loss={loss.item()}")

with torch.no_grad():
    scaled = (W * torch.from_numpy((x_all[test] - x_mean) / x_std) + b).numpy().astype(np.float64)
predicted = scaled * y_std + y_mean
truth = y_all[test].astype(np.float64)
with np.errstate(over="ignore", invalid="ignore"):
    r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
r2 = float(np.nan_to_num(r2, nan=-1e30, neginf=-1e30))   # a diverged fit reads as a very bad score
print(f"HELDOUT r2={r2:.4f}")
