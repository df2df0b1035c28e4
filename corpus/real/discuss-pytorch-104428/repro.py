"""y = 6x^2 + 2x - 4 learned from the features [x, x^2, x^3] with x an integer in [-1000, 1000).

Facts from https://discuss.pytorch.org/t/finding-polynomial-function-questions/104428 (written anew):
x is drawn as random integers in [-1000, 1000), the target is 6x^2 + 2x - 4 reshaped to a column, and
the network (Linear 50, ReLU, Linear 50, ReLU, Linear 1) is trained full-batch with MSELoss and Adam
(learning rate 0.01) for 1000 epochs. With the inputs [x, x^2] it fits; with [x, x^2, x^3] the test
loss is huge. The training loop calls loss.backward() and optimizer.step() but never zero_grad().
The inputs and targets are fed unscaled. 1000 rows for training, 300 more held out.
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
import torch

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)


def make(n):
    x = rng.integers(-1000, 1000, size=n).astype(np.float64)
    return np.column_stack([x, x ** 2, x ** 3]), (6 * x * x + 2 * x - 4).reshape(-1, 1)


x_train, y_train = make(1000)
x_test, y_test = make(300)

model = torch.nn.Sequential(torch.nn.Linear(3, 50), torch.nn.ReLU(), torch.nn.Linear(50, 50),
                            torch.nn.ReLU(), torch.nn.Linear(50, 1))
criterion = torch.nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
xt = torch.tensor(x_train, dtype=torch.float32)
yt = torch.tensor(y_train, dtype=torch.float32)
for epoch in range(1000):
    loss = criterion(model(xt), yt)
    loss.backward()                      # gradients are never zeroed: they pile up step after step
    optimizer.step()

with torch.no_grad():
    pred = model(torch.tensor(x_test, dtype=torch.float32)).numpy().astype(np.float64)[:, 0]
truth = y_test[:, 0]
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
