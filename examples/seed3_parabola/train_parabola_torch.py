"""Seed 3 translated to PyTorch: Linear(1,1) -> x**2 -> Linear(1,1), Adam(0.1), batch 1, 999 epochs.

Weights start as Keras would start them (Glorot uniform kernels, zero biases). 999 x 999 steps take
minutes; `nnfit doctor run` records the first 5000 updates (--max-updates) and diagnoses those.
Try: nnfit doctor run examples/seed3_parabola/train_parabola_torch.py --repair
"""
import numpy as np
import torch
from torch import nn


class Square(nn.Module):
    def forward(self, x):
        return x ** 2


torch.manual_seed(0)
f = lambda x: x**2 + 2*x + 2

np.random.seed(42)
questions = torch.tensor(np.random.rand(999), dtype=torch.float32).reshape(-1, 1)
solutions = f(questions)

model = nn.Sequential(nn.Linear(1, 1), Square(), nn.Linear(1, 1))
for layer in (model[0], model[2]):
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)

optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
loss_fn = nn.MSELoss()

for epoch in range(999):
    for i in torch.randperm(len(questions)).tolist():      # batch_size=1, shuffled like Keras
        optimizer.zero_grad()
        loss = loss_fn(model(questions[i:i + 1]), solutions[i:i + 1])
        loss.backward()
        optimizer.step()

np.random.seed(43)
test_questions = torch.tensor(np.random.rand(100), dtype=torch.float32).reshape(-1, 1)
with torch.no_grad():
    print("max abs error:", float(torch.max(torch.abs(model(test_questions) - f(test_questions)))))
