import torch
from torch import nn, optim
import numpy as np

device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")

N = 1000   # samples
D = 2      # input size
C = 1      # output size

def target_fn(z):
    first = z[:, 0]
    second = z[:, 1]
    return first + second

X = torch.rand(N, D, requires_grad=True).to(device)
y = target_fn(X)

lr = 1e-2
net = nn.Sequential(nn.Linear(D, C))
net.to(device)

criterion = torch.nn.MSELoss()
optimizer = torch.optim.Adam(net.parameters(), lr=lr)

for t in range(5000):
    y_pred = net(X)
    loss = criterion(y_pred, y)
    print("[EPOCH]: %i, [LOSS]: %.6f" % (t, loss.item()))
    optimizer.zero_grad()
    optimizer.step()
