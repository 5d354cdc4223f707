"""How the stand-in fails, as VIKTOR and the network between it and a worker do now and then.

A fault is given to ``ViktorStandIn.failing``, which applies it to the requests of some routes:

    with viktor.failing("storage: get", fault=Stall(30)):     # VIKTOR Storage does not answer
    with viktor.failing("storage: upload", fault=Reset(), times=1):  # one dropped connection

- ``Status(code)``: an error answer. The SDK tries again after 502, 503 and 504, never after 500.
- ``Reset()``: the connection is closed without an answer.
- ``Stall(seconds)``: the answer comes after ``seconds`` (the SDK gives up after 10 s and tries
  again): VIKTOR slow, or not answering at all.
- ``ShortBody()``: the answer declares more bytes than it sends, then the connection closes: a
  download cut short.

A request that fails changes nothing (a failed set stores nothing), except that a stalled one is
carried out when its answer is finally sent, as a slow server does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class Exchange(Protocol):
    """One request, as a fault sees it: the server's side of the connection."""

    reads_only: bool  # True for a request that changes nothing when carried out (a GET)

    def carry_out(self) -> tuple[int, Any]:
        """Do what the request asks, and return the answer: (status, JSON data or bytes)."""
        ...

    def send(self, status: int, payload: Any, cut_short: bool = False) -> None:
        """Answer; ``cut_short``: declare the whole answer's length, send half of it, and close."""
        ...

    def hang_up(self) -> None:
        """Close the connection without an answer."""
        ...

    def wait(self, seconds: float) -> None:
        """Wait, at most until the test's ``failing`` block ends."""
        ...


class Fault(Protocol):
    def serve(self, exchange: Exchange) -> None: ...


_ERROR = {"detail": "The VIKTOR stand-in fails this route on purpose."}


@dataclass(frozen=True)
class Status:
    """An error answer with this HTTP status, such as 500 (VIKTOR down) or 503 (busy)."""

    code: int = 500

    def serve(self, exchange: Exchange) -> None:
        exchange.send(self.code, _ERROR)


@dataclass(frozen=True)
class Reset:
    """The connection closed without an answer."""

    def serve(self, exchange: Exchange) -> None:
        exchange.hang_up()


@dataclass(frozen=True)
class Stall:
    """The answer comes after ``seconds`` (or when the ``failing`` block ends, if sooner)."""

    seconds: float

    def serve(self, exchange: Exchange) -> None:
        exchange.wait(self.seconds)
        exchange.send(*exchange.carry_out())


@dataclass(frozen=True)
class ShortBody:
    """An answer that declares more bytes than it sends: a request that reads gets half its
    answer; one that would change something changes nothing and gets half an error."""

    def serve(self, exchange: Exchange) -> None:
        answer = exchange.carry_out() if exchange.reads_only else (200, _ERROR)
        exchange.send(*answer, cut_short=True)
