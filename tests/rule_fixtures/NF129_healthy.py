# NF129 healthy: the same loop over a new random order every epoch.
import torch
from torch import nn

torch.manual_seed(0)
X = torch.linspace(-2, 2, 512).reshape(-1, 1)
y = torch.sin(2 * X)
model = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 1))
opt = torch.optim.Adam(model.parameters(), lr=0.01)
loss_fn = nn.MSELoss()
for epoch in range(60):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i:i + 32]
        opt.zero_grad()
        loss = loss_fn(model(X[idx]), y[idx])
        loss.backward()
        opt.step()
