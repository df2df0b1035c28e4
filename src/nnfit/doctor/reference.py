"""A reference fit of the run's own data: how well a flexible model does, so "fits poorly" is judged
against what these data allow (noisy targets cap R² below 1 for any model).

Two closed-form models, scored by 5-fold cross-validation (deterministic, seed 0): ordinary least
squares on the inputs, and ridge regression on 256 random tanh features of the standardised inputs
(a one-hidden-layer network whose hidden layer is not trained). For class-label targets the same
models predict one-hot columns and are scored by accuracy. The reference is the better of the two.
With fewer than 20 rows only least squares is fitted, in-sample (the line the data allow).
Costs a few 256x256 solves on at most MAX_ROWS rows; never trains a network.
"""
from __future__ import annotations

import math

import numpy as np

from nnfit.metrics import regression_metrics

MAX_ROWS = 2000
FEATURES = 256
FOLDS = 5
RIDGE = 1e-3


def _features(X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    W = rng.normal(0.0, 1.0, size=(X.shape[1], FEATURES)) / np.sqrt(max(1, X.shape[1])) * 2.0
    b = rng.uniform(-2.0, 2.0, size=FEATURES)
    return np.tanh(X @ W + b)


def _solve(A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    A1 = np.hstack([A, np.ones((len(A), 1))])
    gram = A1.T @ A1
    gram[np.diag_indices_from(gram)] += RIDGE * max(1.0, float(np.trace(gram)) / len(gram))
    return np.linalg.solve(gram, A1.T @ Y)


def _predict(A: np.ndarray, coef: np.ndarray) -> np.ndarray:
    return np.hstack([A, np.ones((len(A), 1))]) @ coef


def reference_scores(X: np.ndarray, y: np.ndarray, labels: bool) -> tuple[float | None, float | None, float | None]:
    """(cross-validated R² of the better model, accuracy of the better model or None, R² of least squares)."""
    X = np.asarray(X, dtype=float).reshape(len(X), -1)
    y = np.asarray(y, dtype=float).reshape(len(y), -1)
    ok = np.all(np.isfinite(X), axis=1) & np.all(np.isfinite(y), axis=1)
    X, y = X[ok], y[ok]
    n = len(X)
    if X.shape[1] == 0 or n < 3:
        return None, None, None
    if n < 4 * FOLDS:
        # too few rows to cross-validate: least squares in-sample says at least what a line can do
        coef = _solve(X, y)
        resid = y - _predict(X, coef)
        return None, None, _r2(y, y - resid)
    rng = np.random.default_rng(0)
    if n > MAX_ROWS:
        keep = rng.choice(n, MAX_ROWS, replace=False)
        X, y, n = X[keep], y[keep], MAX_ROWS
    std = X.std(axis=0)
    Xs = (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)
    ys = y.std(axis=0)
    Ys = (y - y.mean(axis=0)) / np.where(ys > 0, ys, 1.0)
    if labels and y.shape[1] == 1:
        classes = np.unique(y[:, 0])
        onehot = (y[:, 0][:, None] == classes[None, :]).astype(float)
    elif labels:
        classes, onehot = None, y
    else:
        classes, onehot = None, None
    feats = _features(Xs, rng)
    fold = rng.permutation(n) % FOLDS
    best_r2, best_acc, linear_r2 = None, None, None
    for A in (Xs, feats):
        pred = np.zeros_like(Ys)
        hit = np.zeros(n, dtype=bool)
        for k in range(FOLDS):
            tr, te = fold != k, fold == k
            pred[te] = _predict(A[te], _solve(A[tr], Ys[tr]))
            if onehot is not None:
                scores = _predict(A[te], _solve(A[tr], onehot[tr]))
                if classes is not None:
                    hit[te] = classes[np.argmax(scores, axis=1)] == y[te, 0]
                else:
                    hit[te] = np.all((scores > 0.5) == (onehot[te] > 0.5), axis=1)
        r2 = _r2(Ys, pred)
        if A is Xs:
            linear_r2 = r2
        if r2 is not None:
            best_r2 = r2 if best_r2 is None else max(best_r2, r2)
        if onehot is not None:
            acc = float(np.mean(hit))
            best_acc = acc if best_acc is None else max(best_acc, acc)
    return best_r2, best_acc, linear_r2


def _r2(y: np.ndarray, pred: np.ndarray) -> float | None:
    """Pooled R² from the one metrics module; None where the target is constant."""
    r2 = regression_metrics(y, pred)["r2"]
    return None if math.isnan(r2) else r2
