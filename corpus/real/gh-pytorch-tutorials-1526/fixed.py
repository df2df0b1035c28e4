"""Quickstart-style MLP classifier (Flatten, 512-512 ReLU) ending in a plain Linear(512, 10) (raw logits)."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(0)

# ten classes of 8x8 grey "images" in [0, 1]: a smooth prototype per class plus pixel noise
n_classes, side = 10, 8
prototypes = rng.uniform(0, 1, size=(n_classes, side, side))
labels = rng.integers(0, n_classes, size=3000)
images = np.clip(prototypes[labels] + rng.normal(0, 0.45, size=(3000, side, side)), 0, 1).astype(np.float32)
x_train, y_train = torch.from_numpy(images[:2400]), torch.from_numpy(labels[:2400])
x_test, y_test = torch.from_numpy(images[2400:]), labels[2400:]


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(side * side, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, n_classes),
        )

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


model = NeuralNetwork()
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True)

for epoch in range(100):
    model.train()
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    if epoch % 25 == 0:
        print(f"epoch {epoch} loss {loss.item():.4f}")

model.eval()
with torch.no_grad():
    predicted = model(x_test).argmax(1).numpy()
print(f"HELDOUT accuracy={np.mean(predicted == y_test):.4f}")
