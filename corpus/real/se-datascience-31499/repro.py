"""A 1-3-3-1 sigmoid network fitted by plain gradient descent (step 0.5) to a data cloud far from the origin.

Facts from https://datascience.stackexchange.com/questions/31499 (written anew, ported from
TensorFlow 1 to PyTorch): a fully connected network built from an architecture list [1, 3, 3, 1]
(one input, two hidden layers of 3 sigmoid units, an identity output unit), Xavier-initialised
weights, zero biases, mean squared error, tf.train.GradientDescentOptimizer(0.5), trained full-batch
on m = 100 points (x_i, y_i) of real numbers. It fits the data when the cloud of points lies near 0
and fails to converge when the same cloud is moved away from the origin. The poster's data and step
count are not in the index: we use x = 10 + u, y = 10 + u^2 - u with u uniform in [-1, 1]
(100 training points, 100 more held out) and 3000 steps.
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
import torch

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)
CENTRE = 10.0


def make(n):
    u = rng.uniform(-1.0, 1.0, size=(n, 1))
    return CENTRE + u, CENTRE + u ** 2 - u


x_train, y_train = make(100)
x_test, y_test = make(100)


def layer(n_in, n_out):
    lin = torch.nn.Linear(n_in, n_out)
    torch.nn.init.xavier_uniform_(lin.weight)
    torch.nn.init.zeros_(lin.bias)
    return lin


model = torch.nn.Sequential(layer(1, 3), torch.nn.Sigmoid(), layer(3, 3), torch.nn.Sigmoid(), layer(3, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
criterion = torch.nn.MSELoss()
xt = torch.tensor(x_train, dtype=torch.float32)
yt = torch.tensor(y_train, dtype=torch.float32)
for step in range(3000):
    optimizer.zero_grad()
    loss = criterion(model(xt), yt)
    loss.backward()
    optimizer.step()

with torch.no_grad():
    pred = model(torch.tensor(x_test, dtype=torch.float32)).numpy().astype(np.float64)[:, 0]
truth = y_test[:, 0]
if not np.all(np.isfinite(pred)):
    pred = np.nan_to_num(pred, nan=0.0, posinf=1e30, neginf=-1e30)
r2 = 1.0 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
