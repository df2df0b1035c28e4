# expect: none
# NumPy, healthy: one hidden tanh layer with biases, full-batch gradient descent on the MSE.
import numpy as np

rng = np.random.default_rng(0)
X = np.linspace(-1, 1, 200).reshape(-1, 1)
y = np.sin(2 * X)

W1 = rng.normal(0, 0.5, (1, 16))
b1 = np.zeros(16)
W2 = rng.normal(0, 0.25, (16, 1))
b2 = np.zeros(1)
lr = 0.1

for epoch in range(5000):
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    err = out - y
    dW2 = h.T @ err / len(X)
    db2 = err.mean(axis=0)
    dh = err @ W2.T * (1 - h ** 2)
    dW1 = X.T @ dh / len(X)
    db1 = dh.mean(axis=0)
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
