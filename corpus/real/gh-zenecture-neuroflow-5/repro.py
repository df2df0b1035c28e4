"""XOR with a 2-3-1 sigmoid network and squared error, stopped after the default 100 iterations.

Facts from https://github.com/zenecture/neuroflow/issues/5 (written anew): the poster copies the
README's XOR network (input 2, a dense layer of 3 sigmoid units, one sigmoid output, squared error)
but keeps the default settings, so training runs 100 full-batch iterations with weights drawn at scale
0.1; every XOR input is predicted as about 0.50. The answering contributor ran the same parameters and
explains that with 100 iterations the net simply has not had enough time to learn; many more iterations
(100000 in the answer) solve it, or, to get there in under 100 steps, much larger weights and learning
rate. The learning rate of the defaults is not in the thread; ours is 1.0. Data are ours: 400 points
around the four XOR corners (noise 0.1), a quarter held out; an output above 0.5 counts as class 1.
"""
import numpy as np
import torch

torch.manual_seed(0)
rng = np.random.default_rng(0)

corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
labels = np.array([0, 1, 1, 0], dtype=np.float32)
k = rng.integers(0, 4, size=400)
x_all = (corners[k] + rng.normal(scale=0.1, size=(400, 2))).astype(np.float32)
y_all = labels[k]
x, y = torch.from_numpy(x_all[:300]), torch.from_numpy(y_all[:300]).reshape(-1, 1)

model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Sigmoid(), torch.nn.Linear(3, 1), torch.nn.Sigmoid())
with torch.no_grad():
    for p in model.parameters():
        p.normal_(0.0, 0.1)
optimizer = torch.optim.SGD(model.parameters(), lr=1.0)

iterations = 100
for step in range(iterations):
    loss = 0.5 * ((model(x) - y) ** 2).mean()          # squared error
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"loss after {iterations} iterations: {loss.item():.4f}")
with torch.no_grad():
    print("XOR outputs:", model(torch.from_numpy(corners)).numpy().ravel().round(4))
    predicted = model(torch.from_numpy(x_all[300:])).numpy().ravel()
accuracy = float(np.mean((predicted > 0.5) == (y_all[300:] > 0.5)))
print(f"HELDOUT accuracy={accuracy:.4f}")
