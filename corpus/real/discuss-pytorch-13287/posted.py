import torch
import torch.nn as nn
import torch.optim as optim
from torch.autograd import Variable

X = Variable(torch.Tensor([[0, 0], [0, 1], [1, 0], [1, 1]]).cuda())
Y = Variable(torch.Tensor([[0], [1], [1], [0]]).cuda())

input_dim = 2
hidden_dim = 4
output_dim = 1

model = nn.Sequential(nn.Linear(input_dim, hidden_dim),
                      nn.Linear(hidden_dim, output_dim),
                      nn.Sigmoid())
model.cuda()

criterion = nn.BCELoss()
learning_rate = 1e-3
optimizer = optim.SGD(model.parameters(), lr=learning_rate)
num_epochs = 10000

for epoch in range(num_epochs):
    optimizer.zero_grad()
    outputs = model(X)
    loss = criterion(outputs, Y)
    loss.backward()
    optimizer.step()
    if epoch % 1000 == 0:
        print('epoch', epoch, 'loss', loss.data[0])

print(model(X))
