"""so-54354465 fixed as the post and its answer say: DataLoader(shuffle=True), so that each batch mixes
classes and every epoch sees a new order.

Facts from https://stackoverflow.com/questions/54354465 (written anew): a 100-class image classifier built
on a pretrained AlexNet whose last output layers were replaced, trained with
DataLoader(train_data, batch_size=32, shuffle=False); validation accuracy stayed at 2-3 % for about 10
epochs, and the same code with shuffle=True reached about 70 % in the first epoch. The images cannot be
used here: each image becomes a 64-value feature vector (what a frozen feature extractor would hand to the
new head), 100 Gaussian clusters, stored class by class as an image folder lists them.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(0)

n_classes, n_features, per_class = 100, 64, 150
centres = rng.normal(size=(n_classes, n_features))


def class_ordered_set(count):
    labels = np.repeat(np.arange(n_classes), count)          # class 0 first, then class 1, ...
    features = centres[labels] + rng.normal(scale=2.0, size=(len(labels), n_features))
    return torch.from_numpy(features.astype(np.float32)), torch.from_numpy(labels)


x_train, y_train = class_ordered_set(per_class)
x_val, y_val = class_ordered_set(6)

head = nn.Sequential(
    nn.Dropout(0.5),
    nn.Linear(n_features, 256),
    nn.ReLU(),
    nn.Dropout(0.5),
    nn.Linear(256, n_classes),
)
optimizer = torch.optim.SGD(head.parameters(), lr=0.01, momentum=0.9)
criterion = nn.CrossEntropyLoss()
train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True)  # a new random order every epoch

for epoch in range(10):
    head.train()
    for features, labels in train_loader:
        optimizer.zero_grad()
        loss = criterion(head(features), labels)
        loss.backward()
        optimizer.step()
    head.eval()
    with torch.no_grad():
        val_acc = (head(x_val).argmax(1) == y_val).float().mean().item()
    print(f"epoch {epoch} last batch loss {loss.item():.3f} val acc {val_acc:.3f}")

print(f"HELDOUT accuracy={val_acc:.4f}")
