"""nnfit: small neural networks that fit functions and data to float64 precision, and a doctor
that names why your own network does not.

Attributes are imported on first use, so `nnfit --help` does not pay for torch and sympy.
"""
from __future__ import annotations

from typing import Any

from nnfit._lazy import lazy_attributes

__version__ = "0.1.0"

_EXPORTS = {
    "NNFitRegressor": "nnfit.fit",
    "fit_function": "nnfit.fit",
    "regression_metrics": "nnfit.metrics",
    "parse_formula": "nnfit.targets",
    "NNFitError": "nnfit.errors",
    "FormulaError": "nnfit.errors",
    "DataError": "nnfit.errors",
    "explain": "nnfit.explain",
    "batch": "nnfit.batch",
    "sweep": "nnfit.batch",
    "check_gradients": "nnfit.doctor.check",
    "check_step": "nnfit.doctor.check",
}
__all__ = [*_EXPORTS, "load"]


__getattr__ = lazy_attributes(__name__, _EXPORTS, globals())


def load(path: Any) -> Any:
    """Load a model saved with `model.save(path)` / `nnfit fit --save`."""
    from nnfit.fit import NNFitRegressor

    return NNFitRegressor.load(path)
