import datetime
import io
import tempfile
import unittest
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from demo.report_cells import named_cell, named_value, table_rows
from tablestats.computation import TableStatistics
from tablestats.report import (
    REPORT_TEMPLATE,
    TABLE_NAME,
    TemplateError,
    build_report,
    check_template,
)
from tablestats.rows import HEADERS
from tablestats.statistics import ColumnSummary, Histogram, Summary


def numeric(i: int) -> ColumnSummary:
    return ColumnSummary(
        f"c{i}", 10, 10, float(i), i + 1.5, i + 0.75, std=0.5, median=i + 0.7, p05=i + 0.1,
        p95=i + 1.4, histogram=Histogram([i, i + 0.75, i + 1.5], [4, 6]), numbers_as_text=1,
    )  # fmt: skip


def statistics_with(columns: int) -> TableStatistics:
    summary = Summary(
        rows=10,
        columns=[numeric(i) for i in range(columns)]
        + [ColumnSummary("label", 10, 0, None, None, None, formulas_without_value=2)],
    )
    return TableStatistics("Data", summary)


class BundledTemplateTest(unittest.TestCase):
    def test_has_every_name_the_report_needs(self):
        check_template(REPORT_TEMPLATE)  # raises TemplateError if a name went missing


class BuildReportTest(unittest.TestCase):
    def build(
        self,
        statistics: TableStatistics,
        template: Path = REPORT_TEMPLATE,
        file_name: str = "beams.xlsx",
        reused: bool = True,
    ):
        created = datetime.datetime(2026, 11, 28, 9, 30, tzinfo=datetime.timezone.utc)
        content = build_report(
            statistics,
            file_name=file_name,
            file_size=2048,
            reused=reused,
            about="About the app.\n",
            template=template,
            now=created,
        )
        return load_workbook(io.BytesIO(content))

    def test_fills_the_named_cells(self):
        workbook = self.build(statistics_with(2))
        expected = {
            "ReportFile": "beams.xlsx",
            "ReportSheet": "Data",
            "ReportRows": 10,
            "ReportSize": 2048,
            "ReportSource": "reused from storage",
            "ReportCreated": datetime.datetime(2026, 11, 28, 9, 30),
            "ReportAbout": "About the app.",
        }
        for name, value in expected.items():
            with self.subTest(name=name):
                self.assertEqual(named_value(workbook, name), value)

    def test_table_grows_to_one_row_per_column(self):
        workbook = self.build(statistics_with(30))
        rows = table_rows(workbook)
        self.assertEqual(len(rows), 31)
        self.assertEqual(rows[0], ["c0", 10, 10, 0.0, 1.5, 0.75, 0.5, 0.7, 0.1, 1.4, 1, 0])
        self.assertEqual(rows[-1], ["label", 10, 0, *[None] * 7, 0, 2])
        # New rows take the number formats of the template's first data row.
        sheet, table = workbook["Report"], workbook["Report"].tables[TABLE_NAME]
        _, header_row, last_column, last_row = range_boundaries(table.ref)
        first_data = sheet.cell(row=header_row + 1, column=last_column).number_format
        self.assertEqual(sheet.cell(row=last_row, column=last_column).number_format, first_data)

    def test_the_table_has_a_column_for_each_statistic(self):
        workbook = self.build(statistics_with(1))
        sheet, table = workbook["Report"], workbook["Report"].tables[TABLE_NAME]
        first_column, header_row, last_column, _ = range_boundaries(table.ref)
        headers = [sheet.cell(row=header_row, column=c).value for c in range(first_column, 13)]
        self.assertEqual(tuple(headers), HEADERS)

    def test_a_chart_of_each_distribution(self):
        content = build_report(
            statistics_with(3), file_name="b.xlsx", file_size=1, reused=False, about=""
        )
        with zipfile.ZipFile(io.BytesIO(content)) as report:
            charts = sorted(n for n in report.namelist() if n.startswith("xl/charts/chart"))
            first = report.read(charts[0]).decode()
        self.assertEqual(len(charts), 3)  # the text column has no distribution to draw
        self.assertIn("c0: mean 0.75, 5% 0.1, 95% 1.4", first)
        data = load_workbook(io.BytesIO(content))["Histogram data"]
        self.assertEqual(
            [[cell.value for cell in row] for row in data.iter_rows(max_col=2, max_row=4)],
            [["c0", None], ["Bin", "Values"], ["0 to 0.75", 4], ["0.75 to 1.5", 6]],
        )
        self.assertEqual(data.cell(row=1, column=4).value, "c1")  # the next block

    def test_table_keeps_one_data_row_for_an_empty_summary(self):
        statistics = statistics_with(0)
        statistics.summary.columns = []
        workbook = self.build(statistics)
        self.assertEqual(table_rows(workbook), [[None] * len(HEADERS)])

    def test_text_from_the_upload_stays_text(self):
        """A column named "=HYPERLINK(...)" must not become a live formula in the report."""
        statistics = statistics_with(1)
        statistics.summary.columns[0].name = '=HYPERLINK("http://example.com","x")'
        workbook = self.build(statistics, file_name="=cmd.xlsx")
        sheet, table = workbook["Report"], workbook["Report"].tables[TABLE_NAME]
        first_column, header_row, _, _ = range_boundaries(table.ref)
        column_name = sheet.cell(row=header_row + 1, column=first_column)
        for cell in (column_name, named_cell(workbook, "ReportFile")):
            with self.subTest(cell=cell.coordinate):
                self.assertEqual(cell.data_type, "s")
                self.assertTrue(cell.value.startswith("="))

    def test_a_text_file_has_no_sheet(self):
        statistics = statistics_with(1)
        statistics.sheet = None
        workbook = self.build(statistics, reused=False)
        self.assertEqual(named_value(workbook, "ReportSheet"), "(text file)")
        self.assertEqual(named_value(workbook, "ReportSource"), "computed now")


class BrokenTemplateTest(unittest.TestCase):
    """A template restyled in Excel can lose a name; the error must say which."""

    def broken_template(self, change) -> Path:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        workbook = load_workbook(REPORT_TEMPLATE)
        change(workbook)
        path = Path(folder.name) / "template.xlsx"
        workbook.save(path)
        return path

    def test_missing_named_cell(self):
        template = self.broken_template(lambda wb: wb.defined_names.pop("ReportRows"))
        with self.assertRaisesRegex(TemplateError, "ReportRows"):
            check_template(template)
        with self.assertRaisesRegex(TemplateError, "ReportRows"):
            build_report(
                statistics_with(1),
                file_name="b.csv",
                file_size=1,
                reused=False,
                about="",
                template=template,
            )

    def test_missing_table(self):
        template = self.broken_template(lambda wb: wb["Report"].tables.pop("Statistics"))
        with self.assertRaisesRegex(TemplateError, "Statistics"):
            check_template(template)
