"""Seconds per stage of a long operation (an ingest, a candidate list), for its answer to report."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def timed(seconds: dict[str, float], stage: str) -> Iterator[None]:
    """Add the block's wall-clock seconds to `seconds[stage]` (a stage may run more than once)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - start
        seconds[stage] = round(seconds.get(stage, 0.0) + elapsed, 3)
