"""Fit y = x**3 for x = 1..3999 with a one-hidden-layer ReLU network and Adam."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class Network(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(1, 50)
        self.fc2 = nn.Linear(50, 1)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


x_all = torch.arange(1, 4000, dtype=torch.float32).unsqueeze(1)
y_all = x_all ** 3
perm = torch.randperm(len(x_all))
train, test = perm[:3200], perm[3200:]
x_mean, x_std = x_all[train].mean(), x_all[train].std()
y_mean, y_std = y_all[train].mean(), y_all[train].std()
inputs = (x_all[train] - x_mean) / x_std
target = (y_all[train] - y_mean) / y_std

model = Network()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.MSELoss()

for epoch in range(1000):
    optimizer.zero_grad()
    out = model(inputs)
    loss = criterion(out, target)
    loss.backward()
    optimizer.step()
    if epoch % 100 == 0:
        print(epoch, loss.item(), out.max().item())

with torch.no_grad():
    predicted = (model((x_all[test] - x_mean) / x_std) * y_std + y_mean).numpy().ravel().astype(np.float64)
truth = y_all[test].numpy().ravel().astype(np.float64)
r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
