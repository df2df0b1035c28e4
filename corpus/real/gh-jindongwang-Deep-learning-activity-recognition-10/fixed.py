"""gh-jindongwang-Deep-learning-activity-recognition-10 fixed as the issue says and the author agreed: the
network returns the raw scores of its last Linear layer, and nn.CrossEntropyLoss applies the softmax.

Facts from https://github.com/jindongwang/Deep-learning-activity-recognition/issues/10 (written anew): the
repository's PyTorch network (Conv2d(9, 32, (1, 9)), ReLU, MaxPool (1, 2) stride 2; Conv2d(32, 64, (1, 9)),
ReLU, MaxPool; Linear(64*26, 1000), ReLU; Linear(1000, 500), ReLU; Linear(500, 6)) ends in F.softmax and is
trained with CrossEntropyLoss, SGD lr 0.01 momentum 0.9, batch 64. The UCI-HAR windows cannot be downloaded
here: six made-up activity classes, each a class-specific sine frequency and amplitude per channel with a
random phase plus Gaussian noise (sd 0.6).
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(0)

n_classes, n_channels, n_steps = 6, 9, 128
frequencies = rng.uniform(1, 6, size=(n_classes, n_channels))
amplitudes = rng.uniform(0.2, 1.0, size=(n_classes, n_channels))
time_axis = np.arange(n_steps) / n_steps


def sensor_windows(count):
    labels = rng.integers(0, n_classes, count)
    phase = rng.uniform(0, 2 * np.pi, size=(count, n_channels, 1))
    waves = amplitudes[labels][:, :, None] * np.sin(2 * np.pi * frequencies[labels][:, :, None] * time_axis + phase)
    windows = waves + rng.normal(scale=0.6, size=(count, n_channels, n_steps))
    return torch.from_numpy(windows.astype(np.float32)), torch.from_numpy(labels)


x_train, y_train = sensor_windows(1500)
x_test, y_test = sensor_windows(500)


class Network(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(n_channels, 32, kernel_size=(1, 9)), nn.ReLU(),
                                   nn.MaxPool2d(kernel_size=(1, 2), stride=2))
        self.conv2 = nn.Sequential(nn.Conv2d(32, 64, kernel_size=(1, 9)), nn.ReLU(),
                                   nn.MaxPool2d(kernel_size=(1, 2), stride=2))
        self.fc1 = nn.Sequential(nn.Linear(64 * 26, 1000), nn.ReLU())
        self.fc2 = nn.Sequential(nn.Linear(1000, 500), nn.ReLU())
        self.fc3 = nn.Linear(500, n_classes)

    def forward(self, x):
        out = self.conv2(self.conv1(x)).reshape(-1, 64 * 26)
        out = self.fc3(self.fc2(self.fc1(out)))
        return out                          # raw scores: CrossEntropyLoss applies log-softmax itself


model = Network()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
criterion = nn.CrossEntropyLoss()
train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True)

for epoch in range(10):
    model.train()
    for windows, labels in train_loader:
        loss = criterion(model(windows.view(-1, n_channels, 1, n_steps)), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.4f}")

model.eval()
with torch.no_grad():
    predicted = model(x_test.view(-1, n_channels, 1, n_steps)).argmax(1)
print(f"HELDOUT accuracy={(predicted == y_test).float().mean().item():.4f}")
