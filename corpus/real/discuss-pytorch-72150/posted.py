import torch
import torch.nn as nn


class EventLSTM(nn.Module):
    def __init__(self, n_features, n_hidden):
        super(EventLSTM, self).__init__()
        self.lstm = nn.LSTM(n_features, n_hidden, batch_first=True)
        self.fc = nn.Linear(n_hidden, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.sigmoid(self.fc(out)).squeeze(-1)   # [batch_size, seq_length]


class Trainer(object):
    def __init__(self, model, pos_weight_factor=100):
        self.model = model
        self.criterion = nn.BCELoss(reduction='none')
        self.optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        self.pos_weight_factor = pos_weight_factor

    def step(self, inputs, target):
        predictions = self.model(inputs)
        loss_get = self.criterion(predictions.float(), target.float())
        loss_flat = loss_get.flatten()
        target_flat = target.flatten()
        loss_flat[target_flat == 1] *= self.pos_weight_factor   # the hand-coded weighting the post asks about
        loss = loss_flat.mean()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.item()
