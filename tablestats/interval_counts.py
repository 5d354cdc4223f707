"""Exact counts of numbers in equal intervals: the absolute-accuracy sketch of ``distribution``.

The intervals are [k * width, (k + 1) * width) for whole k, where the width is a power of two: the
narrowest one for which the numbers, from the smallest to the largest, fall in at most
``MAX_INTERVALS`` intervals. So each interval is less than 1/1023 of that range wide, unless that
is finer than floats can tell apart: the width is never below twice the spacing of floats at the
largest magnitude, so that k stays below 2**52 and every edge k * width is an exact float.

When a block of numbers widens the range, the width doubles (as often as it must) and every two
neighbouring intervals become one. Since the width is a power of two, no count is ever split or
estimated: the counts stay exact, and so do those of the histogram, whose bins are whole numbers
of intervals.

Memory: one count per interval that holds a number, at most ``MAX_INTERVALS``.

The width depends only on the smallest and the largest number, not on the order in which the
numbers come: so the counts of two columns merge (``merge``) into exactly those of both columns
counted as one.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from tablestats.json_values import a_count, a_number
from tablestats.key_counts import KeyCounts

MAX_INTERVALS = 2048
_LARGEST_FLOAT = sys.float_info.max


class IntervalCounts:
    def __init__(self) -> None:
        self.width: float | None = None  # None while every number so far is the same
        self._origin = 0  # the k of the first number: intervals are kept relative to it
        self._intervals = KeyCounts()
        self._waiting = 0  # numbers seen while all were equal to...
        self._first = 0.0  # ...this one

    def add(self, numbers: np.ndarray, low: float, high: float) -> None:
        """Count ``numbers`` (finite floats); ``low`` and ``high`` are the smallest and the largest
        number so far, these included."""
        if self.width is None:
            if low == high:
                self._waiting += len(numbers)
                self._first = low
                return
            self.width = _narrowest_width(low, high)
            self._origin = math.floor(low / self.width)
            if self._waiting:
                self._count(np.array([self._first]), times=self._waiting)
        elif not _wide_enough(self.width, low, high):
            self._widen(low, high)
        self._count(numbers)

    def merge(self, other: IntervalCounts, low: float, high: float) -> None:
        """Count the numbers ``other`` counted too (``other`` stays as it is); ``low`` and
        ``high`` are the smallest and the largest number of both."""
        if low == high:  # both constant, with the same number, or one of them empty
            self._waiting += other._waiting
            self._first = low
            return
        width = max(_narrowest_width(low, high), self.width or 0.0, other.width or 0.0)
        while not _wide_enough(width, low, high):  # cannot happen: each fits in the narrowest
            width *= 2
        counted = [side._at_width(width) for side in (self, other)]
        self.width, self._origin, self._intervals = width, math.floor(low / width), KeyCounts()
        self._waiting = 0
        for keys, counts in counted:
            self._intervals.add_counts(keys - self._origin, counts)

    def _at_width(self, width: float) -> tuple[np.ndarray, np.ndarray]:
        """The intervals (their k, not relative to the origin) and counts at ``width``, a power of
        two at least as wide as this one's."""
        if self.width is None:  # all equal to one number, or none
            keys = _intervals_of(np.array([self._first] if self._waiting else []), width)
            return keys.astype(np.int64), np.full(len(keys), self._waiting, dtype=np.int64)
        doublings = math.frexp(width)[1] - math.frexp(self.width)[1]
        keys = (self._intervals.keys + self._origin) >> doublings  # floor division, as _widen
        return keys, self._intervals.counts

    def to_dict(self) -> dict:
        return {
            "width": self.width,
            "origin": self._origin,
            "intervals": self._intervals.to_dict(),
            "waiting": self._waiting,
            "first": self._first,
        }

    @classmethod
    def from_dict(cls, data: dict) -> IntervalCounts:
        """The inverse of ``to_dict``; ValueError, KeyError or TypeError on anything else."""
        found = cls()
        width = data["width"]
        if width is not None and (a_number(width) <= 0 or math.frexp(width)[0] != 0.5):
            raise ValueError(f"a width of {width!r}, not a power of two")
        if type(data["origin"]) is not int:
            raise TypeError(f"expected a whole number, got {data['origin']!r}")
        found.width, found._origin = width, data["origin"]
        found._intervals = KeyCounts.from_dict(data["intervals"])
        found._waiting, found._first = a_count(data["waiting"]), a_number(data["first"])
        if width is None and len(found._intervals):
            raise ValueError("intervals without a width")
        return found

    @property
    def _width(self) -> float:
        """The width, once two different numbers have set it (every method below needs it)."""
        assert self.width is not None
        return self.width

    def bounds(self, rank: int) -> tuple[float, float]:
        """The interval that holds the number of that rank (0 for the smallest)."""
        k = self._origin + self._intervals.key_of_rank(rank)
        return k * self._width, (k + 1) * self._width

    def histogram(self, bins: int) -> tuple[list[float], list[int]]:
        """Edges and counts of at most ``bins`` equal bins, each a whole number of intervals,
        that cover the numbers: bin i holds the numbers x with edges[i] <= x < edges[i + 1]."""
        keys, counts = self._intervals.keys, self._intervals.counts
        span = int(keys[-1] - keys[0]) + 1  # intervals from the first number to the last
        per_bin = -(-span // bins)
        bins = -(-span // per_bin)
        first = int(keys[0]) - (per_bin * bins - span) // 2  # the spare intervals on both sides
        padded = np.zeros(per_bin * bins, dtype=np.int64)
        padded[keys - first] = counts
        edges = [
            _within_floats((self._origin + first + i * per_bin) * self._width)
            for i in range(bins + 1)
        ]
        return edges, padded.reshape(bins, per_bin).sum(axis=1).tolist()

    def _count(self, numbers: np.ndarray, times: int = 1) -> None:
        k = _intervals_of(numbers, self._width)
        self._intervals.add((k - float(self._origin)).astype(np.int64), times)

    def _widen(self, low: float, high: float) -> None:
        doublings = 1
        while not _wide_enough(math.ldexp(self._width, doublings), low, high):
            doublings += 1
        # k becomes k >> doublings (floor division); relative to the new origin, that is:
        below_origin = self._origin & ((1 << doublings) - 1)
        new_keys = [(below_origin + key) >> doublings for key in self._intervals.keys.tolist()]
        self._intervals.relabel(np.array(new_keys, dtype=np.int64))
        self._origin >>= doublings
        self.width = math.ldexp(self._width, doublings)


def _intervals_of(numbers: np.ndarray, width: float) -> np.ndarray:
    """The k of the interval of each number, as floats."""
    k = np.floor(numbers / width)  # exact: the width is a power of two...
    k[(k == 0) & (numbers < 0)] = -1  # ...unless it underflows to -0.0 (a tiny negative x)
    return k


def _fits(width: float, low: float, high: float) -> bool:
    top, bottom = high / width, low / width
    if math.isinf(top) or math.isinf(bottom):  # a width far too narrow for these numbers
        return False
    return math.floor(top) - math.floor(bottom) < MAX_INTERVALS


def _wide_enough(width: float, low: float, high: float) -> bool:
    return width >= _float_spacing(low, high) and _fits(width, low, high)


def _float_spacing(low: float, high: float) -> float:
    """Twice the spacing of floats at the larger magnitude of ``low`` and ``high``."""
    return math.ldexp(math.ulp(max(-low, high)), 1)


def _narrowest_width(low: float, high: float) -> float:
    """The narrowest power of two for which ``low`` to ``high`` fits in MAX_INTERVALS intervals,
    and that floats can tell apart."""
    # Start at a quarter of range / MAX_INTERVALS or below, which cannot fit, and double.
    start = (high / 2 - low / 2) / MAX_INTERVALS  # halves: the range itself may overflow
    width = math.ldexp(1.0, math.frexp(start)[1] - 2) if start else 0.0
    width = max(width, _float_spacing(low, high))
    while not _fits(width, low, high):
        width *= 2
    return width


def _within_floats(edge: float) -> float:
    """An edge beyond the largest float (a column that reaches it), as the largest float."""
    return min(max(edge, -_LARGEST_FLOAT), _LARGEST_FLOAT)
