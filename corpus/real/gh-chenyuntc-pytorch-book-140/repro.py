"""PyTorch linear regression on 13 standardised housing-style features; targets kept 1-D (n,)."""
import numpy as np
import pandas as pd
import torch
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(0)

# stand-in for the housing table: 506 rows, 13 features on their own scales, price around 22
n, d = 506, 13
raw = rng.normal(size=(n, d)) * rng.uniform(0.5, 100.0, size=d) + rng.uniform(0.0, 300.0, size=d)
coef = rng.normal(size=d)
price = ((raw - raw.mean(0)) / raw.std(0)) @ coef * 3.0 + 22.5 + rng.normal(0.0, 0.5, size=n)
frame = pd.DataFrame(raw, columns=[f"feature_{i}" for i in range(d)])
for col in frame.columns:
    frame[col] = StandardScaler().fit_transform(frame[col].values.reshape(-1, 1)).ravel()

x = torch.tensor(frame.values.astype("float32"))
y = torch.tensor(price.astype("float32"))  # shape (506,)
x_train, y_train, x_test, y_test = x[:400], y[:400], x[400:], y[400:]

model = torch.nn.Linear(d, 1)
criterion = torch.nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

for epoch in range(1000):
    optimizer.zero_grad()
    y_hat = model(x_train)            # shape (400, 1)
    loss = criterion(y_hat, y_train)  # (400, 1) against (400,) broadcasts to (400, 400)
    loss.backward()
    optimizer.step()
    if epoch % 200 == 0:
        print(f"epoch {epoch} loss {loss.item():.4f}")

with torch.no_grad():
    pred = model(x_test).view(-1)
    r2 = 1.0 - float(((y_test - pred) ** 2).sum() / ((y_test - y_test.mean()) ** 2).sum())
print(f"HELDOUT r2={r2:.4f}")
