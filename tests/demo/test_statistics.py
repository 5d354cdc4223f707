import datetime
import json
import math
import statistics
import unittest
from collections.abc import Iterable
from functools import partial
from unittest import mock

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from app_files.uploaded import UploadError
from tablestats import row_blocks
from tablestats.distribution import number_of_bins
from tablestats.numbers import numbers_in_column, numbers_in_values
from tablestats.row_blocks import blocks_of_rows
from tablestats.statistics import ColumnSummary, Histogram, Summary, summarize
from tablestats.table import Table, column_letters


def summary_of(
    header: list, rows: Iterable, read_cells=numbers_in_values, **table_fields
) -> Summary:
    """As a reader gives a table of these rows: as the Excel reader does, by default."""
    blocks = blocks_of_rows(rows, len(header), read_cells)
    return summarize(Table(header=header, blocks=blocks, sheet=None, **table_fields))


def text_summary(lines: list[str], decimal_comma: bool = False) -> Summary:
    """As the text reader gives a file of these comma-separated lines, read by csv."""
    header, *rows = [line.split(",") for line in lines]
    return summary_of(header, rows, partial(numbers_in_column, decimal_comma=decimal_comma))


def column(summary: Summary, name: str) -> ColumnSummary:
    return next(c for c in summary.columns if c.name == name)


def basics(column: ColumnSummary) -> tuple:
    return (column.count, column.numeric_count, column.min, column.max, column.mean)


class SummarizeTest(unittest.TestCase):
    def test_counts_and_numbers_per_column(self):
        summary = summary_of(["span", "grade"], [[4.5, "S235"], [6, "S355"], [7.5, "S235"]])
        self.assertEqual(summary.rows, 3)
        self.assertEqual(basics(column(summary, "span")), (3, 3, 4.5, 7.5, 6.0))
        self.assertEqual(
            column(summary, "grade"), ColumnSummary("grade", 3, 0, None, None, None)
        )  # no statistics of numbers, all None

    def test_empty_cells_are_not_counted(self):
        summary = summary_of(["a", "b"], [[1.0, ""], [None, "x"], ["", 2.0]])
        self.assertEqual(column(summary, "a").count, 1)
        self.assertEqual(column(summary, "b").count, 2)
        self.assertEqual(column(summary, "b").numeric_count, 1)

    def test_text_dates_and_booleans_are_counted_not_averaged(self):
        summary = summary_of(["value"], [[1.0], ["x"], [True], [datetime.date(2024, 1, 2)], [3.0]])
        self.assertEqual(basics(column(summary, "value")), (5, 2, 1.0, 3.0, 2.0))

    def test_empty_rows_are_not_rows_but_rows_of_zeros_are(self):
        summary = summary_of(["a", "b"], [[1.0], [""], [None, ""], [], [0.0, False], [2.0]])
        self.assertEqual(summary.rows, 3)

    def test_short_rows_are_padded_and_cells_beyond_the_header_ignored(self):
        summary = summary_of(["a", "b"], [[1.0], [2.0, 3.0, 99.0], [4.0, 5.0]])
        self.assertEqual(basics(column(summary, "a")), (3, 3, 1.0, 4.0, 7 / 3))
        self.assertEqual(basics(column(summary, "b")), (2, 2, 3.0, 5.0, 4.0))
        self.assertEqual([c.name for c in summary.columns], ["a", "b"])

    def test_unnamed_columns_get_their_letter_in_the_sheet_and_empty_ones_are_dropped(self):
        rows = [[1.0, 2.0, "", ""], [1.0, 3.0, "", ""]]
        summary = summary_of(["a", "", None, "d"], rows)
        self.assertEqual([c.name for c in summary.columns], ["a", "Column B", "d"])
        from_d = summary_of(["a", "", None, "d"], rows, first_column=3)  # the table starts in D
        self.assertEqual([c.name for c in from_d.columns], ["a", "Column E", "d"])

    def test_formulas_without_a_value_are_reported_per_column_and_keep_it(self):
        summary = summary_of(
            ["a", "b", None], [[1.0, "", ""], [2.0, "", ""]], formulas_without_value={1: 2, 2: 5}
        )
        self.assertEqual(
            [(c.name, c.formulas_without_value) for c in summary.columns],
            [("a", 0), ("b", 2), ("Column C", 5)],
        )

    def test_mean_is_exact_where_a_naive_sum_is_not(self):
        summary = summary_of(["x"], [[1e16], [1.0], [-1e16], [1.0]])
        self.assertEqual(column(summary, "x").mean, 0.5)

    def test_infinities_and_nan_are_values_but_not_numbers(self):
        """An Excel cell can hold inf or NaN; neither is a measurement."""
        summary = summary_of(["x"], [[1.0], [math.inf], [-math.inf], [math.nan], [3.0]])
        self.assertEqual(basics(column(summary, "x")), (5, 2, 1.0, 3.0, 2.0))
        json.dumps(summary.to_dict(), allow_nan=False)  # stored as JSON without NaN

    def test_numbers_near_the_largest_float_do_not_overflow(self):
        values = [1.7e308, 1.7e308, -1.7e308, 1.7e308]
        x = column(summary_of(["x"], ([value] for value in values)), "x")
        self.assertEqual(x.mean, 0.85e308)
        self.assertTrue(math.isclose(x.std, 1.7e308))
        json.dumps(x.histogram.edges, allow_nan=False)
        mixed = summary_of(["x"], [[1e308], [1e308], [2.0], [4.0]] + [[6.0]] * 600)
        self.assertTrue(math.isclose(column(mixed, "x").mean, 1e308 / 302))  # 2e308 / 604

    def test_rows_are_read_once(self):
        rows = iter([[1.0], [2.0]])
        summary_of(["x"], rows)
        self.assertEqual(list(rows), [])

    def test_no_header_is_refused(self):
        with self.assertRaises(UploadError) as caught:
            summary_of([], [[1.0]])
        self.assertIn("first row", str(caught.exception))

    def test_no_numeric_column_is_refused_with_advice(self):
        with self.assertRaises(UploadError) as caught:
            summary_of(["a", "b"], [["x", "y"], ["y", "z"]])
        self.assertIn("No column holds numbers", str(caught.exception))
        self.assertIn("stored as numbers", str(caught.exception))

    def test_numbers_written_as_text_are_named_in_the_refusal(self):
        with self.assertRaises(UploadError) as caught:
            text_summary(["Beam,Load", "B1,1 250", "B2,1 500"])
        message = str(caught.exception)
        self.assertIn("Column 'Load' holds 2 numbers written as text", message)
        self.assertIn("write them as plain numbers", message)


class SpreadTest(unittest.TestCase):
    """The statistics of the spread: standard deviation, quantiles, histogram."""

    def test_a_small_column_is_numpys_to_the_last_bit(self):
        values = np.random.default_rng(1).normal(250, 40, 1000)
        x = column(summary_of(["x"], ([value] for value in values.tolist())), "x")
        self.assertTrue(math.isclose(x.std, statistics.stdev(values.tolist())))
        self.assertEqual(
            (x.p05, x.median, x.p95), tuple(np.quantile(values, [0.05, 0.5, 0.95]).tolist())
        )
        q1, q3 = np.quantile(values, [0.25, 0.75])
        counts, edges = np.histogram(
            values, number_of_bins(1000, values.min(), values.max(), q1, q3)
        )
        self.assertEqual(x.histogram, Histogram(edges.tolist(), counts.tolist()))

    def test_blocks_of_rows_add_up(self):
        """Many rows, read in many blocks: the result must not depend on where blocks end."""
        values = [float(i % 97) - 30.5 for i in range(5000)]
        rows = [[v, f"r{i}"] for i, v in enumerate(values)]
        with mock.patch.object(row_blocks, "_BLOCK_CELLS", 1000):
            in_chunks = summary_of(["x", "label"], rows)
        at_once = summary_of(["x", "label"], rows)
        self.assertEqual(in_chunks, at_once)
        x = column(at_once, "x")
        self.assertEqual((in_chunks.rows, x.count, x.numeric_count), (5000, 5000, 5000))
        self.assertEqual((x.min, x.max), (min(values), max(values)))
        self.assertTrue(math.isclose(x.mean, math.fsum(values) / 5000, rel_tol=1e-15))
        self.assertTrue(math.isclose(x.std, statistics.stdev(values), rel_tol=1e-12))
        self.assertEqual(sum(x.histogram.counts), 5000)

    def test_one_number_and_a_constant_column(self):
        one = column(summary_of(["x"], [[4.5]]), "x")
        self.assertEqual((one.std, one.median, one.p05, one.p95), (None, 4.5, 4.5, 4.5))
        self.assertEqual(one.histogram, Histogram([4.5, 4.5], [1]))
        constant = column(summary_of(["x"], [[0.1]] * 300), "x")
        self.assertEqual((constant.std, constant.median), (0.0, 0.1))
        self.assertEqual(constant.histogram, Histogram([0.1, 0.1], [300]))

    def test_numbers_as_text_are_counted_apart_in_a_workbook_and_in_a_text_file(self):
        workbook = summary_of(["x"], [[1.5], ["12.5"], [" 1 234 "], ["n/a"], [2.5]])
        self.assertEqual(basics(column(workbook, "x"))[:2], (5, 2))
        self.assertEqual(column(workbook, "x").numbers_as_text, 2)
        text_file = text_summary(["x", "1.5", "1 234", "２６８７", "n/a", "2.5"])
        self.assertEqual(basics(column(text_file, "x"))[:2], (5, 2))
        self.assertEqual(column(text_file, "x").numbers_as_text, 2)


class SummaryDataTest(unittest.TestCase):
    @given(st.lists(st.one_of(st.floats(), st.integers(-(2**60), 2**60), st.text()), min_size=1))
    def test_any_column_is_stored_as_json_without_nan_or_infinity_and_read_back(self, cells):
        summary = summary_of(["x", "n"], ([cell, 1.0] for cell in cells))
        stored = json.loads(json.dumps(summary.to_dict(), allow_nan=False))
        self.assertEqual(Summary.from_dict(stored), summary)

    def test_round_trip_through_json(self):
        summary = summary_of(["a", "b"], [[1.0, "x"], [3, "12"], [2.5, "y"]])
        stored = json.loads(json.dumps(summary.to_dict(), allow_nan=False))
        self.assertEqual(Summary.from_dict(stored), summary)
        self.assertEqual(set(stored["columns"][0]["histogram"]), {"edges", "counts"})

    def test_wrong_data_is_refused(self):
        good = summary_of(["a"], [[1.0], [2.0]]).to_dict()
        first = good["columns"][0]

        def with_column(**changes):
            return {**good, "columns": [{**first, **changes}]}

        bad_entries = [
            {},
            {"rows": 1},
            {**good, "rows": -1},
            {**good, "columns": "a"},
            {**good, "columns": [{"name": "a"}]},
            with_column(name=3),
            with_column(min="low"),
            with_column(count="many"),
            with_column(count=True),
            with_column(count=2.0),
            with_column(std=math.nan),
            with_column(p95=math.inf),
            with_column(numbers_as_text=-1),
            with_column(histogram={"edges": [1.0, 2.0], "counts": [1, 1]}),
            with_column(histogram={"edges": [2.0, 1.0], "counts": [2]}),
            with_column(histogram={"edges": [1.0, 2.0]}),
            with_column(histogram=[1.0, 2.0]),
        ]
        bad_entries.append({**good, "columns": [{k: v for k, v in first.items() if k != "p05"}]})
        for entry in bad_entries:
            with self.subTest(entry=entry), self.assertRaises((KeyError, TypeError, ValueError)):
                Summary.from_dict(entry)


class ColumnLettersTest(unittest.TestCase):
    def test_as_excel_names_them(self):
        cases = {0: "A", 25: "Z", 26: "AA", 51: "AZ", 701: "ZZ", 702: "AAA", 16383: "XFD"}
        for index, letters in cases.items():
            with self.subTest(index=index):
                self.assertEqual(column_letters(index), letters)
