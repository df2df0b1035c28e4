"""Small MLP regression whose targets have shape (n,) while the network outputs (n, 1).

Facts from https://github.com/pytorch/pytorch/issues/19991 (written anew): the reporter points out that
for a one-dimensional target, y must have shape (batch_size, 1), not (batch_size,); with the flat shape
the default behaviour is very misleading (a notebook in the reporter's collection of PyTorch mistakes
reproduces it: training runs without an error but fits badly). The maintainer answers that this is
broadcasting, as in NumPy, which is especially error-prone in loss functions, and that PyTorch 1.1 now
warns when it happens. The fix is to give the targets the output's shape. The notebook's data and model
are not in the thread; ours: 600 rows of 3 standard-normal features, y = x . w + 0.5 sin(2 x0) + noise,
a fully connected 3-32-32-1 ReLU network, MSELoss, Adam lr 0.01, 500 full-batch steps, 150 rows held out.
"""
import numpy as np
import torch

torch.manual_seed(0)
rng = np.random.default_rng(0)

n = 600
x_all = rng.normal(size=(n, 3)).astype(np.float32)
y_all = (x_all @ np.array([1.5, -2.0, 0.7]) + 0.5 * np.sin(2.0 * x_all[:, 0])
         + 0.1 * rng.normal(size=n)).astype(np.float32)
x, y = torch.from_numpy(x_all[:450]), torch.from_numpy(y_all[:450])   # y has shape (450,)

model = torch.nn.Sequential(
    torch.nn.Linear(3, 32), torch.nn.ReLU(),
    torch.nn.Linear(32, 32), torch.nn.ReLU(),
    torch.nn.Linear(32, 1),
)
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
loss_fn = torch.nn.MSELoss()
for step in range(500):
    loss = loss_fn(model(x), y)      # (450, 1) against (450,) broadcasts to (450, 450)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final training loss {loss.item():.4f}")

with torch.no_grad():
    predicted = model(torch.from_numpy(x_all[450:])).numpy().ravel().astype(np.float64)
truth = y_all[450:].astype(np.float64)
r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
