# expect: none
# PyTorch L-BFGS with a closure; the Adam warm-up rate comes from the environment (unknown statically).
import os

import torch
from torch import nn

lr = float(os.environ.get("LR", "0.001"))
X = torch.linspace(0, 1, 400).unsqueeze(1)
y = torch.exp(-3 * X)
model = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 1)).double()
X, y = X.double(), y.double()
warm = torch.optim.Adam(model.parameters(), lr=lr)
for step in range(500):
    warm.zero_grad()
    loss = ((model(X) - y) ** 2).mean()
    loss.backward()
    warm.step()
lbfgs = torch.optim.LBFGS(model.parameters(), max_iter=500, line_search_fn="strong_wolfe")


def closure():
    lbfgs.zero_grad()
    loss = ((model(X) - y) ** 2).mean()
    loss.backward()
    return loss


lbfgs.step(closure)
