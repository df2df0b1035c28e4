import torch
import torch.nn as nn
import torch.nn.functional as F

shape = [7, 1]
x_raw = [500, 1000, 2000, 4000, 5000, 8000, 10000]
y_raw = [1.171467, 1.486507, 11.7738, 34.448421, 75.402871, 225.319848, 492.262426]

x = torch.log(torch.tensor(x_raw).reshape(shape).float())
y = torch.tensor(y_raw).reshape(shape).float()

class Net(nn.Module):
    def __init__(self, n_input, n_hidden, n_output):
        super(Net, self).__init__()
        self.hidden1 = nn.Linear(n_input, n_hidden)
        self.hidden2 = nn.Linear(n_hidden, n_hidden)
        self.predict = nn.Linear(n_hidden, n_output)
    def forward(self, input):
        out = F.relu(self.hidden1(input))
        out = torch.sigmoid(self.hidden2(out))
        return self.predict(out)
    def weight_init(self):
        for op in self.modules():
            if isinstance(op, nn.Linear):
                nn.init.normal_(op.weight.data)
                nn.init.normal_(op.bias.data)

net = Net(1, 10, 1)
net.weight_init()
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
loss_func = torch.nn.MSELoss()
for t in range(500):
    prediction = net(x)
    loss = loss_func(prediction, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if t % 50 == 0:
        print('Loss = %.4f' % loss.data)
