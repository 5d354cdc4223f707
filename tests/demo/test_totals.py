"""Several tables together (``statistics.Totals``): what is counted of each table, stored as JSON
and merged, gives the statistics of one table of all their rows, as reading them at once would."""

import json
import math
import unittest
from unittest import mock

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from demo.test_any_numbers import DERANDOMIZED, columns
from tablestats import distribution
from tablestats.numbers import numbers_in_values
from tablestats.row_blocks import blocks_of_rows
from tablestats.statistics import Totals, count_table
from tablestats.table import Table


def totals_of(header: list, rows: list[list]) -> Totals:
    """As the Excel reader gives a table of these rows, counted."""
    return count_table(Table(header, blocks_of_rows(rows, len(header), numbers_in_values), None))


def stored(totals: Totals) -> Totals:
    """``totals`` through the JSON of a stored entry, and back."""
    return Totals.from_dict(json.loads(json.dumps(totals.to_dict(), allow_nan=False)))


def merged(*tables: Totals) -> Totals:
    first, *others = [stored(table) for table in tables]
    for other in others:
        first.merge(other)
    return first


class MergeTest(unittest.TestCase):
    @DERANDOMIZED
    @given(columns(), st.lists(st.floats(0, 1), max_size=2), st.booleans())
    def test_tables_merged_are_one_table_of_all_their_rows(self, numbers, cuts, through_sketches):
        """Everything as reading all the rows at once gives it; the standard deviation as the
        blocks of one table merge, which a spread below 1e-14 of the numbers themselves (below
        what their floats can show) may not keep."""
        limit = 0 if through_sketches else distribution.EXACT_LIMIT
        ends = sorted(round(cut * len(numbers)) for cut in cuts)
        parts = [
            numbers[start:end] for start, end in zip([0, *ends], [*ends, len(numbers)], strict=True)
        ]
        with mock.patch.object(distribution, "EXACT_LIMIT", limit):
            at_once = totals_of(["x"], [[number] for number in numbers]).summary()
            tables = [totals_of(["x"], [[number] for number in part]) for part in parts if part]
            together = merged(*tables).summary()
        (one,), (both,) = at_once.columns, together.columns
        std_one, std_both = one.std, both.std
        one.std = both.std = None
        self.assertEqual(both, one)
        if std_one is None or std_both is None:
            self.assertEqual(std_one, std_both)
        else:
            resolution = 1e-14 * max(map(abs, numbers))
            self.assertTrue(math.isclose(std_both, std_one, rel_tol=1e-9, abs_tol=resolution))

    def test_large_tables_of_other_ranges_and_a_constant_one(self):
        rng = np.random.default_rng(19)
        parts = [rng.normal(100, 1, 5000), rng.lognormal(0, 3, 7000) - 50, np.full(3000, 28.0)]
        at_once = totals_of(["x"], [[x] for x in np.concatenate(parts).tolist()]).summary()
        together = merged(*[totals_of(["x"], [[x] for x in part.tolist()]) for part in parts])
        (one,), (both,) = at_once.columns, together.summary().columns
        self.assertTrue(math.isclose(one.std, both.std, rel_tol=1e-12))
        both.std = one.std
        self.assertEqual(both, one)

    def test_columns_are_merged_by_name_and_one_table_alone_counts_for_the_others(self):
        first = totals_of(["Span", "Load", "Load"], [[4.5, 10, 1], [6.0, 12, 2]])
        second = totals_of(["Load", "Depth", "Span"], [[14, 0.3, 7.5]])
        together = merged(first, second).summary()
        self.assertEqual(together.rows, 3)
        columns = {(c.name, c.min, c.max, c.numeric_count) for c in together.columns}
        self.assertEqual(
            columns,
            {("Span", 4.5, 7.5, 3), ("Load", 10, 14, 3), ("Load", 1, 2, 2), ("Depth", 0.3, 0.3, 1)},
        )
        self.assertEqual([c.name for c in together.columns], ["Span", "Load", "Load", "Depth"])
        self.assertEqual(first.summary().rows, 2)  # what was merged in stays as it was

    def test_the_mean_of_tables_is_their_exact_mean_rounded_once(self):
        """0.1 in one table and twice in another: their mean is 0.1, where the tables' means
        weighted by their counts give 0.10000000000000002."""
        tables = [totals_of(["x"], [[0.1]]), totals_of(["x"], [[0.1], [0.1]])]
        (x,) = merged(*tables).summary().columns
        self.assertEqual(x.mean, 0.1)
        self.assertNotEqual((1 * 0.1 + 2 * 0.1) / 3, 0.1)

    def test_wrong_data_is_refused(self):
        good = totals_of(["x"], [[1.0], [2.5]]).to_dict()
        column = good["columns"][0]

        def changed(path: str, value) -> dict:
            data = json.loads(json.dumps(good))
            *parents, last = path.split(".")
            node = data["columns"][0]
            for parent in parents:
                node = node[parent]
            node[last] = value
            return data

        for path, value in [
            ("count", -1),
            ("moments.sum", "1e400"),
            ("moments.count", 3),
            ("moments.squared_deviations", -1.0),
            ("distribution.kept", [1.0, "2"]),
            ("distribution.kept", [1.0]),
            ("distribution.intervals.width", 0.3),
            ("distribution.intervals.intervals.counts", [1.5, 1]),
            ("distribution.magnitudes.positive.buckets.keys", [3, 2]),
            ("distribution.magnitudes.zeros", True),
        ]:
            with self.subTest(path=path, value=value):
                with self.assertRaises((KeyError, TypeError, ValueError)):
                    Totals.from_dict(changed(path, value))
        self.assertIn("moments", column)
        Totals.from_dict(good)  # the unchanged data is read


if __name__ == "__main__":
    unittest.main()
