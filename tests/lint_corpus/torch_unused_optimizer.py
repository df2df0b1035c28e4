# expect: NF109
# PyTorch: a tuned SGD optimiser is built, but the loop steps a default Adam.
import torch
import torch.nn as nn
import torch.optim as optim

X = torch.linspace(-1, 1, 500).unsqueeze(1)
y = torch.sin(3 * X)
net = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 1))
sgd = optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
opt = optim.Adam(net.parameters())
criterion = nn.MSELoss()
for epoch in range(2000):
    opt.zero_grad()
    loss = criterion(net(X), y)
    loss.backward()
    opt.step()
