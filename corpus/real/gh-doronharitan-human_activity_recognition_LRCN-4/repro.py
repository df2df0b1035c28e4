"""LRCN-style action classifier (per-frame features -> Linear -> 2-layer bidirectional LSTM -> Linear ->
Softmax) trained with nn.CrossEntropyLoss on the softmax output.

Facts from https://github.com/doronharitan/human_activity_recognition_LRCN/issues/4 (written anew): the
model's output layer is Linear(2 * hidden_size, n_class) followed by nn.Softmax(dim=-1), and training uses
nn.CrossEntropyLoss, which applies log-softmax itself; Adam lr 5e-4, batch 32, 5 frames per video, a frozen
pretrained CNN whose new last layer gives a 512-value latent per frame, LSTM hidden 256, 2 layers,
bidirectional, the last time step classified into the 101 UCF101 actions. The videos cannot be used here:
each frame is a 64-value feature vector (what the frozen CNN would hand over), made from a per-class
sequence of five prototype frames plus noise; the latent and hidden sizes are shrunk to 128 and 64.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(0)

n_classes, n_frames, n_features = 101, 5, 64
prototypes = rng.normal(size=(n_classes, n_frames, n_features))


def videos(per_class):
    labels = np.repeat(np.arange(n_classes), per_class)
    frames = prototypes[labels] + rng.normal(scale=1.5, size=(len(labels), n_frames, n_features))
    return torch.from_numpy(frames.astype(np.float32)), torch.from_numpy(labels)


x_train, y_train = videos(20)
x_test, y_test = videos(5)


class ConvLstm(nn.Module):
    def __init__(self, latent_dim=128, hidden_size=64, lstm_layers=2):
        super().__init__()
        self.frame_fc = nn.Linear(n_features, latent_dim)   # the trainable last layer of the frozen CNN
        self.lstm = nn.LSTM(latent_dim, hidden_size, num_layers=lstm_layers, batch_first=True, bidirectional=True)
        self.output_layer = nn.Sequential(nn.Linear(2 * hidden_size, n_classes), nn.Softmax(dim=-1))

    def forward(self, x):
        batch_size, timesteps, _ = x.shape
        latent = self.frame_fc(x.reshape(batch_size * timesteps, -1)).view(batch_size, timesteps, -1)
        lstm_output, _ = self.lstm(latent)                   # fresh hidden state for every batch
        return self.output_layer(lstm_output[:, -1, :])


model = ConvLstm()
optimizer = torch.optim.Adam(model.parameters(), lr=5e-4)
criterion = nn.CrossEntropyLoss()                            # applies log-softmax to what it is given
train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True)

for epoch in range(5):
    model.train()
    for clips, labels in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(clips), labels)
        loss.backward()
        optimizer.step()
    if epoch % 2 == 0:
        print(f"epoch {epoch} loss {loss.item():.4f}")

model.eval()
with torch.no_grad():
    predicted = model(x_test).argmax(1)
print(f"HELDOUT accuracy={(predicted == y_test).float().mean().item():.4f}")
