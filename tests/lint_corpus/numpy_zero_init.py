# expect: NF120
# NumPy: all-zero initial weights, so every hidden unit stays identical.
import numpy as np

X = np.linspace(0, 1, 100).reshape(-1, 1)
y = np.sin(3 * X)
W1 = np.zeros((1, 16))
b1 = np.zeros(16)
W2 = np.zeros((16, 1))
b2 = np.zeros(1)
lr = 0.1
for epoch in range(3000):
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    d = (out - y) / len(X)
    dW2 = h.T @ d
    db2 = d.sum(axis=0)
    dh = d @ W2.T * (1 - h ** 2)
    dW1 = X.T @ dh
    db1 = dh.sum(axis=0)
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
