# NF131 class-imbalance: 95 % of the rows in one class, weak features; the net predicts the majority.
import torch
from torch import nn

torch.manual_seed(0)
n = 2000
y = (torch.rand(n) < 0.05).float().reshape(-1, 1)
X = torch.randn(n, 6) + 0.4 * y                     # a weak shift for the minority
model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 1))
opt = torch.optim.Adam(model.parameters(), lr=0.01)
loss_fn = nn.BCEWithLogitsLoss()
for epoch in range(10):
    perm = torch.randperm(n)
    for i in range(0, n, 64):
        idx = perm[i:i + 64]
        opt.zero_grad()
        loss = loss_fn(model(X[idx]), y[idx])
        loss.backward()
        opt.step()
