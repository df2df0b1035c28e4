"""Fit a two-feature linear model with nn.Linear and plain SGD."""
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
rng = np.random.default_rng(0)

n = 500
x = rng.normal(size=(n, 2)).astype(np.float32)
y = (10 + 9 * x[:, 0] - 2 * x[:, 1] + rng.normal(size=n)).astype(np.float32)

order = rng.permutation(n)
train, test = order[:400], order[400:]
x_train, y_train = torch.from_numpy(x[train]), torch.from_numpy(y[train]).reshape(-1, 1)
x_test, y_test = torch.from_numpy(x[test]), y[test]

model = nn.Linear(2, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
loss_fn = nn.MSELoss()

for epoch in range(30):
    optimizer.zero_grad()
    prediction = model(x_train)
    loss = loss_fn(prediction, y_train)
    loss.backward()
    optimizer.step()
    print(epoch, loss.item())

with torch.no_grad():
    predicted = model(x_test).numpy().ravel()
r2 = 1 - np.sum((y_test - predicted) ** 2) / np.sum((y_test - y_test.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
