"""A sigmoid output unit asked to produce sin(sum of inputs), which is negative for half the rows.

Facts from https://stackoverflow.com/questions/5105718 (written anew, ported to PyTorch): a hand-written
multilayer perceptron, 5 inputs (four values drawn from {-1, 0, 1} plus a bias input fixed at 1), one
hidden layer of 6 sigmoid units and one sigmoid output unit, learning rate 0.1, weights updated once per
epoch (full-batch gradient descent). The target is sin of the sum of the four values. The network never
predicts a negative value. We draw 600 rows (400 train, 200 held out), squared error, 2000 epochs.
"""
import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(0)
vals = rng.integers(-1, 2, size=(600, 4)).astype(np.float32)
X = np.hstack([vals, np.ones((600, 1), dtype=np.float32)])        # bias as a fifth input
y = np.sin(vals.sum(axis=1, keepdims=True)).astype(np.float32)
Xtr, ytr = torch.from_numpy(X[:400]), torch.from_numpy(y[:400])
Xte, yte = torch.from_numpy(X[400:]), y[400:, 0]

net = nn.Sequential(nn.Linear(5, 6, bias=False), nn.Sigmoid(), nn.Linear(6, 1), nn.Sigmoid())
opt = torch.optim.SGD(net.parameters(), lr=0.1)
loss_fn = nn.MSELoss()
for epoch in range(2000):                      # one update per epoch, over all training rows
    opt.zero_grad()
    loss = loss_fn(net(Xtr), ytr)
    loss.backward()
    opt.step()

with torch.no_grad():
    pred = net(Xte).numpy()[:, 0]
r2 = 1.0 - np.sum((yte - pred) ** 2) / np.sum((yte - yte.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
