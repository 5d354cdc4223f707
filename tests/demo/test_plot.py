"""The distributions figure: valid Plotly, no NaN, legible for any column, and drawn by a real
browser without an error."""

import json
import os
import sys
import unittest

import plotly.graph_objects as go

from demo.browser import find_browser, render_all
from demo.sample_files import stats
from tablestats.__main__ import SAMPLE_UPLOAD
from tablestats.plot import distribution_figure
from tablestats.statistics import ColumnSummary, Histogram, Summary

LARGEST = sys.float_info.max


def numeric_column(name: str, bins: int = 4, offset: float = 0.0) -> ColumnSummary:
    edges = [offset + step for step in range(bins + 1)]
    counts = [1 + (step % 3) for step in range(bins)]
    return ColumnSummary(
        name,
        count=sum(counts),
        numeric_count=sum(counts),
        min=edges[0],
        max=edges[-1],
        mean=offset + bins / 2,
        std=1.0,
        median=offset + bins / 2,
        p05=offset + 0.2,
        p95=offset + bins - 0.2,
        histogram=Histogram(edges, counts),
    )


def column_of(name: str, edges: list[float], counts: list[int], **marks: float) -> ColumnSummary:
    """A column with this histogram; the marks (p05, mean, p95) default to its middle."""
    middle = edges[0] / 2 + edges[-1] / 2
    values = {"p05": middle, "mean": middle, "p95": middle, **marks}
    return ColumnSummary(
        name,
        count=sum(counts),
        numeric_count=sum(counts),
        min=edges[0],
        max=edges[-1],
        mean=values["mean"],
        median=middle,
        p05=values["p05"],
        p95=values["p95"],
        histogram=Histogram(edges, counts),
    )


def text_column(name: str) -> ColumnSummary:
    return ColumnSummary(name, count=5, numeric_count=0, min=None, max=None, mean=None)


def summary_of(columns: list[ColumnSummary]) -> Summary:
    return Summary(rows=10, columns=columns)


class FigureTest(unittest.TestCase):
    def test_is_a_valid_plotly_figure(self):
        figure_json = distribution_figure(
            summary_of([numeric_column("Span [m]"), text_column("Beam"), numeric_column("Load")])
        )
        figure = go.Figure(json.loads(figure_json))  # raises ValueError on anything Plotly refuses
        self.assertEqual([trace.name for trace in figure.data], ["Span [m]", "Load"])
        self.assertEqual([trace.visible for trace in figure.data], [True, False])

    def test_a_menu_shows_one_column_at_a_time_with_its_marks(self):
        figure = json.loads(
            distribution_figure(summary_of([numeric_column("a"), numeric_column("b", offset=10)]))
        )
        (menu,) = figure["layout"]["updatemenus"]
        self.assertEqual([button["label"] for button in menu["buttons"]], ["a", "b"])
        visible, layout = menu["buttons"][1]["args"]
        self.assertEqual(visible, {"visible": [False, True]})
        self.assertEqual([shape["x0"] for shape in layout["shapes"]], [10.2, 12.0, 13.8])
        texts = [annotation["text"] for annotation in layout["annotations"]]
        self.assertEqual(texts, ["5% = 10.2", "mean = 12", "95% = 13.8"])
        self.assertEqual(layout["xaxis.range"], [10, 14])

    def test_one_column_needs_no_menu(self):
        figure = json.loads(distribution_figure(summary_of([numeric_column("a")])))
        self.assertNotIn("updatemenus", figure["layout"])
        self.assertEqual(len(figure["layout"]["shapes"]), 3)

    def test_bars_span_the_bins(self):
        figure = json.loads(distribution_figure(summary_of([numeric_column("a", bins=2)])))
        (trace,) = figure["data"]
        self.assertEqual(trace["x"], [0.5, 1.5])
        self.assertEqual(trace["width"], [1, 1])
        self.assertEqual(trace["y"], [1, 2])

    def test_a_table_without_numbers_gives_an_empty_figure_that_says_so(self):
        figure = json.loads(distribution_figure(summary_of([text_column("Beam")])))
        self.assertEqual(figure["data"], [])
        self.assertIn("nothing to plot", figure["layout"]["title"]["text"])

    def test_a_constant_column_is_one_bar_at_its_value_on_an_axis_around_it(self):
        """The bundled sample's first column: 28 in every row."""
        figure = json.loads(
            distribution_figure(summary_of([column_of("Age", [28.0, 28.0], [240])]))
        )
        (trace,) = figure["data"]
        self.assertEqual((trace["x"], trace["y"], trace["customdata"]), ([28.0], [240], ["28"]))
        self.assertEqual(trace["width"], [1.0])
        self.assertEqual(figure["layout"]["xaxis"]["range"], [23.0, 33.0])
        (label,) = figure["layout"]["annotations"]
        self.assertEqual(label["text"], "5% = mean = 95% = 28")

    def test_numbers_no_axis_can_tell_apart_are_one_bar_too(self):
        """1 and the float after it, and levels that differ in the twelfth digit; a column of
        zeros, and a constant negative one."""
        cases = [
            ([1.0, 1.0000000000000002], 1.0, [0.75, 1.25]),
            ([1000.0, 1000.0000000001, 1000.0000000002], 1000.0000000001, [750.0, 1250.0]),
            ([0.0, 0.0], 0.0, [-2.5, 2.5]),
            ([-0.003, -0.003], -0.003, [-0.0035, -0.0025]),
        ]
        for edges, centre, x_range in cases:
            with self.subTest(edges=edges):
                column = column_of("x", edges, [1] * (len(edges) - 1))
                figure = json.loads(distribution_figure(summary_of([column])))
                (trace,) = figure["data"]
                self.assertEqual(trace["x"], [centre])
                self.assertEqual(trace["y"], [len(edges) - 1])
                low, high = figure["layout"]["xaxis"]["range"]
                self.assertAlmostEqual(low, x_range[0], delta=1e-9)
                self.assertAlmostEqual(high, x_range[1], delta=1e-9)
                self.assertEqual(len(figure["layout"]["annotations"]), 1)

    def test_labels_stand_in_rows_and_equal_ones_are_merged(self):
        """However close the marks are, each label has a row of its own, from the smallest value
        up; marks that read the same share one."""
        cases = {
            "apart": (dict(p05=1.0, mean=5.0, p95=9.0), ["5% = 1", "mean = 5", "95% = 9"]),
            "close": (dict(p05=5.0, mean=5.01, p95=5.02), ["5% = 5", "mean = 5.01", "95% = 5.02"]),
            "mean last": (dict(p05=1.0, mean=9.5, p95=9.0), ["5% = 1", "95% = 9", "mean = 9.5"]),
            "two equal": (dict(p05=0.0, mean=0.0, p95=3.0), ["5% = mean = 0", "95% = 3"]),
        }
        for name, (marks, texts) in cases.items():
            with self.subTest(name):
                column = column_of("x", [0.0, 5.0, 10.0], [3, 4], **marks)
                annotations = json.loads(distribution_figure(summary_of([column])))["layout"][
                    "annotations"
                ]
                self.assertEqual([label["text"] for label in annotations], texts)
                shifts = [label["yshift"] for label in annotations]
                self.assertEqual(shifts, sorted(set(shifts)))

    def test_labels_of_a_narrow_range_have_the_digits_to_tell_them_apart(self):
        column = column_of("Level", [1000.0, 1000.001], [9], p05=1000.0001, p95=1000.0009)
        annotations = json.loads(distribution_figure(summary_of([column])))["layout"]["annotations"]
        texts = [label["text"] for label in annotations]
        self.assertEqual(texts, ["5% = 1000.0001", "mean = 1000.0005", "95% = 1000.0009"])

    def test_extreme_magnitudes_are_drawn_in_units_that_plotly_draws(self):
        """Plotly draws nothing beyond about 1e300, nor below 1e-300; the labels keep the
        numbers themselves."""
        cases = [
            ([-LARGEST, 0.0, LARGEST], "x, in units of 1e308", "mean = 95% = 1.798e+308"),
            ([0.0, 5e-324, 1e-323], "x, in units of 1e-324", "mean = 95% = 9.881e-324"),
            ([1e-300, 5e299, 1e300], "x, in units of 1e300", "mean = 95% = 1e+300"),
        ]
        for edges, title, mean in cases:
            with self.subTest(edges=edges):
                column = column_of("x", edges, [1, 1], p05=edges[0], mean=edges[-1], p95=edges[-1])
                layout = json.loads(distribution_figure(summary_of([column])))["layout"]
                self.assertEqual(layout["xaxis"]["title"]["text"], title)
                low, high = layout["xaxis"]["range"]
                self.assertTrue(1 <= max(abs(low), abs(high)) < 10, layout["xaxis"]["range"])
                self.assertIn(mean, [label["text"] for label in layout["annotations"]])

    def test_several_tables_have_a_row_each_below_the_histogram(self):
        together = summary_of([numeric_column("Load", bins=4), numeric_column("Span")])
        first = summary_of([numeric_column("Load", bins=2), text_column("Beam")])
        second = summary_of([numeric_column("Load", bins=3, offset=1)])
        figure = json.loads(distribution_figure(together, [("a.csv", first), ("b.csv", second)]))
        traces = figure["data"]
        self.assertEqual(len(traces), 10)  # per column: the histogram and 4 traces of rows
        lines, ranges, medians, means = traces[1:5]
        self.assertEqual(ranges["y"], ["a.csv", "b.csv"])
        self.assertEqual(ranges["base"], [0.2, 1.2])  # from 5% to 95%
        self.assertEqual([round(width, 9) for width in ranges["x"]], [1.6, 2.6])
        self.assertEqual(lines["x"], [0, 2, None, 1, 4, None])
        self.assertEqual((medians["x"], means["x"]), ([1.0, 2.5], [1.0, 2.5]))
        self.assertEqual({trace["yaxis"] for trace in traces[1:5]}, {"y2"})
        self.assertEqual(traces[6]["y"], [])  # no table has a column "Span"
        layout = figure["layout"]
        self.assertEqual(
            (layout["xaxis2"]["matches"], layout["yaxis2"]["autorange"]), ("x", "reversed")
        )
        (menu,) = layout["updatemenus"]
        visible, _ = menu["buttons"][1]["args"]
        self.assertEqual(visible, {"visible": [False] * 5 + [True] * 5})

    def test_never_holds_what_a_browser_refuses(self):
        column = numeric_column("a")
        column.mean = float("nan")
        with self.assertRaises(ValueError):
            distribution_figure(summary_of([column]))


def extreme_columns() -> list[ColumnSummary]:
    return [
        column_of("close", [0.0, 50.0, 100.0], [5, 1], p05=1.0, mean=1.2, p95=1.1),
        column_of("one ulp", [1.0, 1.0000000000000002], [3]),
        column_of("largest", [-LARGEST, 0.0, LARGEST], [2, 2]),
        column_of("subnormal", [0.0, 5e-324, 1e-323], [2, 1]),
        column_of("wide", [-1e300, 0.0, 1e300], [1, 5], p05=1e-300),
    ]


def many_columns(count: int) -> list[ColumnSummary]:
    return [numeric_column(f"Column {n}", bins=3 + n % 5) for n in range(count)]


def the_samples_tables() -> list[tuple[str, Summary]]:
    folder = SAMPLE_UPLOAD.parent.parent / "entity_type_a" / "samples" / "tables"
    return [
        (path.name, stats(path.read_bytes(), path.name)[0]) for path in sorted(folder.glob("*.csv"))
    ]


class BrowserTest(unittest.TestCase):
    """Once in a real headless browser: every column's histogram is drawn, and nothing is logged
    as an error. CI installs the browser; elsewhere the test is skipped when there is none. The
    figures are drawn in one start of the browser, which takes a second."""

    @classmethod
    def setUpClass(cls):
        browser = find_browser()
        if browser is None:
            message = "no Chromium or Chrome: install chromium, or set BROWSER_FOR_TESTS"
            if os.environ.get("CI"):
                raise AssertionError(message)
            raise unittest.SkipTest(message)
        cls.sample, _ = stats(SAMPLE_UPLOAD.read_bytes(), SAMPLE_UPLOAD.name)
        figures = {
            "2 columns": (distribution_figure(summary_of(many_columns(2))), 900),
            "40 columns": (distribution_figure(summary_of(many_columns(40))), 900),
            "the bundled sample": (distribution_figure(cls.sample), 900),
            # The samples' tables hold the bundled sample's rows, so that is all of them together.
            "the samples' tables": (distribution_figure(cls.sample, the_samples_tables()), 900),
            "extreme columns": (distribution_figure(summary_of(extreme_columns())), 500),
            "not a figure": ('{"data": [{"type": "bar", "y": [1]}], "layout": }', 900),
        }
        drawn = render_all(list(figures.values()), browser)
        cls.rendered = dict(zip(figures, drawn, strict=True))

    def test_every_histogram_is_drawn_for_2_and_for_40_columns(self):
        for count in (2, 40):
            with self.subTest(columns=count):
                rendered = self.rendered[f"{count} columns"]
                self.assertEqual(rendered["errors"], [])
                self.assertEqual(rendered["menus"], 1)
                self.assertEqual(rendered["bars"], [3 + n % 5 for n in range(count)])

    def test_the_bundled_sample_reads_at_first_sight(self):
        """Its first column, 28 in every row, is the first view: a bar wide and tall enough to
        see, and one label; in every other column too, no label overlaps another, the title or
        the menu."""
        self.assertEqual(self.sample.columns[3].name, "Age [d]")  # the first column of numbers
        rendered = self.rendered["the bundled sample"]
        self.assertEqual(rendered["errors"], [])
        first = rendered["views"][0]
        width, height = first["tallest_bar"]
        self.assertGreaterEqual(width, 20)
        self.assertGreaterEqual(height, 200)
        self.assertEqual(first["labels"], ["5% = mean = 95% = 28"])
        for view in rendered["views"]:
            self.assertEqual(view["overlaps"], [])

    def test_the_samples_tables_compare_legibly(self):
        """The entity type's samples, four tables: each column's histogram of them all, and a
        row of each table below it, every one drawn, no label over another."""
        rendered = self.rendered["the samples' tables"]
        self.assertEqual(rendered["errors"], [])
        histograms = [len(c.histogram.counts) for c in self.sample.columns if c.histogram]
        one_bar = [1] + histograms[1:]  # Age [d]: 28 in every row, one bar
        tables = len(the_samples_tables())
        self.assertEqual(rendered["bars"], [bars + tables for bars in one_bar])
        for view in rendered["views"]:
            self.assertEqual(view["overlaps"], [])

    def test_close_marks_and_extreme_columns_are_drawn_legibly(self):
        rendered = self.rendered["extreme columns"]
        self.assertEqual(rendered["errors"], [])
        for column, view in zip(extreme_columns(), rendered["views"], strict=True):
            with self.subTest(column.name):
                self.assertEqual(view["overlaps"], [])
                self.assertGreaterEqual(min(view["tallest_bar"]), 5)

    def test_a_page_error_is_reported(self):
        """The check itself: a figure plotly.js refuses shows up as an error, not a pass; and
        only for that figure, drawn among the others."""
        self.assertNotEqual(self.rendered["not a figure"]["errors"], [])
        for name, rendered in self.rendered.items():
            if name != "not a figure":
                self.assertEqual(rendered["errors"], [], name)
