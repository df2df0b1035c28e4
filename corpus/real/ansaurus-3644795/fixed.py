"""ansaurus-3644795 fixed as the answer did: scale the input and output values by 0.1 so the targets lie
inside the tanh output's range, and scale the predictions back by 10. Same data, held-out rows,
network and online schedule.
"""
import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(0)
x = rng.uniform(1.0, 4.0, size=(120, 1)).astype(np.float32)
y = (1.0 + (x - 1.0) ** 2 / 3.0).astype(np.float32)
SCALE = 0.1                                         # fix: inputs and targets times 0.1
xtr, ytr = torch.from_numpy(x[:80] * SCALE), torch.from_numpy(y[:80] * SCALE)
xte, yte = torch.from_numpy(x[80:] * SCALE), y[80:, 0]

net = nn.Sequential(nn.Linear(1, 3), nn.Tanh(), nn.Linear(3, 1, bias=False), nn.Tanh())
opt = torch.optim.SGD(net.parameters(), lr=0.5, momentum=0.1)
for epoch in range(150):
    for i in range(len(xtr)):
        opt.zero_grad()
        loss = 0.5 * ((net(xtr[i:i + 1]) - ytr[i:i + 1]) ** 2).sum()
        loss.backward()
        opt.step()

with torch.no_grad():
    pred = net(xte).numpy()[:, 0] / SCALE
r2 = 1.0 - np.sum((yte - pred) ** 2) / np.sum((yte - yte.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
