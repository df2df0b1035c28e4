"""Deep sigmoid MLP (512-256-256-128) classifying 8x8 digits, trained with SGD + momentum."""
import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(42)
torch.set_num_threads(1)

digits = load_digits()  # bundled with scikit-learn: 1797 images, 10 classes
X = (digits.data.astype("float32") / 16.0 - 0.5) / 0.5  # pixels to [-1, 1]
y = digits.target.astype("int64")
order = np.random.default_rng(0).permutation(len(X))
X, y = torch.tensor(X[order]), torch.tensor(y[order])
train = TensorDataset(X[:1400], y[:1400])
X_test, y_test = X[1400:], y[1400:]


class BaseNetwork(nn.Module):
    def __init__(self, act_fn, input_size=64, num_classes=10, hidden_sizes=(512, 256, 256, 128)):
        super().__init__()
        layers = []
        sizes = [input_size, *hidden_sizes]
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(n_in, n_out), act_fn()]
        layers.append(nn.Linear(sizes[-1], num_classes))
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x)


model = BaseNetwork(nn.Sigmoid)
optimizer = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
criterion = nn.CrossEntropyLoss()
loader = DataLoader(train, batch_size=128, shuffle=True)

for epoch in range(60):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    if epoch % 10 == 0:
        print(f"epoch {epoch} loss {loss.item():.4f}")

model.eval()
with torch.no_grad():
    acc = (model(X_test).argmax(dim=1) == y_test).float().mean().item()
print(f"HELDOUT accuracy={acc:.4f}")
