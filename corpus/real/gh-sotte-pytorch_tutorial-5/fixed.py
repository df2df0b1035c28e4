"""PyTorch linear regression (nn.Linear, SGD) with a plain loss.backward()."""
import torch
from torch import nn

torch.manual_seed(0)
torch.set_num_threads(1)

n = 300
X = torch.rand(n, 1) * 10.0
y = 3.0 * X + 5.0 + 0.5 * torch.randn(n, 1)
X_train, y_train, X_test, y_test = X[:200], y[:200], X[200:], y[200:]

model = nn.Linear(1, 1)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

for epoch in range(300):
    optimizer.zero_grad()
    loss = criterion(model(X_train), y_train)
    loss.backward()
    optimizer.step()
    if epoch % 50 == 0:
        print(f"epoch {epoch} loss {loss.item():.4g}")

with torch.no_grad():
    pred = model(X_test)
    r2 = 1.0 - float(((y_test - pred) ** 2).sum() / ((y_test - y_test.mean()) ** 2).sum())
print(f"HELDOUT r2={r2:.4f}")
