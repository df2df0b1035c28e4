"""Formula read-back: exact expansion of polynomial networks, sparse search for everything else.

    from nnfit.explain import explain
    print(explain(X, y).expression)
"""
from nnfit.explain.api import Explanation, explain
from nnfit.explain.exact import NotPolynomialError, exact_formula, polynomial_coefficients
from nnfit.explain.sparse import SparseResult, sparse_fit

__all__ = ["Explanation", "explain", "exact_formula", "polynomial_coefficients", "NotPolynomialError",
           "sparse_fit", "SparseResult"]
