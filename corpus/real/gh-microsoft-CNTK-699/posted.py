# The thread's network is CNTK NDL; this is its port. Data file lines: |F 1.0 1 |L 10 ... |F 4.0 1 |L 40
import numpy as np
import torch
import torch.nn as nn

F = np.array([[1.0, 1], [2.0, 1], [3.0, 1], [4.0, 1]])
L = np.array([[10.0], [20.0], [30.0], [40.0]])

featMean = F.mean(0)
featInvStd = 1.0 / np.maximum(F.std(0), 1e-8)
featInput = torch.FloatTensor((F - featMean) * featInvStd)
labels = torch.FloatTensor(L)

hiddenDim = 3
net = nn.Sequential(nn.Linear(2, hiddenDim), nn.Sigmoid(), nn.Linear(hiddenDim, 1))
sgd = torch.optim.SGD(net.parameters(), lr=0.0001)
crit = nn.MSELoss()

for epoch in range(100):
    for i in range(4):
        sgd.zero_grad()
        err = crit(net(featInput[i:i + 1]), labels[i:i + 1])
        err.backward()
        sgd.step()
    print("Epoch", epoch, "sqerr", err.item())

print(net(featInput))
