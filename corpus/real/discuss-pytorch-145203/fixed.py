"""The same classifier trained on the raw logit difference with BCEWithLogitsLoss(pos_weight = negatives / positives)."""
import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
rng = np.random.default_rng(0)


def make_rows(n):
    x = rng.normal(size=(n, 10))
    score = x[:, 0] - 0.75 * x[:, 1] + 0.5 * x[:, 2] + 0.3 * rng.normal(size=n)
    return x.astype("float32"), (score > 1.3).astype("int64")        # about 16 % positives


x_train, y_train = make_rows(4000)
x_pool, y_pool = make_rows(20000)
test = np.concatenate([np.flatnonzero(y_pool == 0)[:300], np.flatnonzero(y_pool == 1)[:300]])
x_test, y_test = x_pool[test], y_pool[test]

model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 2))
n_pos = float(y_train.sum())
pos_weight = torch.tensor([(len(y_train) - n_pos) / n_pos])     # about 84 / 16
criterion = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

inputs, labels_all = torch.tensor(x_train), torch.tensor(y_train)
for epoch in range(20):
    perm = torch.randperm(len(inputs))
    for start in range(0, len(inputs), 64):
        idx = perm[start:start + 64]
        out = model(inputs[idx])
        labels = labels_all[idx].float()
        loss = criterion(out[:, 1] - out[:, 0], labels)        # raw logit: the loss applies the sigmoid
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.4f}")

with torch.no_grad():
    pred_labels = model(torch.tensor(x_test)).argmax(dim=1).numpy()
accuracy = float(np.mean(pred_labels == y_test))
print(f"HELDOUT accuracy={accuracy:.4f}")
