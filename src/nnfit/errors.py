"""User-facing errors: one line that says what was wrong and what to do.

The CLI prints `error: <message>` and exits with code 2 for any NNFitError; anything else is a bug
and keeps its traceback.
"""


class NNFitError(ValueError):
    """A mistake in what the user gave nnfit (formula, file, data, option)."""


class FormulaError(NNFitError):
    """A formula string that is not a safe arithmetic expression."""


class DataError(NNFitError):
    """Data that cannot be fitted: NaN/inf, empty, constant, wrong shape, unknown column."""
