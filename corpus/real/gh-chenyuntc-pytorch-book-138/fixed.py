"""Hand-written linear regression with autograd: y = w*x + b fitted on fresh random batches."""
import numpy as np
import torch as t

t.manual_seed(1000)


def get_x_y(size=30):
    x = t.rand(size, 1) * 20
    y = x * 2 + (1 + t.rand(size, 1)) * 3
    return x, y


w = t.rand(1, 1, requires_grad=True)
b = t.rand(1, 1, requires_grad=True)
for step in range(100):
    x, y = get_x_y()
    y_pred = x * w + b
    loss = t.mean((y_pred - y) ** 2)
    loss.backward()
    w.data.sub_(0.001 * w.grad.data)
    b.data.sub_(0.001 * b.grad.data)
    w.grad.data.zero_()
    b.grad.data.zero_()
    if step % 10 == 0:
        print(step, loss.item())

x_test, y_test = get_x_y(200)
with t.no_grad():
    predicted = (x_test * w + b).numpy().ravel().astype(np.float64)
truth = y_test.numpy().ravel().astype(np.float64)
with np.errstate(over="ignore", invalid="ignore"):
    r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
r2 = float(np.nan_to_num(r2, nan=-1e30, neginf=-1e30))   # a diverged fit reads as a very bad score
print(f"HELDOUT r2={r2:.4f}")
