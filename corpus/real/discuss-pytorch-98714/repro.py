"""A 2-4-1 sigmoid network taught the XNOR gate one pattern at a time: sigmoid output, MSELoss, plain SGD lr 0.01."""
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
rng = np.random.default_rng(0)

patterns = [([0.0, 0.0], [1.0]), ([0.0, 1.0], [0.0]), ([1.0, 0.0], [0.0]), ([1.0, 1.0], [1.0])]
# held out: points jittered around the four corners, labelled by their corner's XNOR
corner = rng.integers(0, 4, size=200)
x_test = np.array([patterns[c][0] for c in corner]) + rng.normal(0, 0.1, size=(200, 2))
y_test = np.array([patterns[c][1][0] for c in corner])


class Network(nn.Module):
    def __init__(self):
        super().__init__()
        self.x1 = nn.Linear(2, 4)
        self.s1 = nn.Sigmoid()
        self.x2 = nn.Linear(4, 1)
        self.s2 = nn.Sigmoid()

    def init(self):
        nn.init.uniform_(self.x1.weight)
        nn.init.uniform_(self.x2.weight)

    def forward(self, feats):
        return self.s2(self.x2(self.s1(self.x1(feats))))

    def train_one(self, expected, feats):
        criterion = nn.MSELoss()
        optimizer = torch.optim.SGD(self.parameters(), lr=0.01)   # a fresh optimiser per pattern
        optimizer.zero_grad()
        error = criterion(self.forward(torch.tensor(feats)), torch.tensor(expected))
        error.backward()
        optimizer.step()
        return error.item()


net = Network()
net.init()
for i in range(1000):
    errors = [net.train_one(target, feats) for feats, target in patterns]
    if i % 200 == 0:
        print(f"round {i} mean error {np.mean(errors):.4f}")

with torch.no_grad():
    prob = net(torch.tensor(x_test, dtype=torch.float32)).numpy().ravel()
accuracy = float(np.mean((prob > 0.5) == (y_test > 0.5)))
print(f"HELDOUT accuracy={accuracy:.4f}")
