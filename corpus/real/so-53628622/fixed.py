"""Binary classifier with one output unit, a sigmoid and BCELoss against 0/1 targets, as the answer says."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_moons

torch.manual_seed(0)
torch.set_num_threads(1)

X, labels = make_moons(n_samples=1200, noise=0.1, random_state=0)
X = X.astype("float32")
X_train, X_test = torch.from_numpy(X[:900]), torch.from_numpy(X[900:])
y_train, y_test = labels[:900], labels[900:]
target = torch.from_numpy(y_train.astype("float32")).view(-1, 1)   # 0 / 1, shaped like the output

NETWORK_WIDTH = 16


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden1 = nn.Linear(2, NETWORK_WIDTH)
        self.hidden2 = nn.Linear(NETWORK_WIDTH, NETWORK_WIDTH)
        self.outputs = nn.Linear(NETWORK_WIDTH, 1)

    def forward(self, x):
        x = F.relu(self.hidden1(x))
        x = F.relu(self.hidden2(x))
        x = self.outputs(x)
        return torch.sigmoid(x)


net = Net()
criterion = nn.BCELoss()
optimizer = torch.optim.Adam(net.parameters(), lr=0.01)

for epoch in range(300):
    optimizer.zero_grad()
    net_out = net(X_train)
    loss = criterion(net_out, target)
    loss.backward()
    optimizer.step()

with torch.no_grad():
    predicted = (net(X_test).numpy().ravel() > 0.5).astype(int)
print(f"HELDOUT accuracy={np.mean(predicted == y_test):.4f}")
