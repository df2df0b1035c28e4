import numpy as np
np.random.seed(1000)
x_in = np.random.uniform(size=(50, 1))
y_out = np.sin(x_in)

def sigmoid(v):
    return 1 / (1 + np.exp(-v))

def sigmoid_slope(a):
    return a * (1 - a)

epochs = 20000
n_hidden = 3
lr = 0.1
w1 = np.random.uniform(size=(1, n_hidden))
b1 = np.random.uniform(size=(1, n_hidden))
w2 = np.random.uniform(size=(n_hidden, 1))
b2 = np.random.uniform(size=(1, 1))

for i in range(epochs):
    h = sigmoid(np.dot(x_in, w1) + b1)
    out = sigmoid(np.dot(h, w2) + b2)
    err = out - y_out
    d_out = err * sigmoid_slope(out)
    d_hidden = d_out.dot(w2.T) * sigmoid_slope(h)
    w2 += h.T.dot(d_out) * lr
    w1 += x_in.T.dot(d_hidden) * lr
    b2 += np.sum(d_out, axis=0, keepdims=True) * lr
    b1 += np.sum(d_hidden, axis=0, keepdims=True) * lr

print(np.mean(np.abs(err)))
