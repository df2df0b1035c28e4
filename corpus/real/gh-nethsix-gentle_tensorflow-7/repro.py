"""One-feature linear regression y = W*x + b trained by per-example gradient descent (batch size 1)."""
import numpy as np
import torch

torch.manual_seed(0)
rng = np.random.default_rng(0)

datapoint_size = 1000
batch_size = 1
steps = 10000
actual_W = 2
actual_b = 10
learn_rate = 0.0001

all_xs = np.array([[i % 10] for i in range(datapoint_size)], dtype=np.float32)
all_ys = actual_W * all_xs + actual_b
held_out = rng.permutation(datapoint_size)[:200]
keep = np.setdiff1d(np.arange(datapoint_size), held_out)
train_xs, train_ys = torch.from_numpy(all_xs[keep]), torch.from_numpy(all_ys[keep])
n_train = len(keep)

W = torch.zeros(1, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
optimizer = torch.optim.SGD([W, b], lr=learn_rate)

for i in range(steps):
    if i % 10 == 0:
        continue                     # every tenth step only records summaries
    start = (i * batch_size) % (n_train - batch_size)
    xs, ys = train_xs[start:start + batch_size], train_ys[start:start + batch_size]
    cost = torch.mean((ys - (xs @ W + b)) ** 2)
    optimizer.zero_grad()
    cost.backward()
    optimizer.step()
    if i % 1000 == 1:
        print(i, W.item(), b.item(), cost.item())

with torch.no_grad():
    predicted = (torch.from_numpy(all_xs[held_out]) @ W + b).numpy().ravel().astype(np.float64)
truth = all_ys[held_out].ravel().astype(np.float64)
r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
