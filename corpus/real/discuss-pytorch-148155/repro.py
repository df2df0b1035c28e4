"""Learn y = x0 + x1 + x2 with a bias-free linear layer, SGD and a plateau scheduler."""
import numpy as np
import torch
from torch.nn import Sequential as Seq, Linear as Lin
from torch.optim.lr_scheduler import ReduceLROnPlateau

torch.manual_seed(0)

X_all = torch.rand((1280, 3))
y_all = X_all[:, 0] + X_all[:, 1] + X_all[:, 2]
X, y = X_all[:1024], y_all[:1024]
X_test, y_test = X_all[1024:], y_all[1024:]

m = Seq(Lin(3, 1, bias=False))
m[0].weight = torch.nn.parameter.Parameter(torch.tensor([[0, 0, 0]], dtype=torch.float))

optim = torch.optim.SGD(m.parameters(), lr=10e-2)
scheduler = ReduceLROnPlateau(optim, "min", factor=0.5, patience=20)
mse = torch.nn.MSELoss()
for epoch in range(500):
    optim.zero_grad()
    out = m(X)
    loss = mse(out, y)
    loss.backward()
    optim.step()
    if epoch % 20 == 0:
        print(loss.item())
    scheduler.step(loss)

with torch.no_grad():
    predicted = m(X_test).numpy().ravel()
truth = y_test.numpy()
r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
