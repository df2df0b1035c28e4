import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from torch.autograd import Variable


class DeepSet(nn.Module):
    def __init__(self, in_features, set_features=50):
        super(DeepSet, self).__init__()
        self.feature_extractor = nn.Sequential(
            nn.Linear(in_features, 50), nn.ELU(inplace=True),
            nn.Linear(50, 100), nn.ELU(inplace=True),
            nn.Linear(100, set_features))
        self.regressor = nn.Sequential(
            nn.Linear(set_features, 30), nn.ELU(inplace=True),
            nn.Linear(30, 30), nn.ELU(inplace=True),
            nn.Linear(30, 10), nn.ELU(inplace=True),
            nn.Linear(10, 1))

    def forward(self, input):
        x = self.feature_extractor(input)
        x = x.sum(dim=1)
        return self.regressor(x)


# bags of 2-D points from a rotated Gaussian; y = entropy of the first coordinate, shape (L,)
L, N = 1536, 50
A = np.random.rand(2, 2)
angles = np.random.uniform(0, np.pi, L)
X = np.zeros((L, N, 2), dtype='float32')
y = np.zeros(L, dtype='float32')
for k in range(L):
    R = np.array([[np.cos(angles[k]), -np.sin(angles[k])], [np.sin(angles[k]), np.cos(angles[k])]])
    B = R.dot(A)
    X[k] = np.random.randn(N, 2).dot(B.T)
    s = B.dot(B.T)[0, 0]
    y[k] = 0.5 * np.log(2 * np.pi * np.e * s ** 2)

model = DeepSet(2).cuda()
l2 = nn.MSELoss()
opt = optim.Adam(model.parameters(), lr=0.001)

for epoch in range(500):
    for start in range(0, L - 127, 128):
        opt.zero_grad()
        y_pred = model(Variable(torch.from_numpy(X[start:start + 128])).cuda())
        loss = l2(y_pred, Variable(torch.from_numpy(y[start:start + 128]).cuda()))
        loss.backward()
        opt.step()
    print 'epoch', epoch, 'loss', np.asscalar(loss.data.cpu().numpy())
