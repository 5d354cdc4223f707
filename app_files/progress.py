"""Where a long job is, told to the user while it runs: "Reading the table", 40%.

A computation says where it is with ``report(message, fraction)``, and needs to know nothing
about VIKTOR. Who hears it is decided around it, with ``reporting_to``: in the app,
``viktor_jobs.received_upload`` passes it on to ``vkt.progress_message`` for a large upload only
(a small one is done before a message would be read); on the command line and in most tests,
nobody hears it and ``report`` costs next to nothing.

Each message is a request to VIKTOR, so ``Throttled`` passes one on only when the stage changes or
the job has moved on by a step (10% by default); and the SDK waits for VIKTOR's answer to each (a
minute or more when VIKTOR does not answer), so ``InBackground`` sends them on a thread of its own,
the latest first, and the job never waits for them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# Hears a message and how far the job is, from 0 (started) to 1 (done).
Reporter = Callable[[str, float], None]

_reporter: ContextVar[Reporter | None] = ContextVar("progress_reporter", default=None)
_SENDER = "progress messages"  # the name of InBackground's threads

logger = logging.getLogger(__name__)


def report(message: str, fraction: float) -> None:
    """Say where the job is: ``message`` names the stage, ``fraction`` how far it is (0 to 1)."""
    reporter = _reporter.get()
    if reporter is not None:
        reporter(message, min(max(fraction, 0.0), 1.0))


@contextmanager
def reporting_to(reporter: Reporter | None) -> Iterator[None]:
    """Within the block, ``report`` goes to ``reporter`` (None: to nobody)."""
    token = _reporter.set(reporter)
    try:
        yield
    finally:
        _reporter.reset(token)


@contextmanager
def part(stage: str, start: float, end: float) -> Iterator[None]:
    """Within the block, the job is between ``start`` and ``end``: what is reported there reads
    "<stage>: <message>", its fraction scaled into that part (file 3 of 10: 0.2 to 0.3)."""
    outer = _reporter.get()
    if outer is None:
        yield
        return
    report(stage, start)
    with reporting_to(lambda message, fraction: outer(
        f"{stage}: {message}", start + (end - start) * fraction
    )):  # fmt: skip
        yield


class Throttled:
    """A reporter that passes a message on to ``reporter`` only when the stage changes, or when
    the job has moved on by at least ``step`` since the last message it passed on."""

    def __init__(self, reporter: Reporter, step: float = 0.1) -> None:
        self._reporter = reporter
        self._step = step
        self._last: tuple[str, float] | None = None

    def __call__(self, message: str, fraction: float) -> None:
        if self._last is not None:
            last_message, last_fraction = self._last
            if message == last_message and fraction < last_fraction + self._step:
                return
        self._last = (message, fraction)
        self._reporter(message, fraction)


class InBackground:
    """A reporter that hands each message to ``reporter`` on a thread of its own, so that a slow
    ``reporter`` never holds the job up. A message that comes while another is being sent waits;
    a newer one replaces it (the latest wins). An error of ``reporter`` is logged."""

    def __init__(self, reporter: Reporter) -> None:
        self._reporter = reporter
        self._lock = threading.Lock()
        self._waiting: tuple[str, float] | None = None
        self._sending = False

    def __call__(self, message: str, fraction: float) -> None:
        with self._lock:
            self._waiting = (message, fraction)
            if self._sending:
                return
            self._sending = True
        threading.Thread(target=self._send_waiting, name=_SENDER, daemon=True).start()

    def _send_waiting(self) -> None:
        while True:
            with self._lock:
                waiting, self._waiting = self._waiting, None
                if waiting is None:
                    self._sending = False
                    return
            try:
                self._reporter(*waiting)
            except Exception as error:  # a lost progress message is not worth failing a job for
                logger.warning("Could not send the progress message %r (%s)", waiting[0], error)


def wait_until_sent(timeout: float = 10.0) -> None:
    """Wait until every message handed to an ``InBackground`` has been sent, for at most
    ``timeout`` seconds: for tests that check the messages. A job never waits for them."""
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if thread.name == _SENDER:
            thread.join(max(0.0, deadline - time.monotonic()))
