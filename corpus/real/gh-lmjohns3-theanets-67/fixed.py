"""gh-lmjohns3-theanets-67 fixed as the poster reports: a middle layer of 20 units instead of 2.

Same data, split, optimiser, loss and steps as repro.py.

Facts from https://github.com/lmjohns3/theanets/issues/67 (written anew): the poster trains the
library's XOR example, a regressor with layers (2, 2, 1), and the first run predicts about
[0, 0.5, 0.99, 0.5] for the four XOR inputs (a second run happened to work). The maintainer replies that
this network depends heavily on its initialisation; the poster reports that widening the middle layer
from 2 to 20 units fixed it (so that it holds units of both signs with high probability). The optimiser
and its settings are not in the thread; ours: full-batch SGD with Nesterov momentum 0.9, lr 0.1, 1000
steps. Data are ours: 400 points drawn around the four XOR corners (noise 0.1), targets 0/1, a quarter
held out; a prediction above 0.5 counts as class 1.
"""
import numpy as np
import torch

torch.manual_seed(0)
rng = np.random.default_rng(0)

corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
labels = np.array([0, 1, 1, 0], dtype=np.float32)
k = rng.integers(0, 4, size=400)
x_all = (corners[k] + rng.normal(scale=0.1, size=(400, 2))).astype(np.float32)
y_all = labels[k]
x, y = torch.from_numpy(x_all[:300]), torch.from_numpy(y_all[:300]).reshape(-1, 1)

hidden = 20
model = torch.nn.Sequential(torch.nn.Linear(2, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
for step in range(1000):
    loss = torch.nn.functional.mse_loss(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final training loss {loss.item():.4f}")
with torch.no_grad():
    print("XOR predictions:", model(torch.from_numpy(corners)).numpy().ravel().round(3))
    predicted = model(torch.from_numpy(x_all[300:])).numpy().ravel()
accuracy = float(np.mean((predicted > 0.5) == (y_all[300:] > 0.5)))
print(f"HELDOUT accuracy={accuracy:.4f}")
