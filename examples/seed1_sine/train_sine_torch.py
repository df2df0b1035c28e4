"""Seed 1 translated to PyTorch: the same 1-1-50-1 sigmoid network, data, loss, epochs and batches.

The question's bug is kept: an SGD(lr=0.05, momentum=0.9) optimiser is built but the one that steps
is a default SGD (lr=0.01, no momentum), as Keras' optimizer='sgd' string did. Weights start
uniform in [-0.05, 0.05] like Keras 2's init='uniform' (the output layer: Glorot uniform).
Try: nnfit doctor run examples/seed1_sine/train_sine_torch.py --repair
"""
import math
import random

import numpy as np
import torch
from torch import nn

random.seed(775)
torch.manual_seed(7)

r = nn.Sequential(nn.Linear(1, 1), nn.Sigmoid(), nn.Linear(1, 50), nn.Sigmoid(), nn.Linear(50, 1))
for layer in (r[0], r[2]):
    nn.init.uniform_(layer.weight, -0.05, 0.05)
    nn.init.zeros_(layer.bias)
nn.init.xavier_uniform_(r[4].weight)
nn.init.zeros_(r[4].bias)

sgd = torch.optim.SGD(r.parameters(), lr=0.05, momentum=0.9, nesterov=False)   # built ...
optimizer = torch.optim.SGD(r.parameters(), lr=0.01)                            # ... but this one steps
loss_fn = nn.MSELoss()

X = torch.tensor([[random.random()] for _ in range(10000)])
Y = 10 * torch.sin(3 * X)

for epoch in range(1):                       # nb_epoch=1
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 100):          # batch_size=100
        idx = perm[i:i + 100]
        optimizer.zero_grad()
        loss = loss_fn(r(X[idx]), Y[idx])
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch + 1}: loss {loss.item():.4f}")

with torch.no_grad():
    xt = torch.rand(20, 1)
    print("average error:", float(torch.mean(torch.abs(r(xt) - 10 * torch.sin(3 * xt)))))
