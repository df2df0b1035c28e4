"""User-facing errors: one line that says what was wrong and what to do.

The CLI prints `error: <message>` and exits with code 2 for any NNFitError; anything else is a bug
and keeps its traceback.
"""
import math
from numbers import Integral, Real

# scikit-learn's random_state and NumPy's legacy RandomState (np.random.seed, which user scripts call) take
# seeds below 2**32; torch's generator overflows at 2**64 (a restart adds its number to the seed)
MAX_SEED = 2**32


class NNFitError(ValueError):
    """A mistake in what the user gave nnfit (formula, file, data, option)."""


class FormulaError(NNFitError):
    """A formula string that is not a safe arithmetic expression."""


class DataError(NNFitError):
    """Data that cannot be fitted: NaN/inf, empty, constant, wrong shape, unknown column."""


def check_seed(seed: object, what: str = "random_state") -> int:
    """A seed every library downstream accepts: an integer (not a bool) from 0 to MAX_SEED - 1."""
    if not isinstance(seed, Integral) or isinstance(seed, bool) or not 0 <= seed < MAX_SEED:
        raise NNFitError(f"{what}: the seed must be an integer from 0 to {MAX_SEED - 1}, got {seed!r}")
    return int(seed)


def check_seconds(value: object, what: str) -> float:
    """A time budget: a positive, finite number of seconds (inf would never stop; nan compares false)."""
    if not isinstance(value, Real) or isinstance(value, bool) or not (value > 0 and math.isfinite(value)):
        raise NNFitError(f"{what} must be a positive, finite number of seconds, got {value!r}")
    return float(value)
