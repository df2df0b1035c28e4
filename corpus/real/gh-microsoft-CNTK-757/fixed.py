"""gh-microsoft-CNTK-757 fixed as the maintainer's reply says: the same 2-2-1 tanh network with
initValueScale=10, so the weights start in +-0.5 instead of +-0.05.

Facts from https://github.com/microsoft/CNTK/issues/757 (written anew): the poster trains XOR as a
regression (two inputs, one output, targets 0 1 1 0) and, whatever the size (up to 3 layers of 50 units)
and activation (sigmoid, tanh, ReLU), CNTK's SGD never gets below a squared error of 0.25 per sample.
A maintainer posts a configuration a colleague ran successfully and says the critical thing was to raise
initValueScale: output = W2 * tanh(W1 * x + b1) + b2 with W1 2x2 and W2 1x2 at initValueScale=10, b1 and
b2 single scalars starting at 0, SquareError, 1000 epochs, minibatch 4, learning rate 1 per minibatch.
CNTK's uniform initialiser draws from +-0.05 * initValueScale. The loss here is half the mean squared error
over the minibatch (the rate per minibatch divided over its 4 samples, SquareError's factor 1/2).
Held-out points are ours: the four corners jittered by Gaussian noise (sd 0.15), labelled by their XOR.
"""
import numpy as np
import torch

torch.manual_seed(1)
torch.set_num_threads(1)
rng = np.random.default_rng(0)

x = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float32)
y = torch.tensor([[0], [1], [1], [0]], dtype=torch.float32)
corner = rng.integers(0, 4, size=400)
x_test = torch.tensor(x.numpy()[corner] + rng.normal(0.0, 0.15, size=(400, 2)), dtype=torch.float32)
y_test = y.numpy()[corner].ravel()

init_value_scale = 10.0
W1 = ((torch.rand(2, 2) * 2 - 1) * 0.05 * init_value_scale).requires_grad_()
W2 = ((torch.rand(1, 2) * 2 - 1) * 0.05 * init_value_scale).requires_grad_()
b1 = torch.zeros(1, requires_grad=True)                 # one scalar bias shared by the hidden units
b2 = torch.zeros(1, requires_grad=True)


def net(inputs):
    return torch.tanh(inputs @ W1.T + b1) @ W2.T + b2


optimizer = torch.optim.SGD([W1, W2, b1, b2], lr=1.0)
for epoch in range(1000):                               # one minibatch of 4 per epoch
    loss = 0.5 * ((net(x) - y) ** 2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 250 == 0:
        print(f"epoch {epoch} squared error per sample {2 * loss.item():.4f}")

with torch.no_grad():
    print("train outputs", net(x).numpy().ravel())
    p = net(x_test).numpy().ravel()
accuracy = float(np.mean((p > 0.5) == (y_test > 0.5)))
print(f"HELDOUT accuracy={accuracy:.4f}")
