# expect: none
# The classic NumPy XOR tutorial (error = target - output, so `+=` is descent here).
import numpy as np

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
y = np.array([[0], [1], [1], [0]])
np.random.seed(1)
hidden_weights = np.random.uniform(size=(2, 4))
hidden_bias = np.random.uniform(size=(1, 4))
output_weights = np.random.uniform(size=(4, 1))
output_bias = np.random.uniform(size=(1, 1))
lr = 0.5


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


for _ in range(10000):
    hidden = sigmoid(X @ hidden_weights + hidden_bias)
    out = sigmoid(hidden @ output_weights + output_bias)
    d_out = (y - out) * out * (1 - out)
    d_hidden = d_out.dot(output_weights.T) * hidden * (1 - hidden)
    output_weights += hidden.T.dot(d_out) * lr
    output_bias += np.sum(d_out, axis=0, keepdims=True) * lr
    hidden_weights += X.T.dot(d_hidden) * lr
    hidden_bias += np.sum(d_hidden, axis=0, keepdims=True) * lr
