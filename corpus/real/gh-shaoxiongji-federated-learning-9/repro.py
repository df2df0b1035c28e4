"""Digit classifier MLP (64 -> 200 -> 10) trained with SGD and CrossEntropyLoss on the 8x8 digits bundled with scikit-learn."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

torch.manual_seed(0)
rng = np.random.default_rng(0)

digits = load_digits()
x = torch.tensor(digits.data / 16.0, dtype=torch.float32)
y = torch.tensor(digits.target, dtype=torch.long)
order = torch.tensor(rng.permutation(len(x)))
train, test = order[:1437], order[1437:]


class MLP(nn.Module):
    def __init__(self, dim_in, dim_hidden, dim_out):
        super().__init__()
        self.layer_input = nn.Linear(dim_in, dim_hidden)
        self.dropout = nn.Dropout()
        self.layer_hidden = nn.Linear(dim_hidden, dim_out)

    def forward(self, x):
        x = self.layer_input(x)
        x = self.dropout(x)
        x = F.relu(x)
        x = self.layer_hidden(x)
        return F.softmax(x, dim=1)


model = MLP(64, 200, 10)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
loss_func = nn.CrossEntropyLoss()

for epoch in range(10):
    model.train()
    perm = train[torch.randperm(len(train))]
    for i in range(0, len(perm), 10):
        batch = perm[i:i + 10]
        optimizer.zero_grad()
        loss = loss_func(model(x[batch]), y[batch])
        loss.backward()
        optimizer.step()
    print(epoch, loss.item())

model.eval()
with torch.no_grad():
    accuracy = (model(x[test]).argmax(1) == y[test]).float().mean().item()
print(f"HELDOUT accuracy={accuracy:.4f}")
