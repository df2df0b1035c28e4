"""Course-style one-variable linear regression with nn.Linear(1, 1) and SGD."""
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(5)

X_all = torch.randn(125, 1) * 10
y_all = X_all + 3 * torch.randn(125, 1)
perm = torch.randperm(125)
X, y = X_all[perm[:100]], y_all[perm[:100]]
X_test, y_test = X_all[perm[100:]], y_all[perm[100:]]


class LR(nn.Module):
    def __init__(self, input_size, output_size):
        super().__init__()
        self.linear = nn.Linear(input_size, output_size)

    def forward(self, x):
        return self.linear(x)


torch.manual_seed(1)
model = LR(1, 1)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.00001)

epochs = 10
for i in range(epochs):
    y_pred = model.forward(X)
    loss = criterion(y_pred, y)
    print("epoch:", i, "loss:", loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

with torch.no_grad():
    predicted = model(X_test).numpy().ravel()
truth = y_test.numpy().ravel()
r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
