"""Many fits at once: ``nnfit.batch(...)``, ``nnfit.sweep(...)``, ``nnfit batch`` / ``nnfit sweep``.

jobs.py (one job: spec, run, atomic result record), engines.py (sequential, local process pool,
Ray), api.py (DataFrame in and out), summary.py (HTML report), cli.py (the commands).

The package itself is callable, so ``nnfit.batch(...)`` works whether ``nnfit`` exposes this module
or the function, and ``nnfit.batch.jobs`` stays reachable as a module.
"""
from __future__ import annotations

import sys
import types


def batch(*args, **kwargs):
    from nnfit.batch.api import batch as _batch

    return _batch(*args, **kwargs)


def sweep(*args, **kwargs):
    from nnfit.batch.api import sweep as _sweep

    return _sweep(*args, **kwargs)


batch.__doc__ = "Fit many targets; see nnfit.batch.api.batch."
sweep.__doc__ = "Fit one target over a grid of settings; see nnfit.batch.api.sweep."


class _CallableModule(types.ModuleType):
    def __call__(self, *args, **kwargs):
        return batch(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
