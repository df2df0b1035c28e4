"""Three-layer perceptron fitted to a small power-law-like table (x from 500 to 10000), inputs log-transformed."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
rng = np.random.default_rng(0)

# the seven measured points of the post; more points are drawn on the same curve (log-log interpolation)
x_known = np.array([500, 1000, 2000, 4000, 5000, 8000, 10000], dtype=float)
y_known = np.array([1.171467, 1.486507, 11.7738, 34.448421, 75.402871, 225.319848, 492.262426])
x_all = np.exp(rng.uniform(np.log(500), np.log(10000), size=60))
y_all = np.exp(np.interp(np.log(x_all), np.log(x_known), np.log(y_known)))
order = rng.permutation(60)
train, test = order[:48], order[48:]

x = torch.log(torch.tensor(x_all[train], dtype=torch.float32).reshape(-1, 1))
y = torch.tensor(y_all[train], dtype=torch.float32).reshape(-1, 1)
x_test = torch.log(torch.tensor(x_all[test], dtype=torch.float32).reshape(-1, 1))


class Net(nn.Module):
    def __init__(self, n_input, n_hidden, n_output):
        super().__init__()
        self.hidden1 = nn.Linear(n_input, n_hidden)
        self.hidden2 = nn.Linear(n_hidden, n_hidden)
        self.predict = nn.Linear(n_hidden, n_output)

    def forward(self, inputs):
        out = F.relu(self.hidden1(inputs))
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
loss_func = nn.MSELoss()

for t in range(500):
    prediction = net(x)
    loss = loss_func(prediction, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if t % 50 == 0:
        print("Loss = %.4f" % loss.item())

with torch.no_grad():
    predicted = net(x_test).numpy().ravel().astype(np.float64)
truth = y_all[test]
with np.errstate(over="ignore", invalid="ignore"):
    r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
r2 = float(np.nan_to_num(r2, nan=-1e30, neginf=-1e30))   # a diverged fit reads as a very bad score
print(f"HELDOUT r2={r2:.4f}")
