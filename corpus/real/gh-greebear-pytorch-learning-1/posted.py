import torch
from torch.autograd import Variable
import matplotlib.pyplot as plt

torch.manual_seed(0)
x = torch.rand(100, 1) * 20
y = 2 * x + 3 + torch.randn(100, 1)
x, y = Variable(x), Variable(y)

w = Variable(torch.rand(1, 1), requires_grad=True)
b = Variable(torch.zeros(1, 1), requires_grad=True)
lr = 0.001

for ii in range(500):
    y_pred = x.mm(w) + b.expand_as(y)
    loss = 0.5 * (y_pred - y) ** 2
    loss = loss.mean()
    loss.backward()
    w.data.sub_(lr * w.grad.data)
    b.data.sub_(lr * b.grad.data)
    if ii % 50 == 0:
        print(loss.data[0])

plt.scatter(x.data.numpy(), y.data.numpy())
plt.plot(x.data.numpy(), (x.mm(w) + b.expand_as(y)).data.numpy())
plt.show()
