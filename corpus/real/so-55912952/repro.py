"""A single nn.Linear(1, 1) asked to fit t = x^2 + noise (x ~ N(0, 1)) with SGD."""
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(0)

error = 0.1
N = 100                                   # training points
X = torch.randn(N, 1)
t = X * X + torch.randn(N, 1) * error
X_test = torch.randn(400, 1)
t_test = X_test * X_test

model = nn.Linear(1, 1)                   # a straight line cannot follow a parabola
optimizer = optim.SGD(model.parameters(), lr=0.05)
loss_fn = nn.MSELoss()

niter = 50
for _ in range(niter):
    optimizer.zero_grad()
    loss = loss_fn(model(X), t)
    loss.backward()
    optimizer.step()
print(f"error = {loss.item():.4f}")

with torch.no_grad():
    predicted = model(X_test).reshape(-1).numpy().astype(np.float64)
truth = t_test.reshape(-1).numpy().astype(np.float64)
r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
