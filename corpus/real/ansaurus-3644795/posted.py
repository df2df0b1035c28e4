# The question's code is not in the index; the answer describes a pure-Python back-propagation network
# with tanh units (output included) trained to give the values 1, 2, 3, 4. A sketch in that idiom.
import math
import random

def squash(v):
    return math.tanh(v)

def squash_slope(out):
    return 1.0 - out * out

class Net:
    def __init__(self, n_in, n_hidden):
        self.n_in = n_in + 1                      # + bias
        self.n_hidden = n_hidden
        self.w_ih = [[random.uniform(-0.2, 0.2) for j in range(n_hidden)] for i in range(self.n_in)]
        self.w_ho = [random.uniform(-2.0, 2.0) for j in range(n_hidden)]
        self.c_ih = [[0.0] * n_hidden for i in range(self.n_in)]
        self.c_ho = [0.0] * n_hidden

    def forward(self, inputs):
        self.a_in = list(inputs) + [1.0]
        self.a_h = [squash(sum(self.a_in[i] * self.w_ih[i][j] for i in range(self.n_in)))
                    for j in range(self.n_hidden)]
        self.a_out = squash(sum(self.a_h[j] * self.w_ho[j] for j in range(self.n_hidden)))
        return self.a_out

    def backward(self, target, N, M):
        d_out = squash_slope(self.a_out) * (target - self.a_out)
        d_h = [squash_slope(self.a_h[j]) * d_out * self.w_ho[j] for j in range(self.n_hidden)]
        for j in range(self.n_hidden):
            change = d_out * self.a_h[j]
            self.w_ho[j] += N * change + M * self.c_ho[j]
            self.c_ho[j] = change
        for i in range(self.n_in):
            for j in range(self.n_hidden):
                change = d_h[j] * self.a_in[i]
                self.w_ih[i][j] += N * change + M * self.c_ih[i][j]
                self.c_ih[i][j] = change
        return 0.5 * (target - self.a_out) ** 2

patterns = [[[1], [1]], [[2], [2]], [[3], [3]], [[4], [4]]]
net = Net(1, 3)
for it in range(1000):
    error = 0.0
    for p in patterns:
        net.forward(p[0])
        error += net.backward(p[1][0], 0.5, 0.1)
    if it % 100 == 0:
        print 'error %-14f' % error
