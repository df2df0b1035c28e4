"""XOR with a ReLU between the two nn.Linear layers, sigmoid output and MSELoss, as the reply suggests."""
import numpy as np
import torch
from torch import nn, optim

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(0)

# the four XOR corners to train on; held-out points are jittered copies of the corners
corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
xor = np.array([0, 1, 1, 0], dtype=np.float32)
x_train, y_train = torch.from_numpy(corners), torch.from_numpy(xor).view(-1, 1)
which = rng.integers(0, 4, size=200)
x_test = torch.from_numpy((corners[which] + rng.normal(0, 0.1, size=(200, 2))).astype(np.float32))
y_test = xor[which]

input_dim, hidden_dim, output_dim = 2, 4, 1
model = nn.Sequential(nn.Linear(input_dim, hidden_dim),
                      nn.ReLU(),
                      nn.Linear(hidden_dim, output_dim),
                      nn.Sigmoid())
criterion = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=1e-3)

for epoch in range(10000):
    optimizer.zero_grad()
    loss = criterion(model(x_train), y_train)
    loss.backward()
    optimizer.step()
    if epoch % 2000 == 0:
        print(f"epoch {epoch} loss {loss.item():.4f}")

with torch.no_grad():
    predicted = (model(x_test).numpy().ravel() > 0.5).astype(np.float32)
print(f"HELDOUT accuracy={np.mean(predicted == y_test):.4f}")
