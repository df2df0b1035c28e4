# The question shows no code (the poster's network is hand-written, tagged Perl); this is the setup it
# describes, as a hand-rolled NumPy perceptron: 5 inputs (4 values in {-1,0,1} + bias 1), 6 sigmoid
# hidden units, 1 sigmoid output, learning rate 0.1, weights updated after every epoch.
import numpy as np

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))

vectors = np.random.randint(-1, 2, size=(200, 4))
inputs = np.hstack([vectors, np.ones((200, 1))])
targets = np.sin(vectors.sum(axis=1)).reshape(-1, 1)

w_hidden = np.random.uniform(-0.5, 0.5, size=(5, 6))
w_out = np.random.uniform(-0.5, 0.5, size=(6, 1))
rate = 0.1
for epoch in range(2000):
    hidden = sigmoid(inputs.dot(w_hidden))
    output = sigmoid(hidden.dot(w_out))
    delta_out = (targets - output) * output * (1 - output)
    delta_hidden = delta_out.dot(w_out.T) * hidden * (1 - hidden)
    w_out += rate * hidden.T.dot(delta_out)
    w_hidden += rate * inputs.T.dot(delta_hidden)
print(output.min())   # never below zero
