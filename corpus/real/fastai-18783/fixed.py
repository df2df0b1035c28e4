"""Celsius-to-Fahrenheit line a*x + b fitted by hand with autograd; inputs drawn near zero (randn) and lr 1e-3, as the reply does."""
import numpy as np
import torch

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(0)


def c_to_f(c):
    return 1.8 * c + 32


# training temperatures drawn from randn as in the reply; held out: everyday temperatures, -40..50 C
x = torch.tensor(rng.normal(size=(2000, 1)), dtype=torch.float32)
y = torch.tensor(c_to_f(x.numpy()) + rng.normal(0, 0.3, size=(2000, 1)), dtype=torch.float32)
x_test = rng.uniform(-40, 50, size=200)
y_test = c_to_f(x_test) + rng.normal(0, 0.3, size=200)

a = torch.randn(1, requires_grad=True)
b = torch.randn(1, requires_grad=True)
lr = 1e-3

for epoch in range(5000):
    loss = ((a * x + b - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        a -= lr * a.grad
        b -= lr * b.grad
    a.grad.zero_()
    b.grad.zero_()
    if epoch % 1000 == 0:
        print(f"epoch {epoch} loss {loss.item():.3f} a {a.item():.4f} b {b.item():.4f}")

print("a, b =", a.item(), b.item())
predicted = a.item() * x_test + b.item()
r2 = 1 - np.sum((y_test - predicted) ** 2) / np.sum((y_test - y_test.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
