import numpy as np
import torch
import torch.nn as nn
from torch.autograd import Variable

X = np.random.randn(600, 3).astype(np.float32)
Y = (X.dot(np.array([1.5, -2.0, 0.7])) + 0.5 * np.sin(2.0 * X[:, 0])).astype(np.float32)

x = Variable(torch.from_numpy(X))
y = Variable(torch.from_numpy(Y))      # shape (600,), not (600, 1)

model = nn.Sequential(nn.Linear(3, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
criterion = nn.MSELoss()
for epoch in range(500):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    if epoch % 100 == 0:
        print(epoch, loss.data[0])
