"""The same fit with two inputs, x and x^2, to a nn.Linear(2, 1) (the answer's change)."""
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(0)

error = 0.1
N = 100
X = torch.randn(N, 1)
t = X * X + torch.randn(N, 1) * error
X_test = torch.randn(400, 1)
t_test = X_test * X_test

model = nn.Linear(2, 1)                   # two inputs now
X_input = torch.cat((X, X ** 2), dim=1)
optimizer = optim.SGD(model.parameters(), lr=0.05)
loss_fn = nn.MSELoss()

niter = 50
for _ in range(niter):
    optimizer.zero_grad()
    loss = loss_fn(model(X_input), t)
    loss.backward()
    optimizer.step()
print(f"error = {loss.item():.4f}")

with torch.no_grad():
    predicted = model(torch.cat((X_test, X_test ** 2), dim=1)).reshape(-1).numpy().astype(np.float64)
truth = t_test.reshape(-1).numpy().astype(np.float64)
r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
