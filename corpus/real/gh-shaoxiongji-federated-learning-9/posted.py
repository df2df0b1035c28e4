import torch
from torch import nn
import torch.nn.functional as F
from torchvision import datasets, transforms

class MLP(nn.Module):
    def __init__(self, dim_in, dim_hidden, dim_out):
        super(MLP, self).__init__()
        self.layer_input = nn.Linear(dim_in, dim_hidden)
        self.relu = nn.ReLU()
        self.dropout = nn.Dropout()
        self.layer_hidden = nn.Linear(dim_hidden, dim_out)

    def forward(self, x):
        x = x.view(-1, x.shape[1]*x.shape[-2]*x.shape[-1])
        x = self.layer_input(x)
        x = self.dropout(x)
        x = self.relu(x)
        x = self.layer_hidden(x)
        return F.softmax(x, dim=1)

trans_mnist = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
dataset_train = datasets.MNIST('../data/mnist/', train=True, download=True, transform=trans_mnist)
ldr_train = torch.utils.data.DataLoader(dataset_train, batch_size=10, shuffle=True)

net_glob = MLP(dim_in=784, dim_hidden=200, dim_out=10)
optimizer = torch.optim.SGD(net_glob.parameters(), lr=0.01, momentum=0.5)
loss_func = nn.CrossEntropyLoss()
for iter in range(10):
    for batch_idx, (images, labels) in enumerate(ldr_train):
        net_glob.zero_grad()
        log_probs = net_glob(images)
        loss = loss_func(log_probs, labels)
        loss.backward()
        optimizer.step()
