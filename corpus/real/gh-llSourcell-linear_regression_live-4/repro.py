"""Getting-started linear model W*x + b, summed squared error, plain gradient descent at 0.01, raw scores.

Facts from https://github.com/llSourcell/linear_regression_live/issues/4 (written anew): the poster
takes the getting-started linear regression (one weight, one bias, loss = sum of squared errors,
gradient descent with learning rate 0.01, 1000 steps) and feeds it the course's data (study hours
against test scores, values of about 30 to 90, even a five-point integer subset); W, b and the loss
always come out nan. The poster then finds that the learning rate has to drop to 1e-6 to get numbers,
and closes with: normalise the data in a preprocessing step. Data are ours: 100 points, x uniform in
[25, 70], y = 1.3 x + 8 + noise; 25 random points are held out.
"""
import numpy as np
import torch

torch.manual_seed(0)
rng = np.random.default_rng(0)

x_all = rng.uniform(25.0, 70.0, size=100).astype(np.float32)
y_all = (1.3 * x_all + 8.0 + rng.normal(scale=5.0, size=100)).astype(np.float32)
order = rng.permutation(100)
train, test = order[:75], order[75:]
x, y = torch.from_numpy(x_all[train]), torch.from_numpy(y_all[train])

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
    predicted = (W * torch.from_numpy(x_all[test]) + b).numpy().astype(np.float64)
truth = y_all[test].astype(np.float64)
with np.errstate(over="ignore", invalid="ignore"):
    r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
r2 = float(np.nan_to_num(r2, nan=-1e30, neginf=-1e30))   # a diverged fit reads as a very bad score
print(f"HELDOUT r2={r2:.4f}")
