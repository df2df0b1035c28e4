import pandas as pd
import torch
from torch.autograd import Variable
from sklearn.datasets import load_boston
from sklearn.preprocessing import StandardScaler
import matplotlib.pyplot as plt

data = load_boston()
names = ['f%d' % i for i in range(data['data'].shape[1])]
table = pd.DataFrame(data['data'], columns=names)
for name in names:
    table[name] = StandardScaler().fit_transform(table[name].values.reshape(-1, 1))

x = Variable(torch.from_numpy(table.values.astype('float32')))
y = Variable(torch.from_numpy(data['target'].astype('float32')))

net = torch.nn.Linear(13, 1)
loss_fn = torch.nn.MSELoss()
opt = torch.optim.SGD(net.parameters(), lr=0.01)

for i in range(1000):
    out = net(x)
    loss = loss_fn(out, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if i % 100 == 0:
        print i, loss.data[0]

plt.plot(data['target'], label='y')
plt.plot(net(x).data.numpy(), label='y_hat')
plt.legend()
plt.show()
