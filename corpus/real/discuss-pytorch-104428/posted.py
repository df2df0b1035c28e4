# The forum post's set-up in its own idiom (Variable, Tensor, a Net class that owns its loss and
# optimiser and trains itself); the cubic column is the variant that fails.
import numpy as np
import torch
from torch import Tensor
from torch.autograd import Variable
from torch.nn import Linear, MSELoss, functional as F


def target_fn(x):
    return 6 * x * x + 2 * x - 4


def make_data(n=1000):
    x = np.random.randint(-1000, 1000, size=n)
    feats = np.column_stack([x, x ** 2, x ** 3])
    return feats, target_fn(x).reshape(-1, 1)


class Net(torch.nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.fc1 = Linear(3, 50)
        self.fc2 = Linear(50, 50)
        self.fc3 = Linear(50, 1)
        self.criterion = MSELoss()
        self.optimizer = torch.optim.Adam(self.parameters(), lr=0.01)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)

    def train_model(self, epochs=1000, n=1000):
        feats, labels = make_data(n)
        for epoch in range(epochs):
            out = self(Variable(Tensor(feats)))
            loss = self.criterion(out, Variable(Tensor(labels)))
            loss.backward()
            self.optimizer.step()
            print("Epoch %d loss %.6f" % (epoch, loss.data[0] / n))


model = Net()
model.train_model()
