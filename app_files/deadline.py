"""A call to VIKTOR that the job waits for only so long.

The SDK waits up to 10 s for each answer from VIKTOR and tries a request again up to five times, so
a service that does not answer can hold a job for a minute or more. ``call_within`` runs such a
call on a thread of its own and stops waiting at the deadline; the call itself goes on in the
background until the SDK gives up, and its result is dropped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def call_within(seconds: float, call: Callable[[], T], what: str) -> T:
    """What ``call()`` returns or raises, if it does so within ``seconds``; else TimeoutError,
    whose message names ``what`` was called."""
    outcome: list[tuple[bool, object]] = []

    def run() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as error:  # handed to the caller, who decides
            outcome.append((False, error))

    # A daemon thread: one that never returns does not keep the worker's process alive.
    thread = threading.Thread(target=run, name=f"within {seconds:g} s: {what}", daemon=True)
    thread.start()
    thread.join(seconds)
    if not outcome:
        raise TimeoutError(f"{what} did not answer within {seconds:g} s")
    returned, value = outcome[0]
    if not returned:
        assert isinstance(value, BaseException)
        raise value
    return value  # type: ignore[return-value]  (what call() returned)
