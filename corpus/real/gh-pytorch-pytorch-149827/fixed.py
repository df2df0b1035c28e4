"""One Linear(1, 1) fitted to spending = 10 * age - 450; ages and spending standardised with training statistics."""
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(0)
rng = np.random.default_rng(0)

ages_train = np.arange(65, 101, 5, dtype=np.float64)
ages_test = rng.uniform(65, 100, size=40)
def spending_of(age):
    return 10.0 * age - 450.0

x = torch.tensor(ages_train, dtype=torch.float32).reshape(-1, 1)
y = torch.tensor(spending_of(ages_train), dtype=torch.float32).reshape(-1, 1)
x_test = torch.tensor(ages_test, dtype=torch.float32).reshape(-1, 1)
# the fix: both sides on unit scale, so lr 0.001 no longer overshoots
x_mean, x_std = x.mean(), x.std()
y_mean, y_std = y.mean(), y.std()
x, x_test = (x - x_mean) / x_std, (x_test - x_mean) / x_std
y = (y - y_mean) / y_std

model = nn.Sequential(nn.Linear(1, 1))
criterion = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.001)

for epoch in range(1000):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    if (epoch + 1) % 100 == 0:
        print(f"epoch {epoch + 1} loss {loss.item():.4f}")

with torch.no_grad():
    predicted = (model(x_test) * y_std + y_mean).numpy().ravel().astype(np.float64)
truth = spending_of(ages_test)
with np.errstate(over="ignore", invalid="ignore"):
    r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
