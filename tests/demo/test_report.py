import dataclasses
import datetime
import io
import re
import tempfile
import unittest
import zipfile
from pathlib import Path
from unittest import mock

from openpyxl import load_workbook
from openpyxl.utils.cell import get_column_letter, range_boundaries

from app_files.uploaded import Refused
from demo.report_cells import named_cell, named_value, table_headers, table_rows
from tablestats.all_tables import NamedTable, TablesRead
from tablestats.computation import TableStatistics
from tablestats.report import (
    REPORT_TEMPLATE,
    TABLE_NAME,
    TemplateError,
    build_report,
    check_template,
)
from tablestats.rows import COLUMNS, HEADERS, TableColumn
from tablestats.statistics import ColumnSummary, Histogram, Summary

README = Path(__file__).resolve().parent.parent.parent / "README.md"


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


def one_table(statistics: TableStatistics, file_name: str = "beams.xlsx") -> TablesRead:
    return TablesRead([NamedTable(file_name, 2048, statistics)], None, [], kept=True, reused=True)


def report_of(
    statistics: TableStatistics,
    template: Path = REPORT_TEMPLATE,
    file_name: str = "beams.xlsx",
    kept: str = "kept in VIKTOR Storage for later jobs",
):
    """The report on ``statistics``, as an openpyxl workbook."""
    return workbook_of(one_table(statistics, file_name), template, kept)


def workbook_of(
    read: TablesRead, template: Path = REPORT_TEMPLATE, kept: str = "kept for later jobs"
):
    created = datetime.datetime(2026, 11, 28, 9, 30, tzinfo=datetime.timezone.utc)
    content = build_report(
        read, kept=kept, about="About the app.\n", template=template, now=created
    )
    return load_workbook(io.BytesIO(content))


class BuildReportTest(unittest.TestCase):
    build = staticmethod(report_of)

    def test_fills_the_named_cells(self):
        workbook = self.build(statistics_with(2))
        expected = {
            "ReportFile": "beams.xlsx",
            "ReportSheet": "Data",
            "ReportRows": 10,
            "ReportSize": 2048,
            "ReportSource": "kept in VIKTOR Storage for later jobs",
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
        # Counts of cells are shown as 1,234 in every row; the other statistics as Excel likes.
        sheet, table = workbook["Report"], workbook["Report"].tables[TABLE_NAME]
        first_column, header_row, _, last_row = range_boundaries(table.ref)
        for row in (header_row + 1, last_row):
            formats = [
                sheet.cell(row=row, column=first_column + n).number_format
                for n in range(len(COLUMNS))
            ]
            expected = ["#,##0" if c.counts_cells else "General" for c in COLUMNS]
            self.assertEqual(formats, expected)

    def test_the_table_has_a_column_for_each_statistic(self):
        self.assertEqual(table_headers(self.build(statistics_with(1))), HEADERS)

    def test_a_chart_of_each_distribution(self):
        content = build_report(one_table(statistics_with(3)), kept="", about="")
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
        workbook = self.build(statistics, kept="computed now")
        self.assertEqual(named_value(workbook, "ReportSheet"), "(text file)")
        self.assertEqual(named_value(workbook, "ReportSource"), "computed now")


class SeveralTablesTest(unittest.TestCase):
    """A sheet of all the tables together, then a sheet per table, named after its file."""

    def several(self, names: list[str], left_out: tuple[Refused, ...] = ()) -> TablesRead:
        tables = [
            NamedTable(name, 100 * number, statistics_with(number))
            for number, name in enumerate(names, start=1)
        ]
        together = statistics_with(9).summary
        return TablesRead(tables, together, list(left_out), kept=True, reused=False)

    def test_a_sheet_for_all_and_one_per_table_after_it(self):
        workbook = workbook_of(self.several(["a.csv", "b.xlsx"]))
        self.assertEqual(
            workbook.sheetnames, ["Report", "a.csv", "b.xlsx", "Distributions", "Histogram data"]
        )
        self.assertEqual(named_value(workbook, "ReportFile"), "All 2 tables")
        self.assertEqual(named_value(workbook, "ReportSize"), 300)
        self.assertEqual(len(table_rows(workbook)), 10)  # all the tables: 9 columns, and text
        b = workbook["b.xlsx"]
        self.assertEqual((b["B4"].value, b["B6"].value, b["B7"].value), ("b.xlsx", 10, 200))
        (table,) = b.tables.values()
        self.assertEqual(table.tableStyleInfo.name, "TableStyleMedium2")
        first_column, header_row, _, last_row = range_boundaries(table.ref)
        self.assertEqual(last_row - header_row, 3)  # its own 2 columns and text
        self.assertEqual(b.cell(row=header_row + 1, column=first_column).value, "c0")
        names = [t.displayName for sheet in workbook.worksheets for t in sheet.tables.values()]
        self.assertEqual(len(set(names)), 3)

    def test_sheet_names_are_ones_excel_allows(self):
        names = ["a/b:c?.csv", "x" * 40 + ".csv", "X" * 40 + ".xlsx", "[]*"]
        titles = workbook_of(self.several(names)).sheetnames[1:5]
        self.assertEqual(titles[0], "a_b_c_.csv")
        self.assertEqual((len(titles[1]), len(titles[2])), (31, 31))
        self.assertNotEqual(titles[1].lower(), titles[2].lower())
        self.assertEqual(titles[3], "___")

    def test_files_left_out_are_listed_with_why(self):
        left_out = [Refused("broken.xlsx", "broken.xlsx is damaged or incomplete.")]
        workbook = workbook_of(self.several(["a.csv", "b.csv"], left_out))
        self.assertEqual(named_value(workbook, "ReportFile"), "All 2 tables read (1 left out)")
        cells = [row for row in workbook["Report"].iter_rows(values_only=True)]
        self.assertIn(
            ("broken.xlsx", "broken.xlsx is damaged or incomplete."), [r[:2] for r in cells]
        )


class ColumnsFromTheCodeTest(unittest.TestCase):
    """The table's columns are rows.COLUMNS: a statistic added there, or taken out, reaches the
    report without an edit of the template."""

    def build_with(self, columns: tuple[TableColumn, ...]):
        with mock.patch("tablestats.rows.COLUMNS", columns):
            return report_of(statistics_with(2))

    def test_a_new_statistic_gets_a_column_of_its_own(self):
        columns = (*COLUMNS, TableColumn("Lowest 5%", "p05"))
        workbook = self.build_with(columns)
        self.assertEqual(table_headers(workbook), (*HEADERS, "Lowest 5%"))
        self.assertEqual([row[-1] for row in table_rows(workbook)], [0.1, 1.1, None])
        sheet, table = workbook["Report"], workbook["Report"].tables[TABLE_NAME]
        self.assertEqual(table.autoFilter.ref, table.ref)
        new_column = get_column_letter(range_boundaries(table.ref)[2])
        self.assertGreaterEqual(sheet.column_dimensions[new_column].width, len("Lowest 5%"))

    def test_a_statistic_taken_out_leaves_no_header_behind(self):
        workbook = self.build_with(COLUMNS[:-1])
        self.assertEqual(table_headers(workbook), HEADERS[:-1])
        sheet, table = workbook["Report"], workbook["Report"].tables[TABLE_NAME]
        _, header_row, last_column, _ = range_boundaries(table.ref)
        self.assertIsNone(sheet.cell(row=header_row, column=last_column + 1).value)

    def test_each_column_shows_a_field_of_the_summary(self):
        fields = {field.name for field in dataclasses.fields(ColumnSummary)}
        for column in COLUMNS:
            with self.subTest(column=column.header):
                self.assertIn(column.attribute, fields)


class ReadmeStatisticsTest(unittest.TestCase):
    def test_the_readme_lists_the_columns_of_the_code(self):
        """The README's table of statistics names the columns of rows.COLUMNS, in order."""
        readme = README.read_text(encoding="utf-8")
        section = readme.split("### The statistics", 1)[1].split("\n#", 1)[0]
        listed = tuple(re.findall(r"^\| ([^|]+?) \| (?!---)", section, flags=re.MULTILINE)[1:])
        self.assertEqual(
            listed,
            HEADERS,
            "README.md, The statistics: the table of columns must list those of COLUMNS in "
            "tablestats/rows.py, in the same order: add a row for a new statistic there.",
        )


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
            build_report(one_table(statistics_with(1)), kept="", about="", template=template)

    def test_missing_table(self):
        template = self.broken_template(lambda wb: wb["Report"].tables.pop("Statistics"))
        with self.assertRaisesRegex(TemplateError, "Statistics"):
            check_template(template)
