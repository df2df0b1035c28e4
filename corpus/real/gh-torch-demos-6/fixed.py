"""gh-torch-demos-6 fixed as the pull request does: standardize both inputs (mean 0, standard deviation 1,
from the training rows) before SGD; everything else (model, loss, SGD settings, epochs, data, held-out
rows) is unchanged.

Original set-up: multinomial logistic regression of brand choice on (female, age).

Facts from https://github.com/torch/demos/pull/6 and the demo it changes (torch/demos,
logistic-regression/example-logistic-regression.lua), written anew and ported from Lua Torch 7 to
PyTorch: 3 brands explained by female (0/1) and age (an integer, 24 to 38 in the demo's data, mean
about 31); the model is Linear(2, 3) followed by LogSoftMax with the negative log-likelihood loss,
trained by optim.sgd one sample at a time (learning rate 1e-3, learning-rate decay 1e-4, no momentum,
no weight decay) for 100 epochs. The pull request reports that this SGD example gives terrible
prediction accuracy because the two inputs are on very different scales (age about 31, female about
0.5). The demo's CSV (from a UCLA R tutorial) is not used: we draw 500 people from the multinomial
model whose coefficients the demo quotes from that tutorial; 350 train, 150 held out.
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
import torch

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)
n = 500
female = rng.integers(0, 2, size=n).astype(np.float64)
age = rng.integers(24, 39, size=n).astype(np.float64)
logits = np.column_stack([np.zeros(n), -11.77 + 0.52 * female + 0.37 * age,
                          -22.72 + 0.47 * female + 0.69 * age])
prob = np.exp(logits - logits.max(axis=1, keepdims=True))
prob /= prob.sum(axis=1, keepdims=True)
brand = np.array([rng.choice(3, p=p) for p in prob])
inputs = np.column_stack([female, age])
train, test = np.arange(350), np.arange(350, n)

model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.LogSoftmax(dim=1))
criterion = torch.nn.NLLLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
# optim.sgd's learning-rate decay: lr / (1 + evaluations * 1e-4)
schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 / (1.0 + step * 1e-4))
mean, std = inputs[train].mean(axis=0), inputs[train].std(axis=0)
inputs = (inputs - mean) / std
xt = torch.tensor(inputs[train], dtype=torch.float32)
yt = torch.tensor(brand[train], dtype=torch.long)
for epoch in range(100):
    for i in range(len(train)):
        optimizer.zero_grad()
        loss = criterion(model(xt[i:i + 1]), yt[i:i + 1])
        loss.backward()
        optimizer.step()
        schedule.step()

with torch.no_grad():
    pred = model(torch.tensor(inputs[test], dtype=torch.float32)).argmax(dim=1).numpy()
accuracy = float(np.mean(pred == brand[test]))
print(f"HELDOUT accuracy={accuracy:.4f}")
