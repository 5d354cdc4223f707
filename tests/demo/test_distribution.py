"""Quantiles and histograms (``tablestats.distribution``), against numpy, which sorts everything.

The guarantee tested is the one the module states: beyond EXACT_LIMIT numbers, a quantile is
within 1% of the larger magnitude of the two numbers it lies between (numpy's "lower" and
"higher"), for magnitudes down to 1e-35 of the largest of their sign, and within 1/1023 of the
range (or twice the spacing of floats at the largest magnitude); whichever is smaller, give or
take the last bit.
"""

import math
import unittest
from fractions import Fraction
from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tablestats import distribution
from tablestats.distribution import MAX_BINS, Distribution, number_of_bins
from tablestats.interval_counts import MAX_INTERVALS
from tablestats.log_buckets import MAX_BUCKETS

QUANTILES = (0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0)


def counted(numbers: np.ndarray, blocks: int = 7) -> Distribution:
    """A distribution of ``numbers``, added in blocks of different sizes."""
    counts = Distribution()
    cuts = np.sort(np.random.default_rng(len(numbers)).integers(0, len(numbers), blocks))
    for block in np.split(np.asarray(numbers, dtype=np.float64), cuts):
        counts.add(block)
    return counts


def linear_quantile(numbers: np.ndarray, q: float) -> float:
    """numpy's quantile (linear); where numpy's own interpolation overflows (numbers of both signs
    near the largest float give NaN), the same interpolation in exact arithmetic."""
    with np.errstate(over="ignore", invalid="ignore"):
        found = float(np.quantile(numbers, q))
    if math.isfinite(found):
        return found
    ordered = np.sort(numbers)
    position = Fraction(q) * (len(numbers) - 1)
    below = math.floor(position)
    low, high = Fraction(ordered[below]), Fraction(ordered[min(below + 1, len(numbers) - 1)])
    return float(low + (high - low) * (position - below))


def allowed_error(numbers: np.ndarray, q: float) -> float:
    """The module's guarantee for the q-quantile of ``numbers``."""
    lower = np.quantile(numbers, q, method="lower")
    higher = np.quantile(numbers, q, method="higher")
    largest = abs(numbers).max()
    one_interval = max(numbers.max() / 1023 - numbers.min() / 1023, 2 * math.ulp(largest))

    def bound(value: float) -> float:
        same_sign = numbers[np.sign(numbers) == np.sign(value)]
        relative = 0.01 * abs(value) if abs(value) >= 1e-35 * abs(same_sign).max() else math.inf
        return min(relative, one_interval)

    last_bits = 2 * math.ulp(max(abs(lower), abs(higher)))
    return max(bound(lower), bound(higher)) + last_bits


class SketchAccuracyTest(unittest.TestCase):
    def assert_within_guarantee(self, numbers: np.ndarray, quantiles=QUANTILES):
        counts = counted(numbers)
        for q in quantiles:
            estimate = counts.quantile(q)
            error = abs(estimate - linear_quantile(numbers, q))
            self.assertLessEqual(error, allowed_error(numbers, q), f"q={q}: {estimate}")

    def test_columns_of_many_shapes(self):
        rng = np.random.default_rng(20261128)
        n = 60_000  # beyond EXACT_LIMIT: the sketches
        shapes = {
            "uniform": rng.uniform(0, 1, n),
            "normal": rng.normal(250, 40, n),
            "levels far from zero": 1000 + rng.normal(0, 0.001, n),
            "coordinates": 155_000 + rng.uniform(0, 200, n),
            "lognormal, heavy tail": rng.lognormal(0, 3, n),
            "pareto, heavier": rng.pareto(0.5, n),
            "cauchy, both tails": rng.standard_cauchy(n),
            "negative": -rng.exponential(10, n),
            "mixed magnitudes and signs": rng.choice([-1, 1], n) * 10.0 ** rng.uniform(-20, 20, n),
            "a third zeros": np.where(rng.uniform(size=n) < 0.3, 0.0, rng.normal(0, 1, n)),
            "integers": rng.integers(-2, 40, n).astype(float),
            "two values": rng.choice([0.5, 2.5], n),
            "near the largest float": rng.uniform(-1, 1, n) * 1.7e308,
            "subnormal": rng.uniform(0, 1e-310, n),
        }
        for name, numbers in shapes.items():
            with self.subTest(shape=name):
                self.assert_within_guarantee(numbers)

    @settings(max_examples=60, deadline=None)
    @given(
        st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=300),
        st.floats(0, 1),
    )
    def test_any_numbers_through_the_sketches(self, numbers, q):
        """With nothing kept, as beyond EXACT_LIMIT: small lists of any floats, any quantile."""
        with mock.patch.object(distribution, "EXACT_LIMIT", 0):
            self.assert_within_guarantee(np.array(numbers), quantiles=(q, 0.05, 0.5, 0.95))

    @settings(max_examples=30, deadline=None)
    @given(st.integers(0, 2**32), st.floats(0.01, 5), st.floats(-1e6, 1e6))
    def test_large_random_columns(self, seed, sigma, shift):
        numbers = shift + np.random.default_rng(seed).lognormal(0, sigma, 20_000)
        self.assert_within_guarantee(numbers)

    def test_the_minimum_and_the_maximum_are_exact(self):
        numbers = np.random.default_rng(3).lognormal(0, 2, 50_000)
        counts = counted(numbers)
        self.assertEqual((counts.quantile(0), counts.quantile(1)), (numbers.min(), numbers.max()))

    def test_blocks_give_what_one_block_gives(self):
        """The sketches are mergeable: how the rows come in blocks changes nothing."""
        numbers = np.random.default_rng(4).standard_cauchy(30_000)
        in_blocks, at_once = counted(numbers, blocks=40), counted(numbers, blocks=0)
        for q in QUANTILES:
            self.assertEqual(in_blocks.quantile(q), at_once.quantile(q))
        self.assertEqual(in_blocks.histogram(), at_once.histogram())

    def test_memory_is_bounded_whatever_the_numbers(self):
        numbers = np.random.default_rng(5).choice([-1, 1], 200_000) * 10.0 ** np.random.default_rng(
            6
        ).uniform(-300, 300, 200_000)
        counts = counted(numbers)
        magnitudes = counts._magnitudes
        for side in (magnitudes._negative, magnitudes._positive):
            self.assertLessEqual(len(side._buckets), MAX_BUCKETS)
        self.assertLessEqual(len(counts._intervals._intervals), MAX_INTERVALS)
        self.assertIsNone(counts._kept)


class ExactQuantilesTest(unittest.TestCase):
    @given(st.lists(st.floats(-1e300, 1e300), min_size=1, max_size=200), st.floats(0, 1))
    def test_up_to_the_limit_quantiles_are_numpys(self, numbers, q):
        counts = counted(np.array(numbers))
        self.assertEqual(counts.quantile(q), np.quantile(numbers, q))

    def test_no_numbers_no_quantiles_and_a_constant_column(self):
        self.assertIsNone(Distribution().quantile(0.5))
        self.assertIsNone(Distribution().histogram())
        constant = counted(np.full(10_000, 7.25))
        self.assertEqual([constant.quantile(q) for q in (0, 0.05, 0.5, 1)], [7.25] * 4)
        self.assertEqual(constant.histogram(), ([7.25, 7.25], [10_000]))


def counts_by_edges(numbers: np.ndarray, edges: list[float]) -> list[int]:
    """Each number in the bin whose edges enclose it: [left, right), the last [left, right]."""
    bins = np.searchsorted(edges, numbers, side="right") - 1
    bins[bins == len(edges) - 1] = len(edges) - 2  # the last edge itself: in the last bin
    return np.bincount(bins, minlength=len(edges) - 1).tolist()


class HistogramTest(unittest.TestCase):
    def assert_exact(self, numbers: np.ndarray):
        edges, counts = counted(numbers).histogram()
        self.assertEqual(counts, counts_by_edges(numbers, edges))
        self.assertLessEqual(edges[0], numbers.min())
        self.assertGreaterEqual(edges[-1], numbers.max())
        widths = np.diff(edges)
        rounding = 4 * math.ulp(max(-edges[0], edges[-1]))  # of edges a few floats apart
        self.assertTrue(np.allclose(widths, widths[0], rtol=1e-12, atol=rounding), widths)
        self.assertLessEqual(len(counts), MAX_BINS)
        return edges, counts

    def test_counts_are_exact_for_large_columns(self):
        rng = np.random.default_rng(7)
        for numbers in (
            rng.normal(250, 40, 50_000),
            1000 + rng.normal(0, 0.001, 50_000),
            rng.standard_cauchy(50_000),
            rng.integers(0, 5, 50_000).astype(float),
        ):
            with self.subTest(first=numbers[0]):
                self.assert_exact(numbers)

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.floats(-1e300, 1e300), min_size=2, max_size=300))
    def test_counts_are_exact_for_any_numbers_through_the_sketches(self, numbers):
        with mock.patch.object(distribution, "EXACT_LIMIT", 0):
            self.assert_exact(np.array(numbers))

    def test_numbers_a_few_floats_apart_get_no_more_bins_than_floats_tell_apart(self):
        """numpy refuses bins narrower than floats can tell apart ("Too many bins for data
        range"), as for 0.1 + 0.2 and 0.3 in one column; kept or through the sketches."""
        for base in (0.3, 1.0, -1e15, 1e-300, 5e-324, -(2.0**1023), 1.7976931348623157e308):
            for apart in (1, 2, 3, 15, 16, 40):
                numbers = np.array([base, base, math.nextafter(base, -math.inf)] * 3)
                for _ in range(apart - 1):
                    numbers[0] = math.nextafter(numbers[0], -math.inf)
                for limit in (distribution.EXACT_LIMIT, 0):
                    with self.subTest(base=base, apart=apart, limit=limit):
                        with mock.patch.object(distribution, "EXACT_LIMIT", limit):
                            edges, counts = self.assert_exact(numbers)
                        self.assertEqual(sum(counts), len(numbers))

    def test_up_to_the_limit_it_is_numpys_histogram_over_the_range(self):
        numbers = np.random.default_rng(8).normal(30, 3, 1000)
        edges, counts = self.assert_exact(numbers)
        q1, q3 = np.quantile(numbers, [0.25, 0.75])
        bins = number_of_bins(len(numbers), numbers.min(), numbers.max(), q1, q3)
        expected_counts, expected_edges = np.histogram(numbers, bins)
        self.assertEqual((edges, counts), (expected_edges.tolist(), expected_counts.tolist()))


class NumberOfBinsTest(unittest.TestCase):
    def test_the_rule(self):
        self.assertEqual(number_of_bins(100, 5.0, 5.0, 5.0, 5.0), 1)  # constant: one bin
        self.assertEqual(number_of_bins(1000, 0.0, 1.0, 0.5, 0.5), 11)  # no IQR: Sturges
        self.assertEqual(number_of_bins(8, 0.0, 100.0, 10.0, 90.0), 4)  # few: Sturges wins
        # 1000 normal numbers: Freedman-Diaconis, 2 * IQR / 10 = 0.27 wide over about 6.6
        self.assertEqual(number_of_bins(1000, -3.3, 3.3, -0.674, 0.674), 25)
        self.assertEqual(number_of_bins(10**6, -5.0, 5.0, -0.674, 0.674), MAX_BINS)
        # Numbers 16 floats apart: two bins at most, each 8 floats wide; 15 apart: one.
        self.assertEqual(number_of_bins(1000, 1.0, 1.0 + 16 * 2**-52, 1.0, 1.0), 2)
        self.assertEqual(number_of_bins(1000, 1.0, 1.0 + 15 * 2**-52, 1.0, 1.0), 1)
