# expect: NF107
# PyTorch: ReLU after the output layer; half of sin(x) is negative.
import numpy as np
import torch
import torch.nn as nn

x = np.linspace(-np.pi, np.pi, 1000).reshape(-1, 1)
X = torch.tensor(x, dtype=torch.float32)
Y = torch.sin(X)
model = nn.Sequential(nn.Linear(1, 50), nn.ReLU(), nn.Linear(50, 1), nn.ReLU())
optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
loss_func = nn.MSELoss()
for t in range(2000):
    prediction = model(X)
    loss = loss_func(prediction, Y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
