"""Small LSTM regression on one-hot sequences whose final linear layer is followed by a ReLU.

Facts from https://github.com/ProteomicsML/ProteomicsML/pull/203 (written anew): going through a
tutorial that predicts a peptide property with an LSTM network, the contributor got the same output, 0,
for every peptide of the validation set. The cause given: the tutorial applies a ReLU after the final
linear layer; with an unlucky initialisation the pre-ReLU output is negative for (almost) every input, so
no gradient flows back and the network stays a constant. The pull request removes the final ReLU.
The tutorial's data and settings are not in the pull request; ours: 600 sequences of length 8 over a
5-letter alphabet (one-hot), target 1 + (sum of per-letter values) / 4 plus noise (all positive), an
LSTM of 16 units, a linear output, MSE, Adam lr 0.02, 500 full-batch steps, 150 sequences held out.
The initialisation is seeded; with the final ReLU, 3 of the 10 seeds we tried (6, 8, 9) stay at 0
throughout, and seed 6, the first of them, is used.
"""
import numpy as np
import torch

torch.manual_seed(6)
torch.set_num_threads(1)
rng = np.random.default_rng(0)

n, length, letters = 600, 8, 5
seq = rng.integers(0, letters, size=(n, length))
value = np.array([0.2, 0.5, 0.9, 1.4, 2.0])
y_all = 1.0 + value[seq].sum(axis=1) / 4 + 0.05 * rng.normal(size=n)
x_all = np.eye(letters, dtype=np.float32)[seq]
x = torch.from_numpy(x_all[:450])
y = torch.tensor(y_all[:450], dtype=torch.float32).reshape(-1, 1)


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(letters, 16, batch_first=True)
        self.out = torch.nn.Linear(16, 1)

    def forward(self, inputs):
        hidden, _ = self.lstm(inputs)
        return torch.relu(self.out(hidden[:, -1]))


model = Net()
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
for step in range(500):
    loss = torch.nn.functional.mse_loss(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final training loss {loss.item():.4f}")

with torch.no_grad():
    predicted = model(torch.from_numpy(x_all[450:])).numpy().ravel().astype(np.float64)
print("first held-out predictions:", predicted[:5].round(3))
truth = y_all[450:]
r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
