"""Seed 4 translated to PyTorch: 2-3-5-3-5-1 ReLU network on a*b for integers a, b in [0, 500),
Adam (lr 1e-3, Keras' default), MSE, 10 epochs, batch size 10, Keras-style Glorot initialisation.
Try: nnfit doctor run examples/seed4_product/train_product_torch.py --repair
"""
import numpy as np
import torch
from torch import nn

np.random.seed(0)
torch.manual_seed(0)

a = np.random.randint(0, 500, size=10000)
b = np.random.randint(0, 500, size=10000)
X = torch.tensor(np.stack([a, b], axis=1), dtype=torch.float32)
y = torch.tensor(a * b, dtype=torch.float32).reshape(-1, 1)

model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 3), nn.ReLU(),
                      nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 1), nn.ReLU())
for m in model:
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)

optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
loss_fn = nn.MSELoss()
for epoch in range(10):
    perm = torch.randperm(len(X))
    total = 0.0
    for i in range(0, len(X), 10):
        idx = perm[i:i + 10]
        optimizer.zero_grad()
        loss = loss_fn(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(idx)
    print(f"epoch {epoch + 1}: loss {total / len(X):.4g}")
