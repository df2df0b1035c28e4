"""A one-feature nn.Linear regression of y = 0.7 x + 0.3 with the optimizer built on the trained model's own parameters."""
import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
rng = np.random.default_rng(0)

weight, bias = 0.7, 0.3
X = torch.arange(0, 1, 0.02).unsqueeze(dim=1)
y = weight * X + bias
order = torch.tensor(rng.permutation(len(X)))
train, test = order[:40], order[40:]
X_train, y_train, X_test, y_test = X[train], y[train], X[test], y[test]


class LinearRegressionModel(nn.Module):
    """The first model of the notebook: explicit weight and bias parameters."""

    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(torch.randn(1, dtype=torch.float))
        self.bias = nn.Parameter(torch.randn(1, dtype=torch.float))

    def forward(self, x):
        return self.weights * x + self.bias


class LinearRegressionModelV2(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear_layer = nn.Linear(in_features=1, out_features=1)

    def forward(self, x):
        return self.linear_layer(x)


model_0 = LinearRegressionModel()
torch.manual_seed(42)
model_1 = LinearRegressionModelV2()

loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(params=model_1.parameters(), lr=0.01)   # the model being trained

epochs = 1000
for epoch in range(epochs):
    model_1.train()
    y_pred = model_1(X_train)
    loss = loss_fn(y_pred, y_train)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 100 == 0:
        print(f"Epoch: {epoch} | Loss: {loss.item():.5f}")

model_1.eval()
with torch.inference_mode():
    predicted = model_1(X_test).reshape(-1).numpy().astype(np.float64)
truth = y_test.reshape(-1).numpy().astype(np.float64)
r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
