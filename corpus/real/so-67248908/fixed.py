"""Linear(2, 1) taught to add two numbers; with the backward pass and a column-shaped target."""
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
torch.set_num_threads(1)

n_train, n_test = 1000, 250
x_all = torch.rand(n_train + n_test, 2)
y_all = (x_all[:, 0] + x_all[:, 1]).view(-1, 1)   # shape (n, 1), like the predictions
x_train, y_train = x_all[:n_train], y_all[:n_train]
x_test, y_test = x_all[n_train:], y_all[n_train:].numpy().ravel()

net = nn.Sequential(nn.Linear(2, 1))
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)

for epoch in range(5000):
    y_pred = net(x_train)
    loss = criterion(y_pred, y_train)
    if epoch % 1000 == 0:
        print(f"epoch {epoch} loss {loss.item():.6f}")
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

with torch.no_grad():
    predicted = net(x_test).numpy().ravel()
r2 = 1 - np.sum((y_test - predicted) ** 2) / np.sum((y_test - y_test.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
