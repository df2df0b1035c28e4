# PyTorch 1.0
import torch
import torch.nn as nn

n_samples = 100
x = torch.randn((n_samples, 2))
noise = torch.randn(n_samples)
y = 10 + 9 * x[:, 0] - 2 * x[:, 1] + noise
# y = y.reshape(n_samples, 1)

model = nn.Linear(2, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=.1)
criterion = nn.MSELoss()
for epoch in range(30):
    optimizer.zero_grad()
    out = model(x)
    loss = criterion(out, y)
    loss.backward()
    optimizer.step()
    print(loss.item())

print(model.weight.data)
print(model.bias.data)
