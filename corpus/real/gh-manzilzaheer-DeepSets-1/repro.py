"""Deep Sets regressor (sum-pooled per-point network) for a statistic of a sample set; the (batch,)
targets meet (batch, 1) predictions inside MSELoss, which broadcasts them to a (batch, batch) grid.

Facts from https://github.com/manzilzaheer/DeepSets/pull/1 (written anew): the PopStats experiment
trains a Deep Sets model on bags of points drawn from a rotated 2-D Gaussian, each bag labelled with the
entropy of its first coordinate; a per-point network Linear(2,50)-ELU-Linear(50,100)-ELU-Linear(100,50)
is summed over the bag and fed to Linear(50,30)-ELU-Linear(30,30)-ELU-Linear(30,10)-ELU-Linear(10,1);
Adam lr 0.001, MSELoss, batches of 128 bags. The pull request says the (128,) targets behave as a
(1, 128) row against the (128, 1) predictions, so the loss is taken over a 128 x 128 grid and the model
learns the average statistic instead of each bag's own; the fix reshapes so both have the same shape.
Bag sizes, bag counts and epochs here are ours (smaller, to run on a CPU in seconds).
"""
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(0)

n_points = 50
chol = rng.uniform(size=(2, 2))                 # fixed random Cholesky factor, rotated per bag


def make_bags(n_bags):
    angles = rng.uniform(0.0, np.pi, size=n_bags)
    bags = np.empty((n_bags, n_points, 2), dtype=np.float32)
    target = np.empty(n_bags, dtype=np.float32)
    for k, a in enumerate(angles):
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        factor = rot @ chol
        bags[k] = rng.normal(size=(n_points, 2)) @ factor.T
        s = (factor @ factor.T)[0, 0]
        target[k] = 0.5 * np.log(2 * np.pi * np.e * s ** 2)   # entropy of the first coordinate
    return torch.from_numpy(bags), torch.from_numpy(target)


x_train, y_train = make_bags(1536)
x_test, y_test = make_bags(512)


class DeepSet(nn.Module):
    def __init__(self):
        super().__init__()
        self.phi = nn.Sequential(nn.Linear(2, 50), nn.ELU(), nn.Linear(50, 100), nn.ELU(), nn.Linear(100, 50))
        self.rho = nn.Sequential(nn.Linear(50, 30), nn.ELU(), nn.Linear(30, 30), nn.ELU(),
                                 nn.Linear(30, 10), nn.ELU(), nn.Linear(10, 1))

    def forward(self, bags):
        return self.rho(self.phi(bags).sum(dim=1))


model = DeepSet()
optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
loss_fn = nn.MSELoss()

for epoch in range(30):
    order = torch.randperm(len(y_train))
    for start in range(0, len(order) - 127, 128):
        idx = order[start:start + 128]
        optimizer.zero_grad()
        y_pred = model(x_train[idx])                 # (128, 1)
        loss = loss_fn(y_pred, y_train[idx])         # target (128,): broadcast to (128, 128)
        loss.backward()
        optimizer.step()
    if epoch % 10 == 0:
        print(f"epoch {epoch} loss {loss.item():.4f}")

with torch.no_grad():
    pred = model(x_test).numpy().ravel().astype(np.float64)
truth = y_test.numpy().astype(np.float64)
r2 = 1 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
