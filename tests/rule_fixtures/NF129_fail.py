# NF129 data-not-shuffled: rows sorted by x, batched in the same order every epoch.
import torch
from torch import nn

torch.manual_seed(0)
X = torch.linspace(-2, 2, 512).reshape(-1, 1)
y = torch.sin(2 * X)
model = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 1))
opt = torch.optim.Adam(model.parameters(), lr=0.01)
loss_fn = nn.MSELoss()
for epoch in range(60):
    for i in range(0, len(X), 32):
        opt.zero_grad()
        loss = loss_fn(model(X[i:i + 32]), y[i:i + 32])
        loss.backward()
        opt.step()
