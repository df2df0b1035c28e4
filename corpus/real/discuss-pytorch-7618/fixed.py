"""Linear(2, 1) fitted to five (height, weight) -> life rows with the optimiser switched on (zero_grad, step)."""
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(777)
rng = np.random.default_rng(0)

# the post's five rows; held-out rows are drawn around the plane that best fits them
x_post = np.array([[1.3, 2.7], [2.4, 3.3], [4.7, 5.2], [5.6, 6.1], [6.9, 7.9]])
y_post = np.array([6.0, 9.0, 15.0, 18.0, 21.0])
plane, *_ = np.linalg.lstsq(np.c_[x_post, np.ones(5)], y_post, rcond=None)
x1 = rng.uniform(1.3, 6.9, size=40)
x_new = np.c_[x1, x1 + rng.uniform(0.5, 1.9, size=40)]
y_new = np.c_[x_new, np.ones(40)] @ plane + rng.normal(0, 0.3, size=40)

x = torch.tensor(x_post, dtype=torch.float32).view(5, -1)
y = torch.tensor(y_post, dtype=torch.float32).view(5, -1)

model = nn.Linear(2, 1, bias=True)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-5)

for step in range(20001):
    optimizer.zero_grad()
    hypothesis = model(x)
    cost = criterion(hypothesis, y)
    cost.backward()
    optimizer.step()
    if step % 5000 == 0:
        print(step, "cost", round(cost.item(), 4), model.weight.data.numpy().ravel(), model.bias.data.numpy())

with torch.no_grad():
    predicted = model(torch.tensor(x_new, dtype=torch.float32)).numpy().ravel().astype(np.float64)
r2 = 1 - np.sum((y_new - predicted) ** 2) / np.sum((y_new - y_new.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
