import torch
import torch.nn as nn
import torch.optim as optim
import torch.utils.data as data
import torchvision
from torchvision import transforms

transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
train_set = torchvision.datasets.FashionMNIST(root="data", train=True, transform=transform, download=True)
train_set, val_set = torch.utils.data.random_split(train_set, [50000, 10000])
train_loader = data.DataLoader(train_set, batch_size=256, shuffle=True, drop_last=False)
val_loader = data.DataLoader(val_set, batch_size=256, shuffle=False)


class BaseNetwork(nn.Module):
    def __init__(self, act_fn, input_size=784, num_classes=10, hidden_sizes=[512, 256, 256, 128]):
        super().__init__()
        layers = []
        sizes = [input_size] + hidden_sizes
        for i in range(1, len(sizes)):
            layers += [nn.Linear(sizes[i - 1], sizes[i]), act_fn]
        layers += [nn.Linear(sizes[-1], num_classes)]
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x.view(x.size(0), -1))


def train_model(net, max_epochs=50, patience=7):
    optimizer = optim.SGD(net.parameters(), lr=1e-2, momentum=0.9)
    loss_module = nn.CrossEntropyLoss()
    best_acc, best_epoch = -1.0, -1
    for epoch in range(max_epochs):
        net.train()
        for imgs, labels in train_loader:
            optimizer.zero_grad()
            loss = loss_module(net(imgs), labels)
            loss.backward()
            optimizer.step()
        net.eval()
        correct = total = 0
        with torch.no_grad():
            for imgs, labels in val_loader:
                correct += (net(imgs).argmax(dim=-1) == labels).sum().item()
                total += labels.shape[0]
        acc = correct / total
        print("Epoch %d: val acc %4.2f%%" % (epoch + 1, acc * 100))
        if acc > best_acc:
            best_acc, best_epoch = acc, epoch
        elif epoch - best_epoch >= patience:
            print("Early stopping")
            break
    return best_acc


net = BaseNetwork(act_fn=nn.Sigmoid())
print(train_model(net))
