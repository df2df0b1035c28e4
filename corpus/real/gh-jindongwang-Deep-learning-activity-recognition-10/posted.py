import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

import data_preprocess

config_info = {'epoch': 150, 'lr': 0.01, 'batch_size': 64, 'momemtum': 0.9}
DEVICE = torch.device('cuda:0' if torch.cuda.is_available() else 'cpu')


class Network(nn.Module):
    def __init__(self):
        super(Network, self).__init__()
        self.conv1 = nn.Sequential(
            nn.Conv2d(in_channels=9, out_channels=32, kernel_size=(1, 9)),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=(1, 2), stride=2))
        self.conv2 = nn.Sequential(
            nn.Conv2d(in_channels=32, out_channels=64, kernel_size=(1, 9)),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=(1, 2), stride=2))
        self.fc1 = nn.Sequential(nn.Linear(64 * 26, 1000), nn.ReLU())
        self.fc2 = nn.Sequential(nn.Linear(1000, 500), nn.ReLU())
        self.fc3 = nn.Sequential(nn.Linear(500, 6))

    def forward(self, x):
        out = self.conv2(self.conv1(x))
        out = out.reshape(-1, 64 * 26)
        out = self.fc3(self.fc2(self.fc1(out)))
        out = F.softmax(out, dim=1)
        return out


def train(model, optimizer, train_loader):
    criterion = nn.CrossEntropyLoss()
    for e in range(config_info['epoch']):
        model.train()
        for index, (sample, target) in enumerate(train_loader):
            sample, target = sample.to(DEVICE).float(), target.to(DEVICE).long()
            sample = sample.view(-1, 9, 1, 128)
            output = model(sample)
            loss = criterion(output, target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        print('Epoch: [{}/{}], loss: {:.4f}'.format(e + 1, config_info['epoch'], loss.item()))


if __name__ == '__main__':
    torch.manual_seed(10)
    train_loader, test_loader = data_preprocess.load(batch_size=config_info['batch_size'])
    model = Network().to(DEVICE)
    optimizer = optim.SGD(params=model.parameters(), lr=config_info['lr'], momentum=config_info['momemtum'])
    train(model, optimizer, train_loader)
