# expect: NF119
# NumPy class: correct gradient descent, but no bias anywhere.
import numpy as np


class TinyNet:
    def __init__(self, lr=0.05):
        self.W1 = np.random.randn(1, 8) * 0.5
        self.W2 = np.random.randn(8, 1) * 0.5
        self.lr = lr

    def forward(self, x):
        self.h = np.tanh(x @ self.W1)
        return self.h @ self.W2

    def backward(self, x, y, out):
        err = out - y
        self.dW2 = self.h.T @ err
        self.dW1 = x.T @ ((err @ self.W2.T) * (1 - self.h ** 2))

    def update(self):
        self.W1 -= self.lr * self.dW1
        self.W2 -= self.lr * self.dW2


net = TinyNet()
X = np.linspace(0, 1, 50).reshape(-1, 1)
Y = X ** 2 + 0.5
for epoch in range(2000):
    out = net.forward(X)
    net.backward(X, Y, out)
    net.update()
