"""gh-deepset-ai-FARM-395 fixed as the maintainer proposes: no integer attempt, the label tensor keeps the
float dtype of the data (same data, model, optimiser and held-out rows)."""
import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(0)


def make_rows(n):
    x = rng.uniform(-1, 1, size=(n, 3))
    score = 2.5 + 1.5 * np.sin(2 * x[:, 0]) + 0.8 * x[:, 1] * x[:, 2]
    return x.astype(np.float32), np.clip(score, 0, 4.999).astype(np.float32)


def label_tensor(labels):
    return torch.tensor(labels, dtype=torch.float32)


x_train, y_train = make_rows(2000)
x_test, y_test = make_rows(500)
x = torch.from_numpy(x_train)
y = label_tensor(y_train).float().reshape(-1, 1)    # the regression head works on floats
print("label dtype after the pipeline:", label_tensor(y_train).dtype, "first labels:", y[:4, 0].tolist())

model = nn.Sequential(nn.Linear(3, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
loss_fn = nn.MSELoss()
for epoch in range(300):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
print("final training loss", loss.item())

with torch.no_grad():
    pred = model(torch.from_numpy(x_test)).numpy().reshape(-1)
r2 = 1 - np.sum((y_test - pred) ** 2) / np.sum((y_test - y_test.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
