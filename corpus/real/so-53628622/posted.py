import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable
import numpy as np
from sklearn.datasets import make_moons

NETWORK_WIDTH = 16

X, labels = make_moons(n_samples=1200, noise=0.1)
data = Variable(torch.Tensor(X))
target = Variable(torch.Tensor(np.eye(2)[labels]))

class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.hidden1 = nn.Linear(2, NETWORK_WIDTH)
        self.hidden2 = nn.Linear(NETWORK_WIDTH, NETWORK_WIDTH)
        self.outputs = nn.Linear(NETWORK_WIDTH, 2) # 1 or 2 dimensions?

    def forward(self, x):
        # other layers omitted
        x = F.relu(self.hidden1(x))
        x = F.relu(self.hidden2(x))
        x = self.outputs(x)
        return F.log_softmax(x) # <<< softmax over multiple vars, sigmoid over one, or other?

net = Net()
criterion = nn.BCELoss() # <<< Is this the right function?
optimizer = torch.optim.Adam(net.parameters(), lr=0.01)

for epoch in range(300):
    optimizer.zero_grad()
    net_out = net(data)
    loss = criterion(net_out, target) # <<< Should target be an integer label or 1-hot vector?
    loss.backward()
    optimizer.step()
    print(epoch, loss.data[0])
