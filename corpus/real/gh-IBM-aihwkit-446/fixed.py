"""A single Linear(4, 2) layer fitted to two rows with SGD; the gradients are cleared every epoch."""
import numpy as np
import torch
from torch import nn
from torch.nn.functional import mse_loss

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(0)

# the example's two training rows; held-out rows lie on the line through them (t outside [0, 1] too),
# where any exact fit of the two rows is also exact
x = torch.tensor([[0.1, 0.2, 0.4, 0.3], [0.2, 0.1, 0.1, 0.3]])
y = torch.tensor([[1.0, 0.5], [0.7, 0.3]])
t = torch.from_numpy(rng.uniform(-0.5, 1.5, size=(100, 1)).astype(np.float32))
x_test = t * x[0] + (1 - t) * x[1]
y_test = (t * y[0] + (1 - t) * y[1]).numpy()

model = nn.Linear(4, 2, bias=True)
opt = torch.optim.SGD(model.parameters(), lr=0.1)

for epoch in range(100):
    opt.zero_grad()
    pred = model(x)
    loss = mse_loss(pred, y)
    loss.backward()
    opt.step()
    if epoch % 10 == 0:
        print(f"Loss error: {loss.item():.16f}")

with torch.no_grad():
    predicted = model(x_test).numpy()
r2 = 1 - np.sum((y_test - predicted) ** 2) / np.sum((y_test - y_test.mean(axis=0)) ** 2)
print(f"HELDOUT r2={r2:.4f}")
