"""A back-propagation network with a tanh output unit trained towards targets between 1 and 4.

Facts from http://ansaurus.com/question/3644795-neural-network-python (a mirror of a Q&A thread;
written anew, ported to PyTorch): a small Python back-propagation network is trained to give output
values 1, 2, 3, 4, but its output unit applies math.tanh, whose values lie in (-1, 1), so the error stays
large. Only the answer is in the index; the network follows the common pure-Python back-propagation
script it describes (tanh hidden and output units, online updates with learning rate 0.5 and momentum
0.1). The data are ours: one input x uniform in [1, 4], target 1 + (x - 1)^2 / 3 (from 1 to 4), 3 hidden
units, 120 rows (80 train, 40 held out), 150 epochs of one-row updates on half the squared error.
"""
import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(0)
x = rng.uniform(1.0, 4.0, size=(120, 1)).astype(np.float32)
y = (1.0 + (x - 1.0) ** 2 / 3.0).astype(np.float32)
xtr, ytr = torch.from_numpy(x[:80]), torch.from_numpy(y[:80])
xte, yte = torch.from_numpy(x[80:]), y[80:, 0]

net = nn.Sequential(nn.Linear(1, 3), nn.Tanh(), nn.Linear(3, 1, bias=False), nn.Tanh())
opt = torch.optim.SGD(net.parameters(), lr=0.5, momentum=0.1)
for epoch in range(150):
    for i in range(len(xtr)):                       # one pattern at a time, as the script does
        opt.zero_grad()
        loss = 0.5 * ((net(xtr[i:i + 1]) - ytr[i:i + 1]) ** 2).sum()
        loss.backward()
        opt.step()

with torch.no_grad():
    pred = net(xte).numpy()[:, 0]
r2 = 1.0 - np.sum((yte - pred) ** 2) / np.sum((yte - yte.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
