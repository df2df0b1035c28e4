import torch as torch
import torch.nn as nn

class Network(nn.Module):

    def __init__(self):
        super(Network, self).__init__()
        self.x1 = nn.Linear(2,4)
        self.s1 = nn.Sigmoid()
        self.x2 = nn.Linear(4,1)
        self.s2 = nn.Sigmoid()

    def init(self):
        nn.init.uniform_(self.x1.weight)
        nn.init.uniform_(self.x2.weight)

    def forward(self, feats):
        f1 = torch.tensor(feats).float()
        h = self.s1(self.x1(f1))
        return self.s2(self.x2(h))

    def train(self, val_expected, feats_next):
        target = torch.tensor(val_expected)
        criterion = nn.MSELoss()
        optimizer = torch.optim.SGD(self.parameters(), lr=0.01)
        def closure():
            optimizer.zero_grad()
            out = self.forward(feats_next)
            error = criterion(out, target)
            error.backward()
            return error
        optimizer.step(closure)

net = Network()
net.init()

for i in range(1000):
    net.train([1.],[0.,0.])
    net.train([0.],[0.,1.])
    net.train([0.],[1.,0.])
    net.train([1.],[1.,1.])

for input in ([0.,0.],[0.,1.],[1.,0.],[1.,1.]):
    print(net.forward(input))
