"""gh-trentsartain-Neural-Network-7 fixed as the reporter did in the thread: the sigmoid (a function for
binary outputs) is replaced by a linear ramp, and the learning rate is lowered to 1e-4. Same data,
network shape, momentum, epochs and held-out rows.

Original set-up: a 2-3-1 all-sigmoid back-propagation network trained to output the sum of its inputs.

Facts from https://github.com/trentsartain/Neural-Network/issues/7 and the repository's network
(NetworkModels/Network.cs, DataExamples/NetworkExample.txt), written anew and ported from C# to
PyTorch: every neuron (hidden and output) applies the same sigmoid; the example network has 2 inputs,
one hidden layer of 3 neurons and 1 output, learning rate 0.4 and momentum 0.9, and is trained one
example at a time on the error (target - output) times the sigmoid's derivative, i.e. on half the
squared error. The reporter changes the example targets to V1 + V2 and the training stalls with a mean
absolute error of about 0.75. The reporter's data are not in the index: we draw 500 pairs of doubles,
positive and negative, uniform in [-10, 10] (400 train, 100 held out), and train 40 epochs.
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
import torch

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)
x = rng.uniform(-10.0, 10.0, size=(500, 2))
y = x.sum(axis=1, keepdims=True)
train, test = np.arange(400), np.arange(400, 500)

activation = torch.nn.Identity         # a linear ramp in place of the sigmoid, for every neuron
model = torch.nn.Sequential(torch.nn.Linear(2, 3), activation(), torch.nn.Linear(3, 1), activation())
optimizer = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9)
xt = torch.tensor(x[train], dtype=torch.float32)
yt = torch.tensor(y[train], dtype=torch.float32)
for epoch in range(40):
    for i in range(len(xt)):
        optimizer.zero_grad()
        loss = 0.5 * ((model(xt[i:i + 1]) - yt[i:i + 1]) ** 2).sum()
        loss.backward()
        optimizer.step()

with torch.no_grad():
    pred = model(torch.tensor(x[test], dtype=torch.float32)).numpy().astype(np.float64)[:, 0]
truth = y[test, 0]
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
