import torch
from torch import nn
from torch.autograd import Variable

X = torch.rand(300, 1) * 10
y = 3 * X + 5 + 0.5 * torch.randn(300, 1)
X, y = Variable(X), Variable(y)

model = nn.Linear(1, 1)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

for epoch in range(300):
    optimizer.zero_grad()
    loss = criterion(model(X), y)
    loss.backward(loss)
    optimizer.step()
    if epoch % 50 == 0:
        print(epoch, loss.data[0])

print(model.weight.data, model.bias.data)
