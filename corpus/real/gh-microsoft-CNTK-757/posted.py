# The thread's network is CNTK BrainScript; this is its port, written as a beginner would.
import numpy as np
import torch

X = torch.FloatTensor([[0, 0], [0, 1], [1, 0], [1, 1]])
Y = torch.FloatTensor([[0], [1], [1], [0]])

# LearnableParameter(..., init='uniform') with the default initValueScale=1: U(-0.05, 0.05)
W1 = torch.empty(2, 2).uniform_(-0.05, 0.05).requires_grad_()
b1 = torch.zeros(1, requires_grad=True)
W2 = torch.empty(1, 2).uniform_(-0.05, 0.05).requires_grad_()
b2 = torch.zeros(1, requires_grad=True)

opt = torch.optim.SGD([W1, b1, W2, b2], lr=1)
for epoch in range(1000):
    out = torch.tanh(X.mm(W1.t()) + b1).mm(W2.t()) + b2
    err = 0.5 * ((out - Y) ** 2).mean()      # SquareError, rate per minibatch of 4
    opt.zero_grad()
    err.backward()
    opt.step()
    print('Epoch', epoch, 'error =', err.item() * 2, '* 4')
