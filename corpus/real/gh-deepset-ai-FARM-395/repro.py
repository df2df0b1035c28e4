"""A small regressor whose float labels are turned into integer tensors on the way into training.

Facts from https://github.com/deepset-ai/FARM/issues/395 (written anew): in FARM's regression
pipeline the dataset builder first tries to make every label tensor with dtype long and only falls
back to float on an error; with torch 1.4 float regression labels went through the long path without
an error, so every label was truncated to an integer ("silent error"). The maintainer reproduced it
and proposed dropping the long attempt so that the dtype follows the data (a later FARM change checks
for the silent conversion). The post's model is a transformer text regressor; here a small dense
network stands in for it, trained on labels in [0, 5) (a similarity-score range) that pass through the
same long conversion.
"""
import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(0)


def make_rows(n):
    x = rng.uniform(-1, 1, size=(n, 3))
    score = 2.5 + 1.5 * np.sin(2 * x[:, 0]) + 0.8 * x[:, 1] * x[:, 2]
    return x.astype(np.float32), np.clip(score, 0, 4.999).astype(np.float32)


def label_tensor(labels):
    try:                                       # the pipeline's first choice is an integer tensor
        return torch.tensor(labels, dtype=torch.long)
    except (TypeError, RuntimeError):
        return torch.tensor(labels, dtype=torch.float32)


x_train, y_train = make_rows(2000)
x_test, y_test = make_rows(500)
x = torch.from_numpy(x_train)
y = label_tensor(y_train).float().reshape(-1, 1)    # the regression head works on floats
print("label dtype after the pipeline:", label_tensor(y_train).dtype, "first labels:", y[:4, 0].tolist())

model = nn.Sequential(nn.Linear(3, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
loss_fn = nn.MSELoss()
for epoch in range(300):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
print("final training loss", loss.item())

with torch.no_grad():
    pred = model(torch.from_numpy(x_test)).numpy().reshape(-1)
r2 = 1 - np.sum((y_test - pred) ** 2) / np.sum((y_test - y_test.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
