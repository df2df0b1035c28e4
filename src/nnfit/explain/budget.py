"""The clock the read-back's time budget is counted on: CPU seconds of this process, not wall time.

A search budget in wall seconds does less work when the machine is busy, so the same data gave an
exact formula on an idle machine and a miss under load. Counted in CPU seconds (every thread of the
process), the searches do the same work, and so give the same answer, whatever else runs. On an idle
machine with one busy thread the two clocks agree; under load the wall time of a search grows.
"""
from __future__ import annotations

import time


def clock() -> float:
    """CPU seconds used by this process so far (differences only are meaningful)."""
    return time.process_time()
