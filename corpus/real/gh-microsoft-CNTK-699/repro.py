"""Four-row linear regression (label = 10 * x) with a 2-3-1 sigmoid network (CNTK NDL ported to PyTorch),
trained with a learning rate far too small for the number of epochs: the output barely leaves 0.

Facts from https://github.com/microsoft/CNTK/issues/699 (written anew): the poster trains on four rows,
features (x, 1) with x = 1..4 and label 10 * x, test set equal to the training set; the features go
through a per-dimension mean/variance normalisation, then DNNSigmoidLayer with 3 hidden units and a
linear DNNLayer output, squared error, SGD. The model does not learn the linear relation. A maintainer
replies that it seems to do the right thing but the learning rate is too small: use a higher rate or a
per-sample rate. The poster confirms that changing the learning rate and increasing the number of epochs
produced a model that learned the relation. The poster's exact rate and epoch count are not in the index;
ours are a rate of 1e-4 over 100 epochs (repro) and 0.05 over 2000 epochs (fixed). The constant feature
has zero variance, so after normalisation it is 0. Held-out rows are ours: 50 values of x in [1, 4].
"""
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(0)

features = np.array([[1.0, 1.0], [2.0, 1.0], [3.0, 1.0], [4.0, 1.0]])
labels = 10.0 * features[:, :1]
x_new = rng.uniform(1.0, 4.0, size=50)
held_out = np.c_[x_new, np.ones(50)]
held_out_labels = 10.0 * x_new

mean = features.mean(axis=0)
std = features.std(axis=0)
inv_std = np.where(std > 0, 1.0 / np.where(std > 0, std, 1.0), 0.0)   # zero-variance column -> 0


def normalise(f):
    return torch.tensor((f - mean) * inv_std, dtype=torch.float32)


x = normalise(features)
y = torch.tensor(labels, dtype=torch.float32)

model = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=1e-4)
loss_fn = nn.MSELoss()
epochs = 100

for epoch in range(epochs):
    for i in range(4):                                 # minibatches of one row
        optimizer.zero_grad()
        loss = loss_fn(model(x[i:i + 1]), y[i:i + 1])
        loss.backward()
        optimizer.step()
    if epoch % max(1, epochs // 4) == 0:
        with torch.no_grad():
            print(f"epoch {epoch} sqerr {loss_fn(model(x), y).item():.3f}")

with torch.no_grad():
    print("training predictions", model(x).numpy().ravel())
    pred = model(normalise(held_out)).numpy().ravel().astype(np.float64)
r2 = 1 - np.sum((held_out_labels - pred) ** 2) / np.sum((held_out_labels - held_out_labels.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
