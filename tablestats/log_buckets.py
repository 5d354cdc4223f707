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

The buckets of two columns merge (``merge``) into those of both columns counted as one: a number's
bucket depends on the number alone.
"""

from __future__ import annotations

import math

import numpy as np

from tablestats.json_values import a_count
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

    def merge(self, other: LogBuckets) -> None:
        """Count the numbers ``other`` counted too (``other`` stays as it is)."""
        self._negative.merge(other._negative)
        self._zeros += other._zeros
        self._positive.merge(other._positive)

    def to_dict(self) -> dict:
        return {
            "negative": self._negative.to_dict(),
            "zeros": self._zeros,
            "positive": self._positive.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> LogBuckets:
        """The inverse of ``to_dict``; ValueError, KeyError or TypeError on anything else."""
        found = cls()
        found._negative = _Magnitudes.from_dict(data["negative"])
        found._zeros = a_count(data["zeros"])
        found._positive = _Magnitudes.from_dict(data["positive"])
        return found

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

    def merge(self, other: _Magnitudes) -> None:
        if not other.count:
            return
        keys, counts = other._buckets.keys, other._buckets.counts
        self.count += other.count
        self._lowest_reaches_zero |= other._lowest_reaches_zero
        if len(self._buckets):
            lowest = max(int(keys[-1]), int(self._buckets.keys[-1])) - MAX_BUCKETS + 1
            if self._buckets.keys[0] < lowest:
                self._buckets.relabel(np.maximum(self._buckets.keys, lowest))
                self._lowest_reaches_zero = True
            if keys[0] < lowest:
                keys = np.maximum(keys, lowest)
                self._lowest_reaches_zero = True
        self._buckets.add_counts(keys, counts)

    def to_dict(self) -> dict:
        return {
            "buckets": self._buckets.to_dict(),
            "lowest_reaches_zero": self._lowest_reaches_zero,
        }

    @classmethod
    def from_dict(cls, data: dict) -> _Magnitudes:
        found = cls()
        found._buckets = KeyCounts.from_dict(data["buckets"])
        found.count = int(found._buckets.counts.sum())
        if type(data["lowest_reaches_zero"]) is not bool:
            raise TypeError(f"expected true or false, got {data['lowest_reaches_zero']!r}")
        found._lowest_reaches_zero = data["lowest_reaches_zero"]
        if len(found._buckets) and found._buckets.keys[-1] - found._buckets.keys[0] >= MAX_BUCKETS:
            raise ValueError("buckets beyond MAX_BUCKETS")
        return found

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
