"""Numbers counted by magnitude, in buckets 2% wide: the relative-accuracy sketch of
``distribution``.

As in DDSketch (Masson, Rim and Lee, 2019): a positive number x is counted in bucket
k = ceil(log(x) / log(GAMMA)), which holds the numbers in (GAMMA**(k-1), GAMMA**k]. With
GAMMA = (1 + a) / (1 - a), one value in each bucket is within a relative error ``a`` of every
number in it, however large or small the numbers. Negative numbers are counted by their magnitude
in buckets of their own, zeros apart. Counting a column a block at a time gives the same buckets
as counting it at once.

Memory: per sign, at most ``MAX_BUCKETS`` buckets that hold a number, a span of 1e35 from the
largest magnitude down. Smaller magnitudes than that (which no sum with the largest can even
show) are counted in the lowest bucket, which then reaches down to zero.
"""

from __future__ import annotations

import math

import numpy as np

from tablestats.key_counts import KeyCounts

RELATIVE_ACCURACY = 0.0099  # a little under 1%: room for the rounding of logarithms and powers
GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
MAX_BUCKETS = 4096  # GAMMA**4096 is about 1e35
_LOG_GAMMA = math.log(GAMMA)
# A number is in its bucket up to the rounding of log(); bounds this much wider always hold it.
_ROUNDING = 1e-9


class LogBuckets:
    def __init__(self) -> None:
        self._negative = _Magnitudes()
        self._zeros = 0
        self._positive = _Magnitudes()

    def add(self, numbers: np.ndarray) -> None:
        """Count ``numbers`` (finite floats)."""
        if numbers.min() > 0:  # most columns of measurements
            self._positive.add(numbers)
            return
        self._negative.add(-numbers[numbers < 0])
        self._zeros += int(np.count_nonzero(numbers == 0))
        self._positive.add(numbers[numbers > 0])

    def bounds(self, rank: int) -> tuple[float, float]:
        """Bounds on the number of that rank (0 for the smallest): those of its bucket."""
        negatives = self._negative.count
        if rank < negatives:  # the largest magnitude comes first
            low, high = self._negative.bounds(negatives - 1 - rank)
            return -high, -low
        if rank < negatives + self._zeros:
            return 0.0, 0.0
        return self._positive.bounds(rank - negatives - self._zeros)


class _Magnitudes:
    """The buckets of the numbers of one sign, by magnitude."""

    def __init__(self) -> None:
        self.count = 0
        self._buckets = KeyCounts()
        self._lowest_reaches_zero = False

    def add(self, magnitudes: np.ndarray) -> None:
        if not len(magnitudes):
            return
        self.count += len(magnitudes)
        buckets = np.ceil(np.log(magnitudes) / _LOG_GAMMA).astype(np.int64)
        top = int(buckets.max())
        if len(self._buckets):
            top = max(top, int(self._buckets.keys[-1]))
        lowest = top - MAX_BUCKETS + 1
        if buckets.min() < lowest:
            buckets = np.maximum(buckets, lowest)
            self._lowest_reaches_zero = True
        if len(self._buckets) and self._buckets.keys[0] < lowest:
            self._buckets.relabel(np.maximum(self._buckets.keys, lowest))
            self._lowest_reaches_zero = True
        self._buckets.add(buckets)

    def bounds(self, rank: int) -> tuple[float, float]:
        """Bounds on the magnitude of that rank (0 for the smallest)."""
        bucket = self._buckets.key_of_rank(rank)
        high = _power(bucket) * (1 + _ROUNDING)
        if self._lowest_reaches_zero and bucket == self._buckets.keys[0]:
            return 0.0, high
        return _power(bucket - 1) * (1 - _ROUNDING), high


def _power(bucket: int) -> float:
    """GAMMA**bucket, or infinity beyond the largest float."""
    try:
        return math.exp(bucket * _LOG_GAMMA)
    except OverflowError:
        return math.inf
