"""discuss-pytorch-72150 fixed as the reply says: the network returns logits (no final Sigmoid) and the loss
is nn.BCEWithLogitsLoss(pos_weight=100), so each rare event step weighs as much as the ~100 empty steps.

Facts from https://discuss.pytorch.org/t/loss-function-for-binary-classification/72150 (written anew): an
LSTM marks events in time-series data; predictions and targets are [batch_size, seq_length]; there are
about 100 zeros for every one, so the poster wants to weight the loss. The series are not given: ours are
unit Gaussian noise with a bump of 2.5 at each event step (and 1.25 at the step after), 1 % event steps.
The printed accuracy is balanced accuracy over the held-out steps (mean of the per-class hit rates),
because plain accuracy scores 0.99 for "never an event".
"""
import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(0)

seq_length, event_rate, bump = 100, 0.01, 2.5


def series(count):
    events = (rng.random((count, seq_length)) < event_rate).astype(np.float32)
    signal = rng.normal(size=(count, seq_length)).astype(np.float32) + bump * events
    signal[:, 1:] += 0.5 * bump * events[:, :-1]
    return torch.from_numpy(signal).unsqueeze(-1), torch.from_numpy(events)


x_train, y_train = series(400)
x_test, y_test = series(200)


class EventDetector(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(input_size=1, hidden_size=16, batch_first=True)
        self.out = nn.Linear(16, 1)

    def forward(self, x):
        hidden, _ = self.lstm(x)
        return self.out(hidden).squeeze(-1)                  # [batch_size, seq_length] logits


model = EventDetector()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.BCEWithLogitsLoss(pos_weight=torch.tensor(100.0))   # about 100 zeros per one

for epoch in range(20):
    order = torch.randperm(len(x_train))
    for start in range(0, len(order), 16):
        batch = order[start:start + 16]
        optimizer.zero_grad()
        loss = criterion(model(x_train[batch]), y_train[batch])
        loss.backward()
        optimizer.step()
    if epoch % 5 == 0:
        print(f"epoch {epoch} loss {loss.item():.4f}")

with torch.no_grad():
    predicted = model(x_test) > 0.0                          # logit 0 is probability 0.5
truth = y_test > 0.5
print(f"predicted events {int(predicted.sum())} of {int(truth.sum())} true events")
accuracy = 0.5 * (predicted[truth].float().mean() + (~predicted[~truth]).float().mean())
print(f"HELDOUT accuracy={accuracy.item():.4f}")
