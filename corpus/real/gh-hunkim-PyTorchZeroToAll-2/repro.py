"""Diabetes-style logistic net 8-6-4-1 (sigmoid everywhere), BCELoss, plain SGD lr 0.1, 100 full-batch epochs."""
import numpy as np
import torch

torch.manual_seed(0)
rng = np.random.default_rng(0)

# stand-in for the tutorial's diabetes table: 8 features already scaled to [-1, 1], about three quarters positive
n = 960
x_all = rng.uniform(-1, 1, size=(n, 8)).astype(np.float32)
weights = np.array([2.5, -2.0, 1.5, 0.0, 1.0, -1.5, 0.5, 2.0])
logit = x_all @ weights + 2.0
y_all = (rng.uniform(size=n) < 1 / (1 + np.exp(-3 * logit))).astype(np.float32).reshape(-1, 1)
order = rng.permutation(n)
train, test = order[:759], order[759:]
x_data, y_data = torch.from_numpy(x_all[train]), torch.from_numpy(y_all[train])
x_test, y_test = torch.from_numpy(x_all[test]), y_all[test].ravel()


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = torch.nn.Linear(8, 6)
        self.l2 = torch.nn.Linear(6, 4)
        self.l3 = torch.nn.Linear(4, 1)
        self.sigmoid = torch.nn.Sigmoid()

    def forward(self, x):
        out1 = self.sigmoid(self.l1(x))
        out2 = self.sigmoid(self.l2(out1))
        return self.sigmoid(self.l3(out2))


model = Model()
criterion = torch.nn.BCELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

for epoch in range(100):
    y_pred = model(x_data)
    loss = criterion(y_pred, y_data)
    if epoch % 20 == 0:
        print(epoch, round(loss.item(), 4))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

with torch.no_grad():
    prob = model(x_test).numpy().ravel()
accuracy = float(np.mean((prob > 0.5) == (y_test > 0.5)))
print(f"positives in held-out rows: {y_test.mean():.3f}")
print(f"HELDOUT accuracy={accuracy:.4f}")
