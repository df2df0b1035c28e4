import torch
import numpy as np

class Net(torch.nn.Module):

    def __init__(self, input_dim, output_dim):
        super(Net, self).__init__()
        self.layer1 = torch.nn.Linear(input_dim, output_dim, bias=False)
        #self.layer1.weight = torch.nn.Parameter(torch.Tensor([2, 3]))

    def forward(self, x):
        x = self.layer1(x)
        x.squeeze()
        return x

# y = 5 * x1 + 3 * x2 plus noise
sample_size = 10000
input_dim = 2
output_dim = 1
epoch = 30
bs = 100

data = np.random.randn(sample_size, 3)
data[:, :2] = data[:, :2] * 100
data[:, 2] = 5 * data[:, 0] + 3 * data[:, 1] + np.random.randn(sample_size)
data = torch.Tensor(data)
train_x = data[:, :input_dim]
train_y = data[:, input_dim]

net = Net(input_dim, output_dim)
criterion = torch.nn.MSELoss()
optimizer = torch.optim.RMSprop(net.parameters(), lr=0.01)

for e in range(epoch):
    for i in range(0, sample_size, bs):
        x_batch = train_x[i:i + bs]
        y_batch = train_y[i:i + bs]
        optimizer.zero_grad()
        out = net(x_batch)
        loss = criterion(out, y_batch)
        loss.backward()
        optimizer.step()
    print(e, loss.item())
