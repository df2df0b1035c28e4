# The library is C#; lint reads Python, so this is a sketch of the reported set-up: the example
# network (2 inputs, 3 hidden, 1 output, every neuron a sigmoid, learning rate 0.4, momentum 0.9,
# online back-propagation) trained until the mean absolute error falls below 0.1, on targets V1 + V2.
import math
import random


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


rate, momentum = 0.4, 0.9
w_h = [[random.uniform(-1, 1) for _ in range(2)] for _ in range(3)]
b_h = [random.uniform(-1, 1) for _ in range(3)]
w_o = [random.uniform(-1, 1) for _ in range(3)]
b_o = random.uniform(-1, 1)
d_h = [[0.0, 0.0] for _ in range(3)]
d_o = [0.0, 0.0, 0.0]

data = []
for _ in range(500):
    v1, v2 = random.uniform(-10, 10), random.uniform(-10, 10)
    data.append(((v1, v2), v1 + v2))          # Targets = V1 + V2

error = 1.0
while error > 0.1:
    errors = []
    for (v1, v2), t in data:
        h = [sigmoid(w[0] * v1 + w[1] * v2 + b) for w, b in zip(w_h, b_h)]
        o = sigmoid(sum(w * a for w, a in zip(w_o, h)) + b_o)
        g_o = (t - o) * o * (1 - o)
        for j in range(3):
            g_h = g_o * w_o[j] * h[j] * (1 - h[j])
            d_o[j] = rate * g_o * h[j] + momentum * d_o[j]
            w_o[j] += d_o[j]
            for k, v in enumerate((v1, v2)):
                d_h[j][k] = rate * g_h * v + momentum * d_h[j][k]
                w_h[j][k] += d_h[j][k]
            b_h[j] += rate * g_h
        b_o += rate * g_o
        errors.append(abs(t - o))
    error = sum(errors) / len(errors)
    print error
