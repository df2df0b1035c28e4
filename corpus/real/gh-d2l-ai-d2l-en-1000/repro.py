"""Linear regression from scratch with a hand-written minibatch SGD that divides by the batch size,
fed the MEAN of the minibatch losses, so the step is divided by the batch size twice.

Facts from https://github.com/d2l-ai/d2l-en/pull/1000 (written anew): the book's "linear regression
from scratch" (PyTorch version) draws 1000 examples with two standard-normal features,
y = 2 x1 - 3.4 x2 + 4.2 + noise of sd 0.01, trains w (normal, sd 0.01) and b (zero) on half the
squared error with minibatches of 10, learning rate 0.03, 3 epochs, and an sgd() that subtracts
lr * grad / batch_size. The backward pass was taken on l.mean(); the pull request changes it to l.sum()
"because the custom SGD function already divides by batch_size".
"""
import numpy as np
import torch

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(0)

true_w = np.array([2.0, -3.4])
true_b = 4.2


def synthetic(n):
    x = rng.normal(size=(n, 2))
    y = x @ true_w + true_b + rng.normal(0, 0.01, size=n)
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32).reshape(-1, 1)


features, labels = synthetic(1000)
x_test, y_test = synthetic(500)

w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr, num_epochs, batch_size = 0.03, 3, 10


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


for epoch in range(num_epochs):
    order = torch.randperm(len(features))
    for start in range(0, len(features), batch_size):
        idx = order[start:start + batch_size]
        loss = (features[idx] @ w + b - labels[idx]) ** 2 / 2
        loss.mean().backward()                # sgd() divides by batch_size again
        sgd([w, b], lr, batch_size)
    with torch.no_grad():
        print(f"epoch {epoch + 1}, loss {((features @ w + b - labels) ** 2 / 2).mean().item():.6f}")

print("w =", w.detach().ravel().tolist(), "b =", b.item())
with torch.no_grad():
    pred = (x_test @ w + b).numpy().ravel()
truth = y_test.numpy().ravel()
r2 = 1 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
