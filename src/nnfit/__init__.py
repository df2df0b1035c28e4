"""nnfit: small neural networks that fit functions and data to float64 precision, and a doctor
that names why your own network does not.
"""
from nnfit.errors import DataError, FormulaError, NNFitError
from nnfit.fit import NNFitRegressor, fit_function, regression_metrics
from nnfit.targets import parse_formula

__all__ = ["NNFitRegressor", "fit_function", "regression_metrics", "parse_formula", "load",
           "NNFitError", "FormulaError", "DataError"]
__version__ = "0.1.0"


def load(path):  # noqa: ANN001, ANN201 - thin alias
    """Load a model saved with `model.save(path)` / `nnfit fit --save`."""
    return NNFitRegressor.load(path)
