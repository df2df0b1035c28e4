import numpy as np

# part one: linear regression trained by gradient descent (lab 1)
data = np.random.uniform(0, 1, size=(2000, 6)) * np.array([1000., 500., 200., 800., 300., 1200.])
target = (data / np.array([1000., 500., 200., 800., 300., 1200.])).dot(np.array([2., -1.5, 1., .5, -2.5, 1.8])) + 1.0

# normalisation (added): min-max scaling of every feature
x_min = data.min(axis=0)
x_max = data.max(axis=0)
data = (data - x_min) / (x_max - x_min)

X = np.hstack([np.ones((data.shape[0], 1)), data])
beta = np.zeros(X.shape[1])
lr = 1e-6
for step in range(2000):
    y_pred = X @ beta
    loss = np.mean((y_pred - target) ** 2)
    grad = 2 * X.T @ (y_pred - target) / X.shape[0]
    beta = beta - lr * grad
    if step % 100 == 0:
        print(step, loss)
