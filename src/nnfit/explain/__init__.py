"""Formula read-back: exact expansion of polynomial networks; from data, rational forms, a term
library, expression-tree enumeration and a network oracle for separability (see discover.py).

    from nnfit.explain import explain
    print(explain(X, y).expression)

Names are imported on first use, so the `nnfit` command starts without sympy and scipy.
"""
from __future__ import annotations

from nnfit._lazy import lazy_attributes

_EXPORTS = {
    "Explanation": "nnfit.explain.api",
    "explain": "nnfit.explain.api",
    "exact_formula": "nnfit.explain.exact",
    "polynomial_coefficients": "nnfit.explain.exact",
    "NotPolynomialError": "nnfit.explain.exact",
    "sparse_fit": "nnfit.explain.sparse",
    "SparseResult": "nnfit.explain.sparse",
}
__all__ = list(_EXPORTS)


__getattr__ = lazy_attributes(__name__, _EXPORTS, globals())
