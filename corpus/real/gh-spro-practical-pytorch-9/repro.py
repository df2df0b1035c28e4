"""Character-level RNN that reads a name letter by letter and predicts which of four languages it comes from."""
import random
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
random.seed(0)
rng = np.random.default_rng(0)

letters = "abcdefghijklmnopqrstuvwxyz"
languages = ["A", "B", "C", "D"]
# each language favours its own letters; names are 3-8 letters long
preference = [rng.dirichlet(np.full(26, 0.3)) for _ in languages]


def make_name(lang):
    length = rng.integers(3, 9)
    return "".join(rng.choice(list(letters), size=length, p=preference[lang]))


names = [(make_name(k), k) for k in range(4) for _ in range(300)]
random.shuffle(names)
train_names, test_names = names[:960], names[960:]


def name_tensor(name):
    t = torch.zeros(len(name), 1, 26)
    for i, ch in enumerate(name):
        t[i, 0, letters.index(ch)] = 1
    return t


class RNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
        self.i2o = nn.Linear(input_size + hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, x, hidden):
        combined = torch.cat((x, hidden), 1)
        return self.softmax(self.i2o(combined)), self.i2h(combined)

    def init_hidden(self):
        return torch.zeros(1, self.hidden_size)


n_hidden = 128
rnn = RNN(26, n_hidden, len(languages))
criterion = nn.NLLLoss()
learning_rate = 0.005
optimizer = torch.optim.SGD(rnn.parameters(), lr=learning_rate)


def train(category, line):
    hidden = rnn.init_hidden()
    optimizer.zero_grad()
    for i in range(line.size(0)):
        output, hidden = rnn(line[i], hidden)
    loss = criterion(output, category)
    loss.backward()
    optimizer.step()
    return loss.item()


def predict(line):
    with torch.no_grad():
        hidden = rnn.init_hidden()
        for i in range(line.size(0)):
            output, hidden = rnn(line[i], hidden)
    return int(output.argmax(1))


rnn = RNN(26, n_hidden, len(languages))

current = 0.0
for it in range(1, 6001):
    name, lang = random.choice(train_names)
    current += train(torch.tensor([lang]), name_tensor(name))
    if it % 1000 == 0:
        print(it, current / 1000)
        current = 0.0

accuracy = np.mean([predict(name_tensor(name)) == lang for name, lang in test_names])
print(f"HELDOUT accuracy={accuracy:.4f}")
