import torch
import torch.nn as nn
from torch.autograd import Variable
import numpy as np
torch.manual_seed(777)

# height, weight -> life
x_data = [[1.3, 2.7], [2.4, 3.3], [4.7, 5.2], [5.6, 6.1], [6.9, 7.9]]
#x_data = [[2.7, 1.3], [3.3, 2.4], [5.2, 4.7], [6.1, 5.6], [7.9, 6.9]]  # columns swapped
y_data = [[6.], [9.], [15.], [18.], [21.]]
x = Variable(torch.Tensor(x_data).view(5, -1))
y = Variable(torch.Tensor(y_data)).view(5, -1)

model = nn.Linear(2, 1, bias=True)
criterion = nn.MSELoss()
#optimizer = torch.optim.SGD(model.parameters(), lr=1e-5)

for step in range(200001):
    #optimizer.zero_grad()
    hypothesis = model(x)
    cost = criterion(hypothesis, y)
    cost.backward()
    #optimizer.step()
    if step % 10 == 0:
        print(step, 'cost:', cost.data.numpy(), model.weight.data.numpy(), model.bias.data.numpy())
