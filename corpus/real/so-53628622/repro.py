"""Binary classifier with two output units put through log_softmax and trained with BCELoss against one-hot targets."""
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
target = torch.from_numpy(np.eye(2, dtype="float32")[y_train])     # [1, 0] / [0, 1]

NETWORK_WIDTH = 16


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden1 = nn.Linear(2, NETWORK_WIDTH)
        self.hidden2 = nn.Linear(NETWORK_WIDTH, NETWORK_WIDTH)
        self.outputs = nn.Linear(NETWORK_WIDTH, 2)

    def forward(self, x):
        x = F.relu(self.hidden1(x))
        x = F.relu(self.hidden2(x))
        x = self.outputs(x)
        return F.log_softmax(x, dim=1)     # log-probabilities, all <= 0


net = Net()
criterion = nn.BCELoss()                   # expects probabilities in [0, 1]
optimizer = torch.optim.Adam(net.parameters(), lr=0.01)

for epoch in range(300):
    optimizer.zero_grad()
    net_out = net(X_train)
    loss = criterion(net_out, target)
    loss.backward()
    optimizer.step()

with torch.no_grad():
    predicted = net(X_test).argmax(dim=1).numpy()
print(f"HELDOUT accuracy={np.mean(predicted == y_test):.4f}")
