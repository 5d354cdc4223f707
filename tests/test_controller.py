"""The controller's views and buttons, with uploads, through ``viktor.testing``.

``mock_params`` turns plain params into what a job receives, with ``MockedFileResource`` for the
upload; ``mock_View`` lets a test call a view method directly (it reloads the controller module
and this one with the view decorators removed). VIKTOR Storage is the double from
``storage_double.py``, installed for every test, so the views and the download share it as the jobs
share VIKTOR Storage in the app.
"""

import io
import unittest
from unittest import mock

import viktor as vkt
from openpyxl import Workbook, load_workbook
from report_cells import named_value, table_rows
from sample_files import xlsx_from_openpyxl
from storage_double import FakeStorage
from viktor.testing import MockedFileResource, mock_params, mock_View

from entity_type_a.controller import STORAGE_SCOPE, Controller
from tablestats import results
from tablestats.store import ViktorStore

CSV = b"Beam,Span [m],Load [kN/m]\nB1,4.5,12\nB2,6.0,\nB3,7.5,18\n"


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Beams"
    for row in [["Beam", "Span [m]"], ["B1", 4.5], ["B2", 6.0]]:
        sheet.append(row)
    return xlsx_from_openpyxl(workbook)


def params_with(data: bytes | None, filename: str = "beams.csv"):
    if data is None:
        return mock_params({"upload": None}, Controller.parametrization)
    upload = MockedFileResource(vkt.File.from_data(data), filename)
    return mock_params({"upload": 1}, Controller.parametrization, file_resources={1: upload})


def facts(data_result: vkt.DataResult) -> dict:
    return {item.label: item.value for item in data_result.data.values()}


class ControllerTest(unittest.TestCase):
    def setUp(self):
        self.storage = self.enterContext(FakeStorage().installed())

    @mock_View(Controller)
    def test_table_view_of_a_csv_upload(self):
        table = Controller().statistics_table(params=params_with(CSV))
        self.assertEqual(
            [header.title for header in table.column_headers],
            ["Column", "Values", "Numbers", "Minimum", "Maximum", "Mean"],
        )
        self.assertEqual(
            table.data,
            [
                ["Beam", 3, 0, "", "", ""],
                ["Span [m]", 3, 3, 4.5, 7.5, 6.0],
                ["Load [kN/m]", 2, 2, 12.0, 18.0, 15.0],
            ],
        )

    @mock_View(Controller)
    def test_data_view_of_an_xlsx_upload(self):
        shown = facts(Controller().file_facts(params=params_with(xlsx_bytes(), "beams.xlsx")))
        self.assertEqual(shown["File name"], "beams.xlsx")
        self.assertEqual(shown["Sheet"], "Beams")
        self.assertEqual(shown["Rows"], 2)
        self.assertEqual(shown["Statistics"], "computed now")
        self.assertIn("bundled file", shown["About this app"])  # the text of file.txt

    @mock_View(Controller)
    def test_second_job_reuses_the_stored_statistics(self):
        Controller().statistics_table(params=params_with(CSV))
        with mock.patch.object(results, "read_table", side_effect=AssertionError("read again")):
            shown = facts(Controller().file_facts(params=params_with(CSV)))
        self.assertEqual(shown["Statistics"], "reused from VIKTOR Storage")
        (key,) = self.storage.data[STORAGE_SCOPE]
        self.assertTrue(key.startswith(results.KEY_PREFIX))

    @mock_View(Controller)
    def test_download_reuses_what_the_view_stored(self):
        Controller().statistics_table(params=params_with(xlsx_bytes(), "beams.xlsx"))
        with mock.patch.object(results, "read_table", side_effect=AssertionError("read again")):
            download = Controller().download_report(params=params_with(xlsx_bytes(), "beams.xlsx"))
        self.assertIsInstance(download, vkt.DownloadResult)
        # DownloadResult has no public getter for its content; the private one is stable.
        report = load_workbook(io.BytesIO(download._file_content))
        self.assertEqual(download._file_name, "beams-report.xlsx")
        self.assertEqual(named_value(report, "ReportFile"), "beams.xlsx")
        self.assertEqual(named_value(report, "ReportSource"), "reused from storage")
        self.assertEqual(table_rows(report)[1], ["Span [m]", 2, 2, 4.5, 6.0, 5.25])

    @mock_View(Controller)
    def test_storage_failure_does_not_fail_the_view(self):
        self.storage.fail_reads = True
        self.storage.fail_writes = True
        with self.assertLogs("tablestats.results", "WARNING"):
            shown = facts(Controller().file_facts(params=params_with(CSV)))
        self.assertEqual(shown["Rows"], 3)
        self.assertEqual(shown["Statistics"], "computed now (could not be stored for later jobs)")

    def test_clear_button_removes_this_apps_results_and_says_how_many(self):
        store = ViktorStore(STORAGE_SCOPE, self.storage)
        results.summarize_upload(io.BytesIO(CSV), "a.csv", store)
        results.summarize_upload(io.BytesIO(CSV + b"B4,3,3\n"), "b.csv", store)
        self.storage.data[STORAGE_SCOPE]["not-ours"] = b"keep"
        with mock.patch.object(vkt.UserMessage, "success") as message:
            Controller().clear_stored_results(params=params_with(None))
        message.assert_called_once_with("Removed 2 stored results.")
        self.assertEqual(self.storage.data[STORAGE_SCOPE], {"not-ours": b"keep"})


class BadInputTest(unittest.TestCase):
    """Each bad input gives a UserError that marks the upload field and says what to do."""

    cases = [
        (None, "beams.csv", "Upload a table"),
        (b"%PDF-1.7 ...", "drawing.pdf", "Upload an Excel workbook (.xlsx) or a CSV file"),
        (b"", "beams.csv", "is empty"),
        (b"\n\n", "beams.csv", "holds no rows"),
        (b"Beam,Grade\nB1,S235\n", "beams.csv", "No column holds numbers"),
        (b"PK\x03\x04 cut short", "beams.xlsx", "damaged or incomplete"),
        (b"\x00\x01\x02\x03" * 100, "beams.csv", "not a text file"),
    ]

    def setUp(self):
        self.storage = self.enterContext(FakeStorage().installed())

    @mock_View(Controller)
    def test_views_and_download_answer_with_a_user_error(self):
        for data, filename, phrase in self.cases:
            for method in ("statistics_table", "file_facts", "download_report"):
                with self.subTest(filename=filename, phrase=phrase, method=method):
                    with self.assertRaises(vkt.UserError) as caught:
                        getattr(Controller(), method)(params=params_with(data, filename))
                    message = str(caught.exception)
                    self.assertIn(phrase, message)
                    self.assertNotIn("\n", message)
                    (violation,) = caught.exception.input_violations
                    self.assertEqual(violation.fields, ["upload"])
        self.assertEqual(self.storage.data[STORAGE_SCOPE], {})  # nothing stored for bad input
