"""The mean and the standard deviation (``tablestats.moments``), against exact arithmetic."""

import math
import statistics
import unittest
from fractions import Fraction

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tablestats.moments import Moments, _exact_parts

FLOATS = st.floats(-1e250, 1e250)


def moments(numbers, block: int = 7) -> Moments:
    added = Moments()
    for start in range(0, len(numbers), block):
        added.add(np.array(numbers[start : start + block], dtype=np.float64))
    return added


class ExactSumTest(unittest.TestCase):
    @given(st.lists(FLOATS, min_size=1))
    def test_the_parts_add_up_to_the_exact_sum(self, numbers):
        parts = _exact_parts(np.array(numbers))
        self.assertEqual(sum(map(Fraction, parts)), sum(map(Fraction, numbers)))

    def test_numbers_far_apart(self):
        numbers = np.array([1e200, 3.0, -1e200, 1e-200, 2.0**-1074])
        self.assertEqual(math.fsum(_exact_parts(numbers)), 3.0)


class MeanTest(unittest.TestCase):
    @given(st.lists(FLOATS, min_size=1))
    def test_the_mean_is_the_exact_mean_correctly_rounded(self, numbers):
        exact = sum(map(Fraction, numbers)) / len(numbers)
        self.assertEqual(moments(numbers).mean(), float(exact))

    def test_cancellation_that_a_naive_sum_loses(self):
        self.assertEqual(moments([1e16, 1.0, -1e16, 1.0]).mean(), 0.5)

    def test_a_constant_column_has_its_value_as_the_mean(self):
        """The sum of 0.8 three times, rounded, over 3, is 0.8000000000000002: above them all."""
        self.assertEqual(math.fsum([0.8] * 3) / 3, 0.8000000000000002)
        self.assertEqual(moments([0.8] * 3).mean(), 0.8)


class StandardDeviationTest(unittest.TestCase):
    @given(st.lists(st.floats(-1e100, 1e100), min_size=2))
    def test_as_exact_arithmetic_gives_it(self, numbers):
        """statistics.stdev works in fractions: exact up to its final square root. A spread below
        1e-14 of the numbers themselves is below what their floats can show."""
        resolution = 1e-14 * max(map(abs, numbers))
        std, expected = moments(numbers).std(), statistics.stdev(numbers)
        self.assertTrue(math.isclose(std, expected, rel_tol=1e-9, abs_tol=resolution))

    def test_a_small_spread_far_from_zero_keeps_its_digits(self):
        """Levels of 1,000,000.001 m to 1,000,000.003 m: a sum of squares would give noise."""
        levels = [1_000_000.001, 1_000_000.002, 1_000_000.003] * 1000
        self.assertTrue(math.isclose(moments(levels, block=512).std(), statistics.stdev(levels)))

    def test_blocks_merge_as_one(self):
        numbers = np.random.default_rng(1).lognormal(3, 2, 10_000).tolist()
        self.assertTrue(math.isclose(moments(numbers, block=333).std(), statistics.stdev(numbers)))

    def test_numbers_near_the_largest_float(self):
        numbers = [1.7e308, 1.7e308, -1.7e308, 1.7e308]
        expected = statistics.stdev([n / 2**600 for n in numbers]) * 2**600
        self.assertTrue(math.isclose(moments(numbers, block=2).std(), expected))
        self.assertEqual(moments(numbers).mean(), 0.85e308)

    def test_a_spread_beyond_the_largest_float_has_none(self):
        self.assertIsNone(moments([-1.7e308, 1.7e308]).std())

    def test_one_number_has_none_and_a_constant_column_none_at_all(self):
        self.assertIsNone(moments([4.5]).std())
        self.assertEqual(moments([4.5] * 100).std(), 0.0)
        self.assertEqual(moments([0.1] * 100).std(), 0.0)
        self.assertIsNone(Moments().mean())
