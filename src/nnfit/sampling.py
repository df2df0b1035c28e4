"""Function mode (a formula or a callable: nnfit chooses the points): how many, and where.

The first network is trained on uniform points. Then a pool of fresh uniform points is drawn, the
network's residual is measured on it, and the points where it is largest are added to the training
set (validation rows and the separately drawn test set are never touched). For a later stage's
input scales the residual is sampled on a regular grid and its per-input frequencies measured there.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from nnfit import stages as stages_mod

# Training points by input count. An LM step costs rows x parameters**2; with the row cap of the
# polish (fit.LM_MAX_JACOBIAN) more points than this only slow the warm start (measured on the DSO
# rows: 1-D gained nothing past 2000, 2-D and 3-D still gained from 2000 to 3000-4000).
SAMPLES = {1: 2000, 2: 3000, 3: 4000}
POOL_FACTOR = 4           # candidate pool for the residual-following points, in multiples of the points added
ADDED_SHARE = 0.25        # points added where the residual is largest, as a share of the first sample
GRID_POINTS = {1: 2048, 2: 96, 3: 24}   # per axis, for the residual-frequency grid (2k-13k evaluations)


def default_samples(n_inputs: int) -> int:
    return SAMPLES.get(n_inputs, 4000)


@dataclasses.dataclass
class PointSource:
    """Draws fresh points of the target in the network's (standardised) units, for one output."""
    draw: Callable[[int, np.random.Generator], tuple[np.ndarray, np.ndarray]]   # raw X, raw Y
    evaluate: Callable[[np.ndarray], np.ndarray]                                # raw X -> raw Y (n, k)
    bounds: list[tuple[float, float]]                                           # raw domain per input
    to_inputs: Callable[[np.ndarray], np.ndarray]                               # raw X -> standardised
    to_targets: Callable[[np.ndarray], np.ndarray]                              # raw Y -> standardised
    output: int
    n_first: int
    seed: int

    def worst_rows(self, net: nn.Module, data: object) -> tuple[torch.Tensor, torch.Tensor]:
        """ADDED_SHARE x n_first new points where |residual| is largest among a fresh uniform pool."""
        n_add = int(ADDED_SHARE * self.n_first)
        ref = data.X  # type: ignore[attr-defined]
        if n_add < 1:
            return ref[:0], data.Y[:0]  # type: ignore[attr-defined]
        X_raw, Y_raw = self.draw(POOL_FACTOR * n_add, np.random.default_rng([self.seed, 7, self.output]))
        keep = np.all(np.isfinite(Y_raw), axis=1)
        Z = torch.as_tensor(self.to_inputs(X_raw[keep]), dtype=ref.dtype, device=ref.device)
        T = torch.as_tensor(self.to_targets(Y_raw[keep])[:, self.output:self.output + 1], dtype=ref.dtype,
                            device=ref.device)
        with torch.no_grad():
            residual = (net(Z) - T).abs()[:, 0]
        worst = torch.argsort(residual, descending=True)[:n_add]
        return Z[worst], T[worst]

    def residual_frequencies(self, net: nn.Module) -> np.ndarray:
        """Per-input residual frequency measured on a regular grid over the domain (standardised units)."""
        d = len(self.bounds)
        n = GRID_POINTS.get(d, 16)
        raw_axes = [np.linspace(low, high, n) for low, high in self.bounds]
        mesh = np.meshgrid(*raw_axes, indexing="ij")
        X_raw = np.column_stack([m.reshape(-1) for m in mesh])
        Y_raw = self.evaluate(X_raw)
        Z = self.to_inputs(X_raw)
        T = self.to_targets(Y_raw)[:, self.output]
        device = next(net.parameters()).device
        with torch.no_grad():
            prediction = net(torch.as_tensor(Z, dtype=torch.float64, device=device)).cpu().numpy()[:, 0]
        residual = np.where(np.isfinite(T), T - prediction, 0.0).reshape([n] * d)
        grid = Z.reshape([n] * d + [d])
        # each axis in standardised units (uneven where an input is log-transformed: np.gradient takes that)
        axes = [grid[(0,) * j + (slice(None),) + (0,) * (d - j - 1) + (j,)] for j in range(d)]
        return stages_mod.frequencies_grid(axes, residual)
