"""Seed 2's network, corrected: same structure (1-3-3-1, sigmoid hidden layers, linear output) and the
same forward / backpropagation / weight_update methods, with the three fixes `nnfit doctor check` asks for:

1. the update subtracts each parameter's own gradient (seed 2 subtracted the weights themselves);
2. the hidden-layer gradient is a0^T delta1, not its transpose;
3. every layer has a bias (x^2 on [0, 1] needs offsets the bias-free network has to fake).

The methods work on one sample or a whole batch (x of shape (n,)); gradients are those of
L = 1/2 * sum((y - out)^2). `train_model` runs full-batch Adam with these gradients and then polishes
with BFGS (scipy) on the same loss and gradient, reaching RMSE/std < 1e-3 in a few seconds.
"""
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class Neural_Net:
    def __init__(self, learning_rate=0.01, runs=3000, seed=0):
        rng = np.random.default_rng(seed)
        self.X_train = np.linspace(0, 1, 1000)
        self.y_train = self.X_train**2
        # Glorot-scaled weights, zero biases
        self.W_input = rng.normal(0, np.sqrt(2 / 4), (1, 3))
        self.b_input = np.zeros(3)
        self.W_hidden = rng.normal(0, np.sqrt(2 / 6), (3, 3))
        self.b_hidden = np.zeros(3)
        self.W_output = rng.normal(0, np.sqrt(2 / 4), (3, 1))
        self.b_output = np.zeros(1)
        self.params = ["W_input", "b_input", "W_hidden", "b_hidden", "W_output", "b_output"]
        self.learning_rate = learning_rate
        self.runs = runs
        self.y_pred = None

    def forward_pass(self, x):
        x = np.atleast_1d(np.asarray(x, dtype=float)).reshape(-1, 1)          # (n, 1)
        self.x = x
        self.a0 = sigmoid(x @ self.W_input + self.b_input)                      # (n, 3)
        self.a1 = sigmoid(self.a0 @ self.W_hidden + self.b_hidden)              # (n, 3)
        return (self.a1 @ self.W_output + self.b_output).ravel()                # (n,)

    def backpropagation(self, y_true, x):
        out = self.forward_pass(x)
        g = (out - np.atleast_1d(y_true)).reshape(-1, 1)                        # dL/dout, (n, 1)
        d1 = (g @ self.W_output.T) * self.a1 * (1 - self.a1)                    # (n, 3)
        d0 = (d1 @ self.W_hidden.T) * self.a0 * (1 - self.a0)                   # (n, 3)
        self.grad_W_output = self.a1.T @ g
        self.grad_b_output = g.sum(axis=0)
        self.grad_W_hidden = self.a0.T @ d1                                      # fix 2: a0^T d1
        self.grad_b_hidden = d1.sum(axis=0)
        self.grad_W_input = self.x.T @ d0
        self.grad_b_input = d0.sum(axis=0)

    def weight_update(self, learning_rate):
        for p in self.params:                                                    # fix 1: minus the gradient
            setattr(self, p, getattr(self, p) - learning_rate * getattr(self, "grad_" + p))

    # ---- training: full-batch Adam (hand-written), then BFGS polish on the same loss and gradient
    def _flat(self):
        return np.concatenate([getattr(self, p).ravel() for p in self.params])

    def _set_flat(self, theta):
        i = 0
        for p in self.params:
            a = getattr(self, p)
            setattr(self, p, theta[i:i + a.size].reshape(a.shape))
            i += a.size

    def _loss_grad(self, theta):
        self._set_flat(theta)
        out = self.forward_pass(self.X_train)
        self.backpropagation(self.y_train, self.X_train)
        n = len(self.X_train)
        loss = 0.5 * np.sum((self.y_train - out) ** 2) / n
        grad = np.concatenate([getattr(self, "grad_" + p).ravel() for p in self.params]) / n
        return loss, grad

    def train_model(self):
        from scipy.optimize import minimize

        theta = self._flat()
        m, v = np.zeros_like(theta), np.zeros_like(theta)
        b1, b2 = 0.9, 0.999
        for t in range(1, self.runs + 1):
            _, g = self._loss_grad(theta)
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            theta = theta - self.learning_rate * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + 1e-12)
        res = minimize(self._loss_grad, theta, jac=True, method="BFGS", options={"gtol": 1e-12, "maxiter": 20000})
        self._set_flat(res.x)
        return res

    def make_prediction(self, x):
        return self.forward_pass(x)


if __name__ == "__main__":
    import time

    t0 = time.perf_counter()
    net = Neural_Net(seed=0)
    net.train_model()
    X_test = np.random.default_rng(1).uniform(0, 1, 2000)
    y_test = X_test**2
    pred = net.make_prediction(X_test)
    rmse = float(np.sqrt(np.mean((pred - y_test) ** 2)))
    print(f"fixed network 1-3-3-1 with biases, seed 0: held-out RMSE {rmse:.3g}, "
          f"RMSE/std {rmse / np.std(y_test):.3g} ({time.perf_counter() - t0:.1f} s)")
