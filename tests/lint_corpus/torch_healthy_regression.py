# expect: none
# PyTorch, healthy: full-batch Adam on x**2, tanh hidden layers, linear output.
import torch
from torch import nn

torch.manual_seed(0)
X = torch.rand(1000, 1)
y = X ** 2

model = nn.Sequential(nn.Linear(1, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.MSELoss()

for epoch in range(3000):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
print(loss.item())
