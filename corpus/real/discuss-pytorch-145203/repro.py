"""A two-logit MLP classifier on rows where only 16 % are positive; BCEWithLogitsLoss is fed sigmoid outputs and positives are down-weighted."""
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
# held-out check on equal numbers of both classes, so that "always 0" scores 0.5
x_pool, y_pool = make_rows(20000)
test = np.concatenate([np.flatnonzero(y_pool == 0)[:300], np.flatnonzero(y_pool == 1)[:300]])
x_test, y_test = x_pool[test], y_pool[test]

model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 2))
criterion = nn.BCEWithLogitsLoss(reduction="none")     # meant for raw logits
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
weight = torch.tensor([0.84, 0.16])                     # class frequencies used as class weights
m = nn.Sigmoid()

inputs, labels_all = torch.tensor(x_train), torch.tensor(y_train)
for epoch in range(20):
    perm = torch.randperm(len(inputs))
    for start in range(0, len(inputs), 64):
        idx = perm[start:start + 64]
        out = model(inputs[idx])
        labels = labels_all[idx].float()
        weight_ = weight[labels.view(-1).long()].view_as(labels)
        loss = criterion(m(out[:, 1] - out[:, 0]), labels)   # a sigmoid before a loss that applies its own
        loss = (loss * weight_).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.4f}")

with torch.no_grad():
    pred_labels = model(torch.tensor(x_test)).argmax(dim=1).numpy()
accuracy = float(np.mean(pred_labels == y_test))
print(f"HELDOUT accuracy={accuracy:.4f}")
