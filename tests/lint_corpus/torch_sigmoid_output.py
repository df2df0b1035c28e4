# expect: NF106, NF107
# PyTorch: a sigmoid output layer asked to produce targets up to 100.
import torch
from torch import nn

X = torch.rand(800, 1)
y = 100 * X ** 2
model = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 1), nn.Sigmoid())
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.MSELoss()
for epoch in range(2000):
    opt.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    opt.step()
