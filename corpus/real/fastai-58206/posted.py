import torch
from torch import nn

# the 'X' sign as a 3x3 grid
cross = torch.FloatTensor([[1, 0, 1], [0, 1, 0], [1, 0, 1]])
n_samples = 10
share_of_crosses = 0.33

grids = torch.rand(n_samples, 3, 3).reshape(n_samples, 9)
data = torch.cat((grids, torch.ones(n_samples, 1)), 1)          # bias as the 10th input
first_cross = int(n_samples * (1 - share_of_crosses))
data[first_cross:, :] = torch.cat((cross.reshape(1, 9)[0], torch.ones(1)), 0)
targets = torch.zeros(n_samples, 1)
targets[first_cross:] = 1

w = nn.Parameter(torch.rand(10) - 0.5)
lr = 0.05
sig = torch.nn.Sigmoid()

def mse(pred, y): return ((pred - y) ** 2).mean()

def update():
    pred = sig(data @ w)
    loss = mse(pred, targets)
    loss.backward()
    if i % 5000 == 0:
        print(loss)
    with torch.no_grad():
        w.sub_(lr * w.grad)
        w.grad.zero_()

for i in range(50000):
    update()
print(w.reshape(-1)[:9].reshape(3, 3))   # expected something like the +1/-1 cross pattern
