# NF125 target-shape-broadcast: targets (n,) against predictions (n, 1) inside MSELoss.
import torch
from torch import nn

torch.manual_seed(0)
X = torch.randn(400, 2)
y = 10 + 9 * X[:, 0] - 2 * X[:, 1] + 0.5 * torch.randn(400)      # shape (400,)
model = nn.Linear(2, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
loss_fn = nn.MSELoss()
for epoch in range(100):
    opt.zero_grad()
    loss = loss_fn(model(X), y)          # (400, 1) vs (400,): broadcast to (400, 400)
    loss.backward()
    opt.step()
