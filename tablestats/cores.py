"""How many processor cores this process may use: a reader splits its work only when it is more
than one, since on one core the split costs time and gains nothing."""

from __future__ import annotations

import os


def available_cores() -> int:
    """The processor cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):  # Linux: the cores the process is allowed, not all
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
