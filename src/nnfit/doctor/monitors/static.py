"""Deprecated location of the static reader, kept so older imports work: use nnfit.doctor.static."""
from __future__ import annotations

from nnfit.doctor.static import analyse, looks_flattened, reflow

__all__ = ["analyse", "looks_flattened", "reflow"]
