# expect: NF116
# NumPy: the gradients are computed, but the update subtracts the weights themselves.
import numpy as np

X = np.random.rand(100, 1)
y = 2 * X + 1
w = np.random.randn(1, 1)
b = np.zeros(1)
learning_rate = 0.05
for i in range(1000):
    pred = X @ w + b
    grad_w = X.T @ (pred - y) / len(X)
    grad_b = (pred - y).mean()
    w = w - learning_rate * w
    b = b - learning_rate * grad_b
