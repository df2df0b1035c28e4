"""XNOR gate, one pattern at a time, following the reply: no final sigmoid, BCEWithLogitsLoss, a wider layer, Adam."""
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
rng = np.random.default_rng(0)

patterns = [([0.0, 0.0], [1.0]), ([0.0, 1.0], [0.0]), ([1.0, 0.0], [0.0]), ([1.0, 1.0], [1.0])]
corner = rng.integers(0, 4, size=200)
x_test = np.array([patterns[c][0] for c in corner]) + rng.normal(0, 0.1, size=(200, 2))
y_test = np.array([patterns[c][1][0] for c in corner])


class Network(nn.Module):
    def __init__(self):
        super().__init__()
        self.x1 = nn.Linear(2, 16)      # wider, as the reply suggests
        self.s1 = nn.Sigmoid()
        self.x2 = nn.Linear(16, 1)      # the output is a logit: no final sigmoid

    def init(self):
        nn.init.uniform_(self.x1.weight)
        nn.init.uniform_(self.x2.weight)

    def forward(self, feats):
        return self.x2(self.s1(self.x1(feats)))


net = Network()
net.init()
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(net.parameters(), lr=0.01)   # one optimiser, so Adam keeps its state
for i in range(1000):
    errors = []
    for feats, target in patterns:
        optimizer.zero_grad()
        error = criterion(net(torch.tensor(feats)), torch.tensor(target))
        error.backward()
        optimizer.step()
        errors.append(error.item())
    if i % 200 == 0:
        print(f"round {i} mean error {np.mean(errors):.4f}")

with torch.no_grad():
    prob = torch.sigmoid(net(torch.tensor(x_test, dtype=torch.float32))).numpy().ravel()
accuracy = float(np.mean((prob > 0.5) == (y_test > 0.5)))
print(f"HELDOUT accuracy={accuracy:.4f}")
