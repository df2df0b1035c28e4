"""A 2-10-5-1 ReLU MLP fitted to z = x**2 + y**2; the targets are a flat (n,) tensor while the model outputs (n, 1)."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.model_selection import train_test_split

torch.manual_seed(1)
np.random.seed(0)
torch.set_num_threads(1)

x = np.random.random(1000)
y = np.random.random(1000)
z = x**2 + y**2
input_data = torch.Tensor(np.transpose([x, y]))
output_data = torch.Tensor(z)                      # shape (1000,)

input_training, input_validation, output_training, output_validation = train_test_split(
    input_data, output_data, random_state=42, test_size=0.15, shuffle=True)


class NonLinearRegression(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear_1 = nn.Linear(in_features=2, out_features=10)
        self.act_1 = nn.ReLU()
        self.linear_2 = nn.Linear(in_features=10, out_features=5)
        self.act_2 = nn.ReLU()
        self.linear_3 = nn.Linear(in_features=5, out_features=1)

    def forward(self, inputs):
        h = self.act_1(self.linear_1(inputs))
        h = self.act_2(self.linear_2(h))
        return self.linear_3(h)


model = NonLinearRegression()
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)

for epoch in range(1000):
    optimizer.zero_grad()
    prediction = model(input_training)                 # (850, 1)
    loss = criterion(prediction, output_training)      # (850, 1) against (850,): broadcast to (850, 850)
    loss.backward()
    optimizer.step()
    if epoch % 250 == 0:
        print(epoch, loss.item())

with torch.no_grad():
    pred = model(input_validation).numpy().ravel().astype(np.float64)
target = output_validation.numpy().ravel().astype(np.float64)
r2 = 1 - np.sum((target - pred) ** 2) / np.sum((target - target.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
