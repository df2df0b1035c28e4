import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# one-hot encoded peptides (n, length, alphabet) and their measured values
seq = np.random.randint(0, 5, size=(600, 8))
X = np.eye(5, dtype=np.float32)[seq]
y = 1.0 + np.array([0.2, 0.5, 0.9, 1.4, 2.0])[seq].sum(axis=1) / 4


class LSTMRegressor(nn.Module):
    def __init__(self, n_letters, hidden_size):
        super(LSTMRegressor, self).__init__()
        self.lstm = nn.LSTM(n_letters, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        out = self.fc(out[:, -1, :])
        return F.relu(out)


model = LSTMRegressor(5, 16)
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
criterion = nn.MSELoss()
x_train = torch.tensor(X[:450])
y_train = torch.tensor(y[:450], dtype=torch.float32).view(-1, 1)
for epoch in range(500):
    optimizer.zero_grad()
    loss = criterion(model(x_train), y_train)
    loss.backward()
    optimizer.step()

with torch.no_grad():
    print(model(torch.tensor(X[450:])).view(-1)[:10])
