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
    returned: list[T] = []
    raised: list[BaseException] = []

    def run() -> None:
        try:
            returned.append(call())
        except BaseException as error:  # handed to the caller, who decides
            raised.append(error)

    # A daemon thread: one that never returns does not keep the worker's process alive.
    thread = threading.Thread(target=run, name=f"within {seconds:g} s: {what}", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise TimeoutError(f"{what} did not answer within {seconds:g} s")
    if raised:
        raise raised[0]
    return returned[0]
