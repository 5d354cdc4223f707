"""The spread of a column's numbers, read once, in bounded memory: quantiles and a histogram.

A column can hold millions of numbers; keeping them all to sort them would make memory grow with
the file. Up to ``EXACT_LIMIT`` numbers are kept, and their quantiles are exact. Beyond, two
sketches of bounded size count the numbers as they pass, and every quantile is an estimate with
this guarantee:

    Let lo and hi be the two numbers of the column that the quantile lies between (what
    ``numpy.quantile`` gives with ``method="lower"`` and ``method="higher"``). The estimate differs
    from numpy's own (linear) quantile by at most 1% of the larger of |lo| and |hi|, and by at
    most the width of one interval of ``interval_counts``: under 1/1023 of the column's range
    (maximum minus minimum), or twice the spacing of floats at the largest magnitude if that is
    wider. Whichever bound is smaller holds, give or take the rounding of the last bit.

The first bound comes from ``log_buckets`` (relative: any magnitude, heavy tails, numbers of both
signs); it holds for magnitudes down to 1e-35 of the largest of the same sign. The second comes
from ``interval_counts`` (absolute: a narrow spread far from zero, such as levels or
coordinates). Each brackets the number of a rank; the estimate is the value in both brackets that
is nearest, relatively, to every number in them. The 0% and 100% quantiles are the minimum and
the maximum, always exact.

The histogram's counts are exact. Up to ``EXACT_LIMIT`` numbers it is ``numpy.histogram`` over the
range: equal bins from the minimum to the maximum, bin i holding the numbers x with
edges[i] <= x < edges[i + 1], and the last bin its right edge too. Beyond, the bins are whole
numbers of intervals of ``interval_counts``: equal, with the first edge at or below the minimum and
the last one above the maximum, each number counted in the bin whose edges enclose it, as above.

The distributions of two columns merge (``merge``) into the distribution of both columns counted as
one, exactly: the numbers kept (while both together are at most ``EXACT_LIMIT``), and the counts of
both sketches. So the quantiles and the histogram of several tables together are what they would
be for one table of all their rows, with the same guarantee.
"""

from __future__ import annotations

import math

import numpy as np

from tablestats.interval_counts import IntervalCounts
from tablestats.json_values import a_count, a_number, finite_numbers
from tablestats.log_buckets import LogBuckets

EXACT_LIMIT = 4096  # numbers kept for exact quantiles: 32 kB
# Bins of the histogram: numpy's "auto" rule. Freedman-Diaconis (bin width 2 * IQR / n**(1/3))
# fits the bins to the bulk of the numbers and is not thrown off by outliers; Sturges
# (log2(n) + 1 bins) keeps a few numbers from getting one or two bins, or a column whose middle
# half is one value (IQR 0) from getting none; the rule takes the larger count. At most 50 bins:
# more bars than that are noise on a screen or a page, and no more than floats can tell apart (a
# column of numbers a few spacings of floats apart has one bin). A constant column has one bin.
MAX_BINS = 50


class Distribution:
    def __init__(self) -> None:
        self.count = 0
        self.min = math.inf
        self.max = -math.inf
        self._kept: list[np.ndarray] | None = []  # the numbers, until there are too many
        self._magnitudes = LogBuckets()
        self._intervals = IntervalCounts()

    def add(self, numbers: np.ndarray) -> None:
        """Count ``numbers``, finite floats."""
        if not len(numbers):
            return
        self.count += len(numbers)
        self.min = min(self.min, float(numbers.min()))
        self.max = max(self.max, float(numbers.max()))
        if self._kept is not None:
            self._kept.append(numbers.copy())
            if self.count > EXACT_LIMIT:
                self._kept = None
        self._magnitudes.add(numbers)
        self._intervals.add(numbers, self.min, self.max)

    def merge(self, other: Distribution) -> None:
        """Count the numbers ``other`` counted too (``other`` stays as it is)."""
        if not other.count:
            return
        low, high = min(self.min, other.min), max(self.max, other.max)
        if self._kept is not None and other._kept is not None:
            self._kept = self._kept + other._kept
        if self._kept is None or other._kept is None or self.count + other.count > EXACT_LIMIT:
            self._kept = None
        self._magnitudes.merge(other._magnitudes)
        self._intervals.merge(other._intervals, low, high)
        self.count += other.count
        self.min, self.max = low, high

    def to_dict(self) -> dict:
        kept = None if self._kept is None else np.concatenate([[], *self._kept]).tolist()
        return {
            "count": self.count,
            "min": self.min if self.count else None,
            "max": self.max if self.count else None,
            "kept": kept,
            "magnitudes": self._magnitudes.to_dict(),
            "intervals": self._intervals.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Distribution:
        """The inverse of ``to_dict``; ValueError, KeyError or TypeError on anything else."""
        found = cls()
        found.count = a_count(data["count"])
        if found.count:
            found.min, found.max = a_number(data["min"]), a_number(data["max"])
        kept = data["kept"]
        found._kept = None if kept is None else [finite_numbers(kept)]
        if found._kept is not None and len(found._kept[0]) != found.count:
            raise ValueError(f"{len(found._kept[0])} numbers kept of {found.count}")
        found._magnitudes = LogBuckets.from_dict(data["magnitudes"])
        found._intervals = IntervalCounts.from_dict(data["intervals"])
        return found

    def quantile(self, q: float) -> float | None:
        """The q-quantile (0 <= q <= 1), interpolated as numpy.quantile's default (linear);
        None without numbers."""
        if not self.count:
            return None
        position = q * (self.count - 1)
        below = math.floor(position)
        fraction = position - below
        if not fraction:
            return self._number_of_rank(below)
        return _between(self._number_of_rank(below), self._number_of_rank(below + 1), fraction)

    def histogram(self) -> tuple[list[float], list[int]] | None:
        """Edges and counts (see the module docstring); None without numbers."""
        if not self.count:
            return None
        if self.min == self.max:
            return [self.min, self.max], [self.count]
        quartile_1, quartile_3 = self.quantile(0.25), self.quantile(0.75)
        assert quartile_1 is not None and quartile_3 is not None  # there are numbers
        bins = number_of_bins(self.count, self.min, self.max, quartile_1, quartile_3)
        if self._kept is not None and math.isfinite(self.max - self.min):
            # For a range near the largest float, numpy's last edge overflows on the way, before
            # numpy sets it to the maximum: the edges it gives are finite.
            with np.errstate(over="ignore"):
                counts, edges = np.histogram(np.concatenate(self._kept), bins, (self.min, self.max))
            return edges.tolist(), counts.tolist()
        return self._intervals.histogram(bins)

    def _number_of_rank(self, rank: int) -> float:
        """The number of that rank (0 for the smallest): exact, or estimated from both sketches."""
        if rank == 0 or self.min == self.max:
            return self.min
        if rank == self.count - 1:
            return self.max
        if self._kept is not None:
            return float(np.partition(np.concatenate(self._kept), rank)[rank])
        low, high = self._magnitudes.bounds(rank)
        interval_low, interval_high = self._intervals.bounds(rank)
        low = max(low, interval_low, self.min)
        high = min(high, interval_high, self.max)
        if low > high:  # cannot happen, but the interval's bounds are certain
            low, high = max(interval_low, self.min), min(interval_high, self.max)
        return _nearest_to_all(low, high)


def number_of_bins(
    count: int, low: float, high: float, quartile_1: float, quartile_3: float
) -> int:
    """The number of bins of the histogram: see MAX_BINS."""
    if low == high:
        return 1
    sturges = math.ceil(math.log2(count)) + 1
    spread = quartile_3 - quartile_1
    bins = sturges
    if spread > 0:
        # The range over Freedman-Diaconis' width 2 * spread / count**(1/3), in halves (no
        # overflow)
        freedman_diaconis = (high / 2 - low / 2) / spread * count ** (1 / 3)
        bins = max(sturges, math.ceil(min(freedman_diaconis, MAX_BINS)))
    return max(1, min(bins, MAX_BINS, _distinct_bins(low, high)))


def _distinct_bins(low: float, high: float) -> int:
    """How many bins from ``low`` to ``high`` floats can tell apart: each at least 8 times the
    spacing of floats at the larger magnitude wide. Numpy rounds each edge it computes (by up to
    two spacings), and refuses edges that do not increase ("Too many bins for data range"), as
    for numbers a few spacings apart, which real files have (0.1 + 0.2 and 0.3)."""
    spacing = math.ulp(max(-low, high))
    return math.floor((high / 2 - low / 2) / (4 * spacing))  # halves: the range may overflow


def _between(low: float, high: float, fraction: float) -> float:
    """``low + fraction * (high - low)``, rounded as numpy.quantile rounds it."""
    difference = high - low
    if not math.isfinite(difference):  # numbers of both signs near the largest float
        return low * (1 - fraction) + high * fraction
    if fraction < 0.5:
        return low + difference * fraction
    return high - difference * (1 - fraction)


def _nearest_to_all(low: float, high: float) -> float:
    """The value with the least relative error to every number from ``low`` to ``high``: for
    bounds of one sign, their harmonic mean (within (high - low) / (high + low) of each)."""
    if low > 0:
        return min(max(low * (2 / (1 + low / high)), low), high)  # rounding stays within bounds
    if high < 0:
        return -_nearest_to_all(-high, -low)
    return low / 2 + high / 2
