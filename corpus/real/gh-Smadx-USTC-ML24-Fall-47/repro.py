"""Course lab linear regression by full-batch gradient descent: min-max normalised inputs, step size left tiny.

Facts from https://github.com/Smadx/USTC-ML24-Fall/issues/47 (written anew): in part one of the course's
lab 1 (a linear regression trained by gradient descent on the mean squared error) the loss fell, slowly,
on the raw features; after the student added min-max normalisation of the features it no longer fell at
all. The teaching assistant's reply: then the learning rate is too small. The lab's data and the
learning rate are not in the thread; ours: 2000 rows of 6 features on scales of hundreds to thousands,
a linear target plus noise, 500 rows held out; the step size 1e-6 suits the raw features (it moves the
loss there) but hardly moves the weights once the features lie in [0, 1].
"""
import numpy as np
import torch

torch.manual_seed(0)
rng = np.random.default_rng(0)

n, d = 2000, 6
scales = np.array([1000.0, 500.0, 200.0, 800.0, 300.0, 1200.0])
x_raw = rng.uniform(0.0, 1.0, size=(n, d)) * scales
true_w = np.array([2.0, -1.5, 1.0, 0.5, -2.5, 1.8])
y_all = (x_raw / scales) @ true_w + 1.0 + rng.normal(scale=0.1, size=n)

order = rng.permutation(n)
train, test = order[:1500], order[1500:]
lo, hi = x_raw[train].min(axis=0), x_raw[train].max(axis=0)
x_all = (x_raw - lo) / (hi - lo)                      # min-max normalisation with training statistics

x = torch.tensor(x_all[train], dtype=torch.float32)
y = torch.tensor(y_all[train], dtype=torch.float32).reshape(-1, 1)

model = torch.nn.Linear(d, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
loss_fn = torch.nn.MSELoss()
for step in range(2000):
    loss = loss_fn(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 500 == 0:
        print(f"step {step} loss {loss.item():.4f}")

with torch.no_grad():
    predicted = model(torch.tensor(x_all[test], dtype=torch.float32)).numpy().ravel().astype(np.float64)
truth = y_all[test]
r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
