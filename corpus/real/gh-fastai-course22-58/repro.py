"""A parabola a*x^2 + b*x + c fitted to noisy points by hand-written gradient steps on the MAE,
without clearing the gradient between steps.

Facts from https://github.com/fastai/course22/issues/58 (written anew): the course notebook fits
3x^2 + 2x + 1 sampled at 20 points of [-2, 2] with multiplicative (sd 0.15) and additive (sd 1.5)
noise, starting from a = b = c = 1.1, stepping params -= grad * 0.01 on the mean absolute error. The
gradients are never reset, so each backward() adds to the previous ones; the poster reports that past
about ten steps the loss starts growing again. 400 steps are run here; scored on the noise-free curve.
"""
import numpy as np
import torch

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(0)


def true_curve(x):
    return 3 * x**2 + 2 * x + 1


def noisy(x):
    clean = true_curve(x)
    return clean * (1 + rng.normal(0, 0.15, size=x.shape)) + rng.normal(0, 1.5, size=x.shape)


x = torch.linspace(-2, 2, 20).reshape(-1, 1)
y = torch.tensor(noisy(x.numpy()), dtype=torch.float32)
x_test = rng.uniform(-2, 2, size=(200, 1))
y_test = true_curve(x_test)      # scored against the noise-free parabola

params = torch.tensor([1.1, 1.1, 1.1], requires_grad=True)


def mae_of(p):
    a, b, c = p
    return (a * x**2 + b * x + c - y).abs().mean()


for step in range(400):
    loss = mae_of(params)
    loss.backward()
    with torch.no_grad():
        params -= params.grad * 0.01      # params.grad keeps every earlier gradient too
    if step % 80 == 0:
        print(f"step {step} loss {loss.item():.3f}")

a, b, c = params.detach().numpy()
print("a, b, c =", a, b, c)
pred = a * x_test**2 + b * x_test + c
r2 = 1 - np.sum((y_test - pred) ** 2) / np.sum((y_test - y_test.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
