"""Residual stages in any dimension: each later stage's first layer is scaled per input to the residual.

A network that has converged leaves a residual that oscillates faster than the target, and faster
along some inputs than others. The residual's mean angular frequency along input j (by Parseval,
sqrt(sum k_j^2 |F(k)|^2 / sum |F(k)|^2)) equals rms(dr/dz_j) / rms(r): it is measured from the
gradient of the residual, by finite differences on a grid in function mode and by local linear fits
over nearest neighbours on scattered rows. The stage's first-layer column j is scaled in proportion
to that frequency; several scales are tried and validation picks (Wang & Lai 2023 scale the whole
first layer by one number; per input matters when only one input oscillates).
"""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from nnfit import models

# First-layer scales tried: two fixed sizes (2 and 5, the ones that won on 10·sin(3x) in 1-D, where the
# second stage took 1e-7 to 5e-11), given to each input in proportion to its measured frequency, and
# the measured frequencies themselves times 0.6 (about the sign-change rate of the residual).
FIXED_SCALES = (2.0, 5.0)
FREQUENCY_MULTIPLE = 0.6
MIN_SCALE, MAX_SCALE = 1.0, 30.0
NEIGHBOURS_PER_INPUT = 3     # local linear fit over 3*d+1 neighbours: enough rows for d slopes and a level
MAX_ROWS = 2000              # rows used for the estimate (the neighbour search is quadratic)
# A residual stage is not trained when the residual's unexplained share (residual_structure: what a
# plane through each row's nearest neighbours leaves of it, over its rms) is at least this. Synthetic,
# 1600 uniform rows on [-1.7, 1.7]^d: white noise 1.11-1.27 for d = 1..5; smooth residuals in d <= 3
# (sin(3z), sin(3z)cos(3z'), sin(9z), sin(9z) + 0.3 noise) 0.0-0.92; at d = 5 sin(3z) 0.62 but sin(9z)
# 1.08 (with 5 inputs a fast residual is not resolved by the rows either, and is skipped).
UNPREDICTABLE_RESIDUAL = 1.0


def frequencies_scattered(Z: np.ndarray, residual: np.ndarray) -> np.ndarray:
    """Per-input mean angular frequency of the residual on scattered rows (standardised inputs)."""
    return residual_structure(Z, residual)[0]


def residual_structure(Z: np.ndarray, residual: np.ndarray) -> tuple[np.ndarray, float]:
    """(per-input mean angular frequency, unexplained share) of the residual on scattered rows.

    The unexplained share is rms(r_i - p_i) / rms(r - mean r), p_i the value at row i of a plane fitted
    to r over row i's nearest neighbours (row i left out): about 0.1 for a residual that varies
    smoothly between rows, 1 or more for one that changes from row to row (rounding, or detail finer
    than the rows resolve; see UNPREDICTABLE_RESIDUAL).
    """
    Z, residual = Z[:MAX_ROWS], residual[:MAX_ROWS]
    n, d = Z.shape
    k = min(n - 1, NEIGHBOURS_PER_INPUT * d + 1)
    if k < d + 2:
        return np.ones(d), 0.0
    Zt = torch.as_tensor(Z)
    distances = torch.cdist(Zt, Zt)
    distances.fill_diagonal_(math.inf)
    nearest = torch.topk(distances, k, largest=False).indices.numpy()
    dz = Z[nearest] - Z[:, None, :]                                    # (n, k, d)
    dr = residual[nearest] - residual[:, None]                         # (n, k)
    gradients = np.einsum("ndk,nk->nd", np.linalg.pinv(dz), dr)        # least squares, every row at once
    planes = np.concatenate([np.ones((n, k, 1)), dz], axis=2)          # level + slopes, row i left out
    left_out = residual - np.einsum("nk,nk->n", np.linalg.pinv(planes)[:, 0, :], residual[nearest])
    level = float(np.sqrt(np.mean((residual - residual.mean()) ** 2)))
    unexplained = float(np.sqrt(np.mean(left_out**2)) / level) if level > 0 else 0.0
    return _from_gradients(gradients, residual), unexplained if math.isfinite(unexplained) else 0.0


def frequencies_grid(axes: list[np.ndarray], residual_grid: np.ndarray) -> np.ndarray:
    """Per-input mean angular frequency of a residual sampled on a regular grid (standardised axes)."""
    gradients = np.gradient(residual_grid, *axes) if len(axes) > 1 else [np.gradient(residual_grid, axes[0])]
    stacked = np.column_stack([g.reshape(-1) for g in gradients])
    return _from_gradients(stacked, residual_grid.reshape(-1))


def _from_gradients(gradients: np.ndarray, residual: np.ndarray) -> np.ndarray:
    level = float(np.sqrt(np.mean((residual - residual.mean()) ** 2)))
    if not level > 0:
        return np.ones(gradients.shape[1])
    omega = np.sqrt(np.mean(gradients**2, axis=0)) / level
    return np.where(np.isfinite(omega), omega, 1.0)


def scale_sets(omega: np.ndarray) -> list[np.ndarray]:
    """First-layer column scales to try: multiples of the measured frequencies, clipped."""
    sets = []
    relative = omega / omega.max() if omega.max() > 0 else np.ones_like(omega)
    for scales in [size * relative for size in FIXED_SCALES] + [FREQUENCY_MULTIPLE * omega]:
        scales = np.clip(scales, MIN_SCALE, MAX_SCALE)
        if not any(np.allclose(scales, s) for s in sets):
            sets.append(scales)
    return sets


def scaled_networks(n_inputs: int, hidden: tuple[int, ...], activation: str, scale_sets_: list[np.ndarray],
                    seed: int, device: torch.device) -> list[nn.Sequential]:
    nets = []
    for i, scales in enumerate(scale_sets_):
        net = models.build_mlp(n_inputs, 1, hidden, activation, seed=seed + i).to(device)
        # Weights only: spreading the biases over the scaled range as well was 10x worse on 10·sin(3x)
        # (second stage 3.8e-8 instead of 3.0e-9 on validation, measured).
        with torch.no_grad():
            net[0].weight.mul_(torch.as_tensor(scales, dtype=net[0].weight.dtype, device=device))
        nets.append(net)
    return nets
