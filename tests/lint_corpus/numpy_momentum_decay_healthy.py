# expect: none
# NumPy with momentum and a separate weight-decay step (neither is `W - lr * W` gradient-free descent).
import numpy as np

rng = np.random.default_rng(1)
X = rng.uniform(-1, 1, (500, 2))
y = (X[:, :1] - X[:, 1:]) ** 2
W1 = rng.normal(0, 0.5, (2, 32))
b1 = np.zeros(32)
W2 = rng.normal(0, 0.2, (32, 1))
b2 = np.zeros(1)
vW1, vW2 = np.zeros_like(W1), np.zeros_like(W2)
lr, mu, wd = 0.05, 0.9, 1e-4
for epoch in range(4000):
    h = np.tanh(X @ W1 + b1)
    err = (h @ W2 + b2 - y) / len(X)
    dW2, db2 = h.T @ err, err.sum(0)
    dh = err @ W2.T * (1 - h ** 2)
    dW1, db1 = X.T @ dh, dh.sum(0)
    vW1 = mu * vW1 - lr * dW1
    vW2 = mu * vW2 - lr * dW2
    W1 += vW1
    W2 += vW2
    W1 -= lr * wd * W1
    b1 -= lr * db1
    b2 -= lr * db2
