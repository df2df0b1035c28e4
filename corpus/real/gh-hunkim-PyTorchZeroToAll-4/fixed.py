"""Five-layer MLP digit-style classifier whose last Linear(120, 10) feeds log_softmax directly."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(1)

# ten classes of 8x8 "images" (class prototype plus noise), standardised like the tutorial's Normalize
n_classes, side = 10, 8
prototypes = rng.uniform(0, 1, size=(n_classes, side * side))
labels = rng.integers(0, n_classes, size=3000)
pixels = np.clip(prototypes[labels] + rng.normal(0, 0.45, size=(3000, side * side)), 0, 1)
pixels = ((pixels - pixels[:2400].mean()) / pixels[:2400].std()).astype(np.float32)
train_loader = DataLoader(TensorDataset(torch.from_numpy(pixels[:2400]), torch.from_numpy(labels[:2400])),
                          batch_size=64, shuffle=True)
x_test, y_test = torch.from_numpy(pixels[2400:]), labels[2400:]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(side * side, 520)
        self.l2 = nn.Linear(520, 320)
        self.l3 = nn.Linear(320, 240)
        self.l4 = nn.Linear(240, 120)
        self.l5 = nn.Linear(120, n_classes)

    def forward(self, x):
        x = F.relu(self.l1(x))
        x = F.relu(self.l2(x))
        x = F.relu(self.l3(x))
        x = F.relu(self.l4(x))
        x = self.l5(x)
        return F.log_softmax(x, dim=1)


model = Net()
optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.5)

for epoch in range(1, 61):
    model.train()
    for data, target in train_loader:
        optimizer.zero_grad()
        loss = F.nll_loss(model(data), target)
        loss.backward()
        optimizer.step()
    if epoch % 10 == 0:
        print(f"epoch {epoch} loss {loss.item():.4f}")

model.eval()
with torch.no_grad():
    predicted = model(x_test).argmax(1).numpy()
print(f"HELDOUT accuracy={np.mean(predicted == y_test):.4f}")
