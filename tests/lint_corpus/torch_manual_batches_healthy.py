# expect: none
# PyTorch with hand-made mini-batches (no DataLoader): 100 epochs x 79 batches of 64.
import torch
import torch.nn as nn

X = torch.rand(5000, 3) * 2 - 1
y = (X ** 2).sum(dim=1, keepdim=True)
model = nn.Sequential(nn.Linear(3, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 1))
opt = torch.optim.AdamW(model.parameters(), lr=3e-4)
for epoch in range(100):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i:i + 64]
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(X[idx]), y[idx])
        loss.backward()
        opt.step()
