# expect: NF103
# PyTorch: plain SGD with learning rate 5 diverges.
import torch
from torch import nn

X = torch.rand(256, 1) * 2 - 1
y = 3 * X + 1
model = nn.Sequential(nn.Linear(1, 16), nn.ReLU(), nn.Linear(16, 1))
opt = torch.optim.SGD(model.parameters(), lr=5.0)
mse = nn.MSELoss()
for step in range(1000):
    opt.zero_grad()
    out = model(X)
    loss = mse(out, y)
    loss.backward()
    opt.step()
