import torch
import torch.nn as nn
import torch.optim as optim
from torchvision import datasets, models, transforms

data_transforms = transforms.Compose([
    transforms.Resize(256),
    transforms.CenterCrop(224),
    transforms.ToTensor(),
    transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
])
train_data = datasets.ImageFolder('data/train', transform=data_transforms)
valid_data = datasets.ImageFolder('data/valid', transform=data_transforms)

trainloader = torch.utils.data.DataLoader(train_data, batch_size=32, shuffle=False)
validloader = torch.utils.data.DataLoader(valid_data, batch_size=32)

model = models.alexnet(pretrained=True)
model.classifier[6] = nn.Linear(4096, 100)

criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

for epoch in range(10):
    model.train()
    for inputs, labels in trainloader:
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
    model.eval()
    correct = 0
    total = 0
    with torch.no_grad():
        for inputs, labels in validloader:
            _, predicted = torch.max(model(inputs).data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    print('epoch %d val acc %.2f %%' % (epoch, 100.0 * correct / total))
