import numpy as np
import torch
from torch.autograd import Variable


def c_to_f(c):
    return c * 1.8 + 32

x = np.array([[c] for c in np.random.uniform(-500, 500, 2000)], dtype=np.float32)
y = np.array([c_to_f(c) for c in x], dtype=np.float32)

x = Variable(torch.from_numpy(x))
y = Variable(torch.from_numpy(y))

a = Variable(torch.randn(1), requires_grad=True)
b = Variable(torch.randn(1), requires_grad=True)

lr = 1e-6

def mse(y_hat, y):
    return ((y_hat - y) ** 2).mean()

for t in range(5000):
    y_hat = a * x + b
    loss = mse(y_hat, y)
    if t % 500 == 0:
        print(loss.data[0])
    loss.backward()
    a.data -= lr * a.grad.data
    b.data -= lr * b.grad.data
    a.grad.data.zero_()
    b.grad.data.zero_()

print(a, b)
