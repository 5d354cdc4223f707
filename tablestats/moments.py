"""The mean and the standard deviation of numbers added a block at a time, without losing digits.

The mean is the exact mean, correctly rounded, however the numbers cancel: each block is split
into a few partial sums whose total is exactly the block's (``_exact_parts``), and the parts are
added once, at the end, as fractions, which the count divides before the one rounding. (Rounding
the sum first, then the quotient, can give a mean above the maximum: 0.8 three times has the mean
0.8000000000000002.) Sums near the largest float (1.8e308) are taken scaled down by a power of two
(exact), so that no part overflows.

The sample standard deviation (n - 1) is never taken from a sum of squares, which loses every
digit when the spread is small next to the mean (levels of 1000.001 m to 1000.003 m). Each block
gives its own mean and sum of squared deviations from it (two passes over the block), and
the blocks are merged with the update of Chan, Golub and LeVeque (1979). Deviations are taken in
units of the largest magnitude so far (a power of two, exact), so that no square overflows, nor
vanishes below the smallest float for a column of tiny numbers.

The moments of two columns merge (``merge``) as two blocks do: the mean of both is their exact
mean, and the standard deviation that of both, as closely as the blocks' means are rounded (a
spread below about 1e-14 of the numbers themselves, which their floats can hardly show, loses
digits there).
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np

from tablestats.json_values import a_count, a_number

_FRACTION = re.compile(r"-?[0-9]{1,1000}(/[0-9]{1,1000})?")
_PLAIN_SUM_LIMIT = 1e300
_SUM_SCALE = 2.0**-64
_NO_MAGNITUDE = -1075  # a unit below every float's: 2**-1074 is the smallest


class Moments:
    def __init__(self) -> None:
        self.count = 0
        self._sums: list[float] = []
        self._scaled_sums: list[float] = []  # sums of blocks of huge numbers, times _SUM_SCALE
        self._unit = 0  # deviations are held in units of 2**_unit, at least the largest magnitude
        self._mean = 0.0  # in that unit: the mean of the blocks so far, for the deviations
        self._squared_deviations = 0.0  # in that unit, squared
        self._merged_sum = Fraction(0)  # the exact sum of the numbers of columns merged in

    def add(self, numbers: np.ndarray) -> None:
        """Add ``numbers``, finite floats."""
        count = len(numbers)
        if not count:
            return
        largest = float(np.abs(numbers).max())
        if largest * count < _PLAIN_SUM_LIMIT:
            self._sums += _exact_parts(numbers)
        else:  # scaled down by a power of two (exact), or the sum would overflow
            self._scaled_sums += _exact_parts(numbers * _SUM_SCALE)

        # A block of zeros has no magnitude: the next block's, however small, is the unit.
        unit = math.frexp(largest)[1] if largest else _NO_MAGNITUDE
        if self.count:
            unit = max(unit, self._unit)
        in_unit = np.ldexp(numbers, -unit)  # below 1 in magnitude: no square overflows
        # Deviations from the block's first number first: exact for numbers close to it (and
        # all zero for a constant column, whose deviation is then exactly 0).
        first = float(in_unit[0])
        from_first = in_unit - first
        mean_from_first = float(from_first.mean())
        block_squares = float(np.square(from_first - mean_from_first).sum())
        self._merge(count, unit, first + mean_from_first, block_squares)

    def merge(self, other: Moments) -> None:
        """Add the numbers ``other`` added (``other`` stays as it is)."""
        if not other.count:
            return
        self._merged_sum += other._exact_sum()
        self._merge(other.count, other._unit, other._mean, other._squared_deviations)

    def _merge(self, count: int, unit: int, mean: float, squared_deviations: float) -> None:
        """Merge ``count`` numbers of this ``mean`` and sum of squared deviations from it (in
        units of 2**unit) into those so far."""
        if not self.count or unit > self._unit:  # a larger unit: the deviations so far shrink
            self._mean = math.ldexp(self._mean, self._unit - unit)
            self._squared_deviations = math.ldexp(self._squared_deviations, 2 * (self._unit - unit))
            self._unit = unit
        elif unit < self._unit:
            mean = math.ldexp(mean, unit - self._unit)
            squared_deviations = math.ldexp(squared_deviations, 2 * (unit - self._unit))
        total = self.count + count
        shift = mean - self._mean
        self._mean += shift * count / total
        self._squared_deviations += squared_deviations + shift * shift * (
            self.count * count / total
        )
        self.count = total

    def to_dict(self) -> dict:
        return {
            "count": self.count,
            "sum": str(self._exact_sum()),  # the exact sum, as a fraction: "1234567/1024"
            "unit": self._unit,
            "mean": self._mean,
            "squared_deviations": self._squared_deviations,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Moments:
        """The inverse of ``to_dict``; ValueError, KeyError or TypeError on anything else."""
        found = cls()
        found.count = a_count(data["count"])
        if not isinstance(data["sum"], str) or not _FRACTION.fullmatch(data["sum"]):
            raise ValueError(f"expected a fraction, got {data['sum']!r}")
        found._merged_sum = Fraction(data["sum"])
        if type(data["unit"]) is not int:
            raise TypeError(f"expected a whole number, got {data['unit']!r}")
        found._unit = data["unit"]
        found._mean = a_number(data["mean"])
        found._squared_deviations = a_number(data["squared_deviations"])
        if found._squared_deviations < 0:
            raise ValueError("a negative sum of squares")
        return found

    def mean(self) -> float | None:
        if not self.count:
            return None
        return float(self._exact_sum() / self.count)

    def _exact_sum(self) -> Fraction:
        exact_sum = sum(map(Fraction, self._sums), self._merged_sum)
        return exact_sum + sum(map(Fraction, self._scaled_sums)) / Fraction(_SUM_SCALE)

    def std(self) -> float | None:
        """The sample standard deviation; None for fewer than two numbers, or (for a column that
        spans more than the floats) when it is beyond the largest float."""
        if self.count < 2:
            return None
        try:
            return math.ldexp(math.sqrt(self._squared_deviations / (self.count - 1)), self._unit)
        except OverflowError:
            return None


def _exact_parts(numbers: np.ndarray) -> list[float]:
    """A few floats whose sum is exactly the sum of ``numbers`` (whose sum is below 1e300).

    Error-free extraction (Rump, Ogita and Oishi, 2008): adding, then taking away, a power of two
    ``sigma`` beyond count times the largest magnitude rounds every number to a multiple of sigma's
    last bit, exactly; those multiples add up exactly in any order, since no partial sum needs
    more bits than sigma has; and what is left of each number is exact too, and at least 2**30
    times smaller. Numpy does each round for the whole block at once, until nothing is left.
    """
    parts = []
    rest = numbers
    while largest := float(np.abs(rest).max()):  # usually twice: nothing is left after that
        exponent = math.frexp(largest)[1] + math.ceil(math.log2(len(rest) + 2))
        sigma = math.ldexp(1.0, exponent)
        high = (sigma + rest) - sigma
        parts.append(float(high.sum()))
        rest = rest - high
    return parts
