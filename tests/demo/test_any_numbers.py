"""Any finite numbers, from the cells to the stored JSON and the figure, never crash the job.

Generated columns (Hypothesis, derandomized: the same examples on every run) mix what real files
hold at the edges of floats: any finite number, the largest float and the smallest, numbers a few
floats apart (0.1 + 0.2 and 0.3), magnitudes from 1e-300 to 1e300 in one column, and thousands of
copies of one value. Each column is read as a CSV file or as a workbook's cells, summarized kept
whole or through the sketches (as a column beyond ``EXACT_LIMIT``), stored as JSON without NaN or
Infinity, read back, and drawn.
"""

import json
import math
import sys
import unittest
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demo.sample_files import stats
from tablestats import distribution
from tablestats.computation import TableStatistics
from tablestats.numbers import numbers_in_values
from tablestats.plot import distribution_figure
from tablestats.row_blocks import blocks_of_rows
from tablestats.statistics import Summary, summarize
from tablestats.table import Table

LARGEST = sys.float_info.max
FINITE = st.floats(allow_nan=False, allow_infinity=False)
EDGES_OF_FLOATS = st.sampled_from(
    [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-300, 0.3, 1e300, LARGEST, -LARGEST]
)
NUMBER = st.one_of(FINITE, EDGES_OF_FLOATS)
# The same examples on every run, a bounded number of them, and no example database to replay.
DERANDOMIZED = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=120,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def floats_after(number: float, steps: int) -> float:
    """The float ``steps`` floats above ``number`` (or the largest float)."""
    for _ in range(steps):
        number = min(math.nextafter(number, math.inf), LARGEST)
    return number


@st.composite
def columns(draw) -> list[float]:
    """Any numbers, numbers a few floats apart, and many copies of one number, mixed."""
    numbers = draw(st.lists(NUMBER, max_size=30))
    base = draw(NUMBER)
    numbers += [floats_after(base, steps) for steps in draw(st.lists(st.integers(0, 40)))]
    numbers += [draw(NUMBER)] * draw(st.sampled_from([0, 1, 2, 4097, 6000]))
    return draw(st.permutations(numbers or [base]))


def summary_of_cells(numbers: list[float], as_workbook: bool) -> Summary:
    if as_workbook:  # the values the Excel reader gives
        rows = ([number] for number in numbers)
        table = Table(["x"], blocks_of_rows(rows, 1, numbers_in_values), sheet="Sheet1")
        return summarize(table)
    text = "x\n" + "\n".join(map(repr, numbers)) + "\n"
    summary, _ = stats(text.encode(), "numbers.csv")
    return summary


class AnyNumbersTest(unittest.TestCase):
    @DERANDOMIZED
    @given(columns(), st.booleans(), st.booleans())
    def test_every_finite_number_gives_a_finite_summary_stored_and_drawn(
        self, numbers, as_workbook, through_sketches
    ):
        limit = 0 if through_sketches else distribution.EXACT_LIMIT
        with mock.patch.object(distribution, "EXACT_LIMIT", limit):
            summary = summary_of_cells(numbers, as_workbook)
        stored = json.dumps(TableStatistics(None, summary).to_json(), allow_nan=False)
        (column,) = TableStatistics.from_json(json.loads(stored)).summary.columns
        self.assertEqual(column.numeric_count, len(numbers))
        self.assertEqual((column.min, column.max), (min(numbers), max(numbers)))
        assert column.mean is not None and column.histogram is not None
        self.assertTrue(column.min <= column.mean <= column.max)
        quantiles = [column.min, column.p05, column.median, column.p95, column.max]
        self.assertEqual(quantiles, sorted(quantiles))  # type: ignore[type-var]
        self.assertTrue(column.std is None or column.std >= 0)
        edges, counts = column.histogram.edges, column.histogram.counts
        self.assertEqual(sum(counts), len(numbers))
        self.assertTrue(edges[0] <= column.min and column.max <= edges[-1])

        figure = json.loads(distribution_figure(summary))  # no NaN nor Infinity: json refuses
        (trace,) = figure["data"]
        low, high = figure["layout"]["xaxis"]["range"]
        self.assertLess(low, high)
        for x, width in zip(trace["x"], trace["width"], strict=True):
            self.assertGreater(width, 0)
            self.assertTrue(low <= x <= high, (low, x, high))
        for shape in figure["layout"]["shapes"]:
            self.assertTrue(low <= shape["x0"] <= high, (low, shape["x0"], high))


if __name__ == "__main__":
    unittest.main()
