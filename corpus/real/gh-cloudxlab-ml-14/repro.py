"""Mini-batch gradient descent for linear regression (y = 4 + 3x + noise) with a hand-written MSE gradient
that sums over the mini-batch instead of averaging it, so each step is 20 times too large (NumPy notebook
ported to PyTorch tensors; the gradient is still written by hand, as in the notebook).

Facts from https://github.com/cloudxlab/ml/pull/14 (written anew): in the notebook training_linear_models.ipynb
the mini-batch gradient descent cell computes gradients = 2 * xi.T.dot(xi.dot(theta) - yi); the pull request
changes it to 2/minibatch_size * xi.T.dot(xi.dot(theta) - yi), the gradient of the mean squared error.
The cell follows the well-known chapter 4 example: X = 2 * rand(100, 1), y = 4 + 3X + standard normal noise,
a bias column added, theta drawn at random, 50 epochs over shuffled data in mini-batches of 20, learning
schedule eta = t0 / (t + t1) with t0 = 200, t1 = 1000. Held-out rows are ours: 200 new x in [0, 2].
"""
import numpy as np
import torch

torch.manual_seed(42)
rng = np.random.default_rng(42)

m = 100
X = torch.tensor(2 * rng.uniform(size=(m, 1)))
y = 4 + 3 * X + torch.tensor(rng.normal(size=(m, 1)))
X_b = torch.cat([torch.ones(m, 1, dtype=X.dtype), X], dim=1)

x_new = torch.tensor(2 * rng.uniform(size=(200, 1)))
y_new = (4 + 3 * x_new + torch.tensor(rng.normal(size=(200, 1)))).numpy().ravel()
x_new_b = torch.cat([torch.ones(200, 1, dtype=X.dtype), x_new], dim=1)

n_epochs, minibatch_size = 50, 20
t0, t1 = 200, 1000


def learning_schedule(t):
    return t0 / (t + t1)


theta = torch.randn(2, 1, dtype=X.dtype)
t = 0
for epoch in range(n_epochs):
    order = torch.randperm(m)
    X_b_shuffled, y_shuffled = X_b[order], y[order]
    for i in range(0, m, minibatch_size):
        t += 1
        xi = X_b_shuffled[i:i + minibatch_size]
        yi = y_shuffled[i:i + minibatch_size]
        gradients = 2 * xi.T @ (xi @ theta - yi)          # sum over the batch, not the mean
        eta = learning_schedule(t)
        theta = theta - eta * gradients
    if epoch % 10 == 0:
        print(f"epoch {epoch} theta {theta.numpy().ravel()}")

print("theta", theta.numpy().ravel())
pred = (x_new_b @ theta).numpy().ravel()
with np.errstate(invalid="ignore", over="ignore"):
    r2 = 1 - np.sum((y_new - pred) ** 2) / np.sum((y_new - y_new.mean()) ** 2)
r2 = float(np.nan_to_num(r2, nan=-1e30, neginf=-1e30))   # a diverged fit reads as a very bad score
print(f"HELDOUT r2={r2:.4f}")
