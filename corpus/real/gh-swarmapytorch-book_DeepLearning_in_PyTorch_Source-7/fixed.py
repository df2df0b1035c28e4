"""Hand-rolled 1-10-1 sigmoid network fitted to 50 hourly bike counts; the time index is scaled to 1.00..1.98."""
import numpy as np
import torch

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(0)

# two days of hourly rental counts (made up here: night trough, morning and evening peaks, noise)
hours = np.arange(50)
daily = 45 + 30 * np.sin(2 * np.pi * (hours - 9) / 24) + 20 * np.sin(4 * np.pi * (hours - 3) / 24)
counts = np.clip(np.round(daily + rng.normal(0, 6, size=50)), 1, None)

x_all = 1.0 + hours / len(hours)        # 1.00, 1.02, ..., 1.98
held = hours % 5 == 2                   # every fifth hour is held out
x = torch.tensor(x_all[~held], dtype=torch.float32).view(-1, 1)
y = torch.tensor(counts[~held], dtype=torch.float32).view(-1, 1)
x_test = torch.tensor(x_all[held], dtype=torch.float32).view(-1, 1)
y_test = counts[held]

sz = 10
weights = torch.randn((1, sz), requires_grad=True)
biases = torch.randn(sz, requires_grad=True)
weights2 = torch.randn((sz, 1), requires_grad=True)
learning_rate = 0.001

for i in range(100000):
    hidden = torch.sigmoid(x * weights + biases)
    prediction = hidden.mm(weights2)
    loss = torch.mean((prediction - y) ** 2)
    if i % 20000 == 0:
        print("loss:", loss.item())
    loss.backward()
    with torch.no_grad():
        weights -= learning_rate * weights.grad
        biases -= learning_rate * biases.grad
        weights2 -= learning_rate * weights2.grad
    weights.grad.zero_()
    biases.grad.zero_()
    weights2.grad.zero_()

with torch.no_grad():
    predicted = torch.sigmoid(x_test * weights + biases).mm(weights2).numpy().ravel()
r2 = 1 - np.sum((y_test - predicted) ** 2) / np.sum((y_test - y_test.mean()) ** 2)
print(f"HELDOUT r2={r2:.4f}")
