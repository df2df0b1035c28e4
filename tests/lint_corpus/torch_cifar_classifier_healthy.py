# expect: NF123
# PyTorch image classifier on a downloaded dataset; classification loss. The reader knows torchvision's
# CIFAR10 (50000 images in [0, 1] after ToTensor): no error or warning, only the capacity note (info).
import torch
import torch.nn as nn
import torchvision
import torchvision.transforms as T

train = torchvision.datasets.CIFAR10(root="data", train=True, download=True, transform=T.ToTensor())
loader = torch.utils.data.DataLoader(train, batch_size=128, shuffle=True)
net = nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 256), nn.ReLU(), nn.Linear(256, 10))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
for epoch in range(20):
    for images, labels in loader:
        optimizer.zero_grad()
        loss = criterion(net(images), labels)
        loss.backward()
        optimizer.step()
