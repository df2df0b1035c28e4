import numpy as np
import pandas as pd
import torch
import matplotlib.pyplot as plt

data_path = 'bike-sharing-dataset/hour.csv'
rides = pd.read_csv(data_path)
counts = rides['cnt'][:50]

# normalise the input range
x = torch.FloatTensor(np.arange(1, len(counts) + 1, dtype=float))
y = torch.FloatTensor(np.array(counts, dtype=float))

sz = 10
weights = torch.randn((1, sz), requires_grad=True)
biases = torch.randn((sz), requires_grad=True)
weights2 = torch.randn((sz, 1), requires_grad=True)

learning_rate = 0.001
losses = []
x = x.view(50, -1)
y = y.view(50, -1)
for i in range(100000):
    hidden = x * weights + biases
    hidden = torch.sigmoid(hidden)
    predictions = hidden.mm(weights2)
    loss = torch.mean((predictions - y) ** 2)
    losses.append(loss.data.numpy())
    if i % 10000 == 0:
        print('loss:', loss)
    loss.backward()
    weights.data.add_(- learning_rate * weights.grad.data)
    biases.data.add_(- learning_rate * biases.grad.data)
    weights2.data.add_(- learning_rate * weights2.grad.data)
    weights.grad.data.zero_()
    biases.grad.data.zero_()
    weights2.grad.data.zero_()

plt.plot(losses)
plt.show()
