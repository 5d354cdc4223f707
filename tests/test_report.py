import datetime
import io
import tempfile
import unittest
from pathlib import Path

from openpyxl import load_workbook

from entity_type_a.controller import REPORT_TEMPLATE
from tablestats.report import TemplateError, build_report, check_template
from tablestats.results import Result
from tablestats.statistics import ColumnSummary, Summary


def result_with(columns: int) -> Result:
    summary = Summary(
        rows=10,
        columns=[
            ColumnSummary(f"c{i}", 10, 10, float(i), i + 1.5, i + 0.75) for i in range(columns)
        ]
        + [ColumnSummary("label", 10, 0, None, None, None)],
    )
    return Result("beams.xlsx", 2048, "Data", summary, reused=True, stored=True)


def named_value(workbook, name: str):
    ((sheet, reference),) = workbook.defined_names[name].destinations
    return workbook[sheet][reference.replace("$", "")].value


class BundledTemplateTest(unittest.TestCase):
    def test_has_every_name_the_report_needs(self):
        check_template(REPORT_TEMPLATE)  # raises TemplateError if a name went missing


class BuildReportTest(unittest.TestCase):
    def build(self, result: Result, template: Path = REPORT_TEMPLATE):
        created = datetime.datetime(2026, 11, 28, 9, 30, tzinfo=datetime.timezone.utc)
        content = build_report(result, "About the app.\n", template, now=created)
        return load_workbook(io.BytesIO(content))

    def test_fills_the_named_cells(self):
        workbook = self.build(result_with(2))
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
        workbook = self.build(result_with(30))
        sheet = workbook["Report"]
        table = sheet.tables["Statistics"]
        self.assertEqual(table.ref, "A11:F42")
        self.assertEqual([cell.value for cell in sheet[12]], ["c0", 10, 10, 0.0, 1.5, 0.75])
        self.assertEqual([cell.value for cell in sheet[42]], ["label", 10, 0, None, None, None])
        self.assertEqual(sheet["F41"].number_format, sheet["F12"].number_format)

    def test_table_keeps_one_data_row_for_an_empty_summary(self):
        result = result_with(0)
        result.summary.columns = []
        workbook = self.build(result)
        self.assertEqual(workbook["Report"].tables["Statistics"].ref, "A11:F12")

    def test_text_from_the_upload_stays_text(self):
        """A column named "=HYPERLINK(...)" must not become a live formula in the report."""
        result = result_with(1)
        result.file_name = "=cmd.xlsx"
        result.summary.columns[0].name = '=HYPERLINK("http://example.com","x")'
        workbook = self.build(result)
        for cell in (workbook["Report"]["A12"], workbook["Report"]["B4"]):
            with self.subTest(cell=cell.coordinate):
                self.assertEqual(cell.data_type, "s")
                self.assertTrue(cell.value.startswith("="))

    def test_a_text_file_has_no_sheet(self):
        result = result_with(1)
        result.sheet = None
        result.reused = False
        workbook = self.build(result)
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
            build_report(result_with(1), "", template)

    def test_missing_table(self):
        template = self.broken_template(lambda wb: wb["Report"].tables.pop("Statistics"))
        with self.assertRaisesRegex(TemplateError, "Statistics"):
            check_template(template)
