"""Tutorial regression: fit y = x**2 + noise on [-1, 1] with a 1-10-1 ReLU network and plain SGD."""
import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(1)

x = torch.unsqueeze(torch.linspace(-1, 1, 100), dim=1)
y = x.pow(2) + 0.2 * torch.rand(x.size())


class Net(torch.nn.Module):
    def __init__(self, n_feature, n_hidden, n_output):
        super().__init__()
        self.hidden = torch.nn.Linear(n_feature, n_hidden)
        self.predict = torch.nn.Linear(n_hidden, n_output)

    def forward(self, x):
        x = F.relu(self.hidden(x))
        return self.predict(x)


net = Net(n_feature=1, n_hidden=10, n_output=1)
optimizer = torch.optim.SGD(net.parameters(), lr=0.4)
loss_func = torch.nn.MSELoss()

for t in range(200):
    prediction = net(x)
    loss = loss_func(prediction, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if t % 20 == 0:
        print(t, loss.item())

# fresh points from the same curve, drawn after training so the training run is untouched
x_test = torch.rand(25, 1) * 2 - 1
y_test = x_test.pow(2) + 0.2 * torch.rand(x_test.size())
with torch.no_grad():
    predicted = net(x_test).numpy().ravel()
truth = y_test.numpy().ravel()
r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
