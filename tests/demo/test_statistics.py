import datetime
import math
import unittest

from app_files.uploaded import UploadError
from tablestats.statistics import ColumnSummary, Summary, summarize
from tablestats.table import column_letters


def column(summary: Summary, name: str) -> ColumnSummary:
    return next(c for c in summary.columns if c.name == name)


class SummarizeTest(unittest.TestCase):
    def test_counts_and_numbers_per_column(self):
        summary = summarize(
            ["span", "grade"],
            [[4.5, "S235"], [6, "S355"], [7.5, "S235"]],
        )
        self.assertEqual(summary.rows, 3)
        self.assertEqual(column(summary, "span"), ColumnSummary("span", 3, 3, 4.5, 7.5, 6.0))
        self.assertEqual(column(summary, "grade"), ColumnSummary("grade", 3, 0, None, None, None))

    def test_empty_cells_are_not_counted(self):
        summary = summarize(["a", "b"], [[1.0, ""], [None, "x"], ["", 2.0]])
        self.assertEqual(column(summary, "a").count, 1)
        self.assertEqual(column(summary, "b").count, 2)
        self.assertEqual(column(summary, "b").numeric_count, 1)

    def test_text_dates_and_booleans_are_counted_not_averaged(self):
        summary = summarize(
            ["value"],
            [[1.0], ["12"], [True], [datetime.date(2024, 1, 2)], [3.0]],
        )
        self.assertEqual(column(summary, "value"), ColumnSummary("value", 5, 2, 1.0, 3.0, 2.0))

    def test_empty_rows_are_not_rows(self):
        summary = summarize(["a"], [[1.0], [""], [None], [], [2.0]])
        self.assertEqual(summary.rows, 2)

    def test_short_rows_are_padded_and_cells_beyond_the_header_ignored(self):
        summary = summarize(["a", "b"], [[1.0], [2.0, 3.0, 99.0], [4.0, 5.0]])
        self.assertEqual(column(summary, "a"), ColumnSummary("a", 3, 3, 1.0, 4.0, 7 / 3))
        self.assertEqual(column(summary, "b"), ColumnSummary("b", 2, 2, 3.0, 5.0, 4.0))
        self.assertEqual([c.name for c in summary.columns], ["a", "b"])

    def test_unnamed_columns_get_their_letter_and_empty_ones_are_dropped(self):
        summary = summarize(["a", "", None, "d"], [[1.0, 2.0, "", ""], [1.0, 3.0, "", ""]])
        self.assertEqual([c.name for c in summary.columns], ["a", "Column B", "d"])

    def test_blocks_of_rows_add_up(self):
        """More rows than one block: the totals must not depend on where blocks end."""
        values = [float(i % 97) - 30.5 for i in range(5000)]
        summary = summarize(["x", "label"], ([v, f"r{i}"] for i, v in enumerate(values)))
        x = column(summary, "x")
        self.assertEqual(summary.rows, 5000)
        self.assertEqual((x.count, x.numeric_count), (5000, 5000))
        self.assertEqual((x.min, x.max), (min(values), max(values)))
        self.assertTrue(math.isclose(x.mean, math.fsum(values) / 5000, rel_tol=1e-15))

    def test_mean_is_exact_where_a_naive_sum_is_not(self):
        summary = summarize(["x"], [[1e16], [1.0], [-1e16], [1.0]])
        self.assertEqual(column(summary, "x").mean, 0.5)

    def test_infinities_and_nan_are_values_but_not_numbers(self):
        """An Excel cell can hold inf or NaN; neither is a measurement."""
        summary = summarize(["x"], [[1.0], [math.inf], [-math.inf], [math.nan], [3.0]])
        self.assertEqual(column(summary, "x"), ColumnSummary("x", 5, 2, 1.0, 3.0, 2.0))

    def test_numbers_near_the_largest_float_do_not_overflow_the_mean(self):
        values = [1.7e308, 1.7e308, -1.7e308, 1.7e308]
        summary = summarize(["x"], ([value] for value in values))
        self.assertEqual(column(summary, "x").mean, 0.85e308)
        mixed = summarize(["x"], [[1e308], [1e308], [2.0], [4.0]] + [[6.0]] * 600)
        self.assertTrue(math.isclose(column(mixed, "x").mean, 1e308 / 302))  # 2e308 / 604

    def test_rows_are_read_once(self):
        rows = iter([[1.0], [2.0]])
        summarize(["x"], rows)
        self.assertEqual(list(rows), [])

    def test_no_header_is_refused(self):
        with self.assertRaises(UploadError) as caught:
            summarize([], [[1.0]])
        self.assertIn("first row", str(caught.exception))

    def test_no_numeric_column_is_refused_with_advice(self):
        with self.assertRaises(UploadError) as caught:
            summarize(["a", "b"], [["x", "12"], ["y", "13"]])
        self.assertIn("No column holds numbers", str(caught.exception))
        self.assertIn("stored as numbers", str(caught.exception))


class SummaryDataTest(unittest.TestCase):
    def test_round_trip(self):
        summary = summarize(["a", "b"], [[1.0, "x"], [3, "y"]])
        self.assertEqual(Summary.from_dict(summary.to_dict()), summary)

    def test_wrong_data_is_refused(self):
        good = summarize(["a"], [[1.0]]).to_dict()
        bad_entries = [
            {},
            {"rows": 1},
            {**good, "columns": [{"name": "a"}]},
            {**good, "columns": [{**good["columns"][0], "min": "low"}]},
            {**good, "columns": [{**good["columns"][0], "count": "many"}]},
            {**good, "columns": "a"},
        ]
        for entry in bad_entries:
            with self.subTest(entry=entry), self.assertRaises((KeyError, TypeError, ValueError)):
                Summary.from_dict(entry)


class ColumnLettersTest(unittest.TestCase):
    def test_as_excel_names_them(self):
        cases = {0: "A", 25: "Z", 26: "AA", 51: "AZ", 701: "ZZ", 702: "AAA", 16383: "XFD"}
        for index, letters in cases.items():
            with self.subTest(index=index):
                self.assertEqual(column_letters(index), letters)
