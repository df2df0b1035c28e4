"""gh-aksnzhy-xlearn-238 fixed as the pull request does: no sigmoid on the predictions of the regression
factorization machine.

Facts from https://github.com/aksnzhy/xlearn/pull/238 (written anew): xLearn's house-price demo trains a
factorization machine with task 'reg' (squared loss), lr 0.2, lambda 0.002, metric 'mae' on rows whose
target is a log sale price around 12 and whose features are standardised numbers plus one-hot columns,
then calls fm_model.setSigmoid() ("convert output to 0-1") before predicting the test file. The pull request
removes setSigmoid() for the regression task. xLearn's defaults are used for what the demo leaves out: the
AdaGrad optimiser, 4 latent factors, 10 epochs, one row per update. The data here are ours: 1500 rows of 20
standardised numbers and 3 one-hot groups, log price 12 + a linear part + two interactions + noise;
300 rows are held out.
"""
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(0)

n, n_num = 1500, 20
numeric = rng.normal(size=(n, n_num))
groups = [rng.integers(0, k, size=n) for k in (5, 8, 4)]
one_hot = np.concatenate([np.eye(k)[g] for k, g in zip((5, 8, 4), groups)], axis=1)
x_all = np.concatenate([numeric, one_hot], axis=1).astype(np.float32)
coef = rng.normal(0.0, 0.08, size=x_all.shape[1])
log_price = (12.0 + x_all @ coef + 0.05 * numeric[:, 0] * numeric[:, 1] - 0.04 * numeric[:, 2] * one_hot[:, 3]
             + rng.normal(0.0, 0.05, size=n)).astype(np.float32)
x_train, y_train = torch.tensor(x_all[:1200]), torch.tensor(log_price[:1200])
x_test, y_test = torch.tensor(x_all[1200:]), log_price[1200:].astype(np.float64)


class FM(nn.Module):
    def __init__(self, d, k=4):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(1))
        self.w = nn.Parameter(torch.zeros(d))
        self.v = nn.Parameter(torch.randn(d, k) * 0.1)

    def forward(self, x):
        pair = 0.5 * (((x @ self.v) ** 2) - ((x ** 2) @ (self.v ** 2))).sum(dim=1)
        return self.bias + x @ self.w + pair


model = FM(x_all.shape[1])
optimizer = torch.optim.Adagrad(model.parameters(), lr=0.2, weight_decay=0.002)
for epoch in range(10):
    for i in torch.randperm(len(y_train)).tolist():
        optimizer.zero_grad()
        loss = (model(x_train[i:i + 1]) - y_train[i:i + 1]).pow(2).mean()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        mae = (model(x_train) - y_train).abs().mean().item()
    print(f"epoch {epoch} train mae {mae:.4f}")

with torch.no_grad():
    pred = model(x_test).numpy().astype(np.float64)
print("first predictions", pred[:3], "targets", y_test[:3])
r2 = 1 - np.sum((y_test - pred) ** 2) / np.sum((y_test - y_test.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
