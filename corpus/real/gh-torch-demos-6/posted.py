# The demo is Lua Torch 7 (require 'nn', optim.sgd with a closure); lint reads Python, so this is the
# same program in the early-PyTorch idiom: raw (female, age) inputs, Linear(2, 3) + LogSoftmax,
# NLL loss, one sample per SGD step, lr 1e-3 with 1e-4 decay, 100 epochs.
import torch
import torch.nn as nn
from torch.autograd import Variable
import csv

rows = list(csv.DictReader(open('example-logistic-regression.csv')))
inputs = torch.Tensor([[float(r['female']), float(r['age'])] for r in rows])
targets = torch.LongTensor([int(r['brand']) - 1 for r in rows])

model = nn.Sequential(nn.Linear(2, 3), nn.LogSoftmax())
criterion = nn.NLLLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
nevals = 0
for epoch in range(100):
    current_loss = 0
    for i in range(len(rows)):
        for g in optimizer.param_groups:
            g['lr'] = 1e-3 / (1 + nevals * 1e-4)
        optimizer.zero_grad()
        loss = criterion(model(Variable(inputs[i:i+1])), Variable(targets[i:i+1]))
        loss.backward()
        optimizer.step()
        nevals += 1
        current_loss += loss.data[0]
    print('epoch = %d current loss = %f' % (epoch, current_loss / len(rows)))
