"""A single bias-free Linear(2, 1) fitted to y = 5 x1 + 3 x2 (inputs of scale 100); the forward pass drops squeeze()'s result."""
import numpy as np
import torch

torch.manual_seed(0)
rng = np.random.default_rng(0)


class Net(torch.nn.Module):
    def __init__(self, input_dim, output_dim):
        super().__init__()
        self.layer1 = torch.nn.Linear(input_dim, output_dim, bias=False)

    def forward(self, x):
        x = self.layer1(x)
        x.squeeze()            # result discarded: the output stays (batch, 1)
        return x


n = 10_000
data = rng.normal(size=(n, 3))
data[:, :2] *= 100
data[:, 2] = 5 * data[:, 0] + 3 * data[:, 1] + rng.normal(size=n)
data = torch.tensor(data, dtype=torch.float32)
order = torch.tensor(rng.permutation(n))
train, test = order[:8000], order[8000:]
train_x, train_y = data[train, :2], data[train, 2]          # targets of shape (batch,)

net = Net(2, 1)
criterion = torch.nn.MSELoss()
optimizer = torch.optim.RMSprop(net.parameters(), lr=0.01)

epochs, batch_size = 30, 100
for epoch in range(epochs):
    perm = torch.randperm(len(train_x))
    for start in range(0, len(train_x), batch_size):
        idx = perm[start:start + batch_size]
        optimizer.zero_grad()
        loss = criterion(net(train_x[idx]), train_y[idx])   # (100, 1) against (100,): broadcast to (100, 100)
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.1f}")

with torch.no_grad():
    predicted = net(data[test, :2]).reshape(-1).numpy().astype(np.float64)
truth = data[test, 2].numpy().astype(np.float64)
r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
