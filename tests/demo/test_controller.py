"""The demo's views and buttons, run as jobs through the SDK against the local VIKTOR stand-in.

The entity type is found in app.py (the one with the statistics view), so that renaming its
folder, adding fields or changing the Storage scope needs no change here.
"""

import io
import json
import sys
import unittest
from unittest import mock

import viktor as vkt
from openpyxl import Workbook, load_workbook
from viktor_standin import ViktorStandIn
from viktor_standin.app_checks import EntityType, load_app
from viktor_standin.jobs import default_params

from app_files import viktor_jobs
from app_files.progress import wait_until_sent
from demo.report_cells import named_value, table_rows
from demo.sample_files import xlsx_from_openpyxl
from tablestats import computation

CSV = b"Beam,Span [m],Load [kN/m]\nB1,4.5,12\nB2,6.0,\nB3,7.5,18\n"


def demo_entity_type() -> EntityType:
    (entity_type,) = [
        entity_type
        for entity_type in load_app().entity_types
        if hasattr(entity_type.controller, "statistics_table")
    ]
    return entity_type


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Beams"
    for row in [["Beam", "Span [m]"], ["B1", 4.5], ["B2", 6.0]]:
        sheet.append(row)
    return xlsx_from_openpyxl(workbook)


def facts(job_result: dict) -> dict:
    return {item["label"]: item["value"] for item in job_result["data"]}


class DemoJobTest(unittest.TestCase):
    def setUp(self):
        self.entity_type = demo_entity_type()
        self.scope = sys.modules[self.entity_type.controller.__module__].STORAGE_SCOPE
        self.viktor = self.enterContext(ViktorStandIn())

    def run_job(self, method: str, method_type: str, data: bytes | None, name: str = "beams.csv"):
        upload = None if data is None else self.viktor.add_file(name, data)
        params = default_params(self.entity_type, {"upload": upload})
        return self.viktor.run_job(self.entity_type.controller(), method, method_type, params)

    def test_table_view_of_a_csv_upload(self):
        table = self.run_job("statistics_table", "table", CSV)["table"]
        self.assertEqual(
            [header["title"] for header in table["column_headers"]],
            ["Column", "Values", "Numbers", "Minimum", "Maximum", "Mean", "Std. deviation",
             "Median", "5% quantile", "95% quantile", "Numbers as text", "Formulas without value"],
        )  # fmt: skip
        rows = [[cell["value"] for cell in row] for row in table["data"]]
        self.assertEqual(rows[0], ["Beam", 3, 0, "", "", "", "", "", "", "", 0, 0])
        self.assertEqual(rows[1], ["Span [m]", 3, 3, 4.5, 7.5, 6.0, 1.5, 6.0, 4.65, 7.35, 0, 0])
        self.assertEqual(rows[2][:7], ["Load [kN/m]", 2, 2, 12.0, 18.0, 15.0, 18**0.5])

    def test_table_facts_of_an_xlsx_upload(self):
        shown = facts(self.run_job("table_facts", "data", xlsx_bytes(), "beams.xlsx"))
        self.assertEqual(shown["Sheet"], "Beams")
        self.assertEqual(shown["Rows"], 2)
        self.assertEqual(shown["Statistics"], "kept in VIKTOR Storage for later jobs")

    def test_the_upload_is_read_once_for_every_view_and_the_download(self):
        read = mock.Mock(wraps=computation.read_table)
        with mock.patch.object(computation, "read_table", read):
            self.run_job("statistics_table", "table", CSV)
            shown = facts(self.run_job("table_facts", "data", CSV))
            download = self.run_job("download_report", "download-button", CSV)
        self.assertEqual(read.call_count, 1)
        self.assertEqual(shown["Statistics"], "kept in VIKTOR Storage for later jobs")
        report = load_workbook(io.BytesIO(self.viktor.download(download)))
        self.assertEqual(named_value(report, "ReportSource"), "reused from storage")
        span = ["Span [m]", 3, 3, 4.5, 7.5, 6.0, 1.5, 6.0, 4.65, 7.35, 0, 0]
        self.assertEqual(table_rows(report)[1], span)
        keys = list(self.viktor.storage(self.scope))
        self.assertEqual(sum(key.startswith("table-stats-") for key in keys), 1, keys)

    def test_the_distributions_view_draws_each_numeric_column_from_the_stored_result(self):
        self.run_job("statistics_table", "table", CSV)
        with mock.patch.object(computation, "read_table", side_effect=AssertionError("read")):
            result = self.run_job("distributions", "plotly", CSV)
        figure = json.loads(result["plotly"]["figure"])
        self.assertEqual([trace["name"] for trace in figure["data"]], ["Span [m]", "Load [kN/m]"])

    def test_the_download_is_named_after_the_upload(self):
        download = self.run_job("download_report", "download-button", xlsx_bytes(), "beams.xlsx")
        report = load_workbook(io.BytesIO(self.viktor.download(download)))
        self.assertEqual(named_value(report, "ReportFile"), "beams.xlsx")
        self.assertEqual(named_value(report, "ReportSheet"), "Beams")
        download_requests = [r for r in self.viktor.requests if r.route == "temporary file"]
        self.assertEqual(download_requests[-1].json, {"file_name": "beams_report.xlsx"})

    def test_a_failing_storage_does_not_fail_the_view(self):
        with self.viktor.failing("storage: get", "storage: set"):
            with self.assertLogs("app_files.stored", "WARNING"):
                shown = facts(self.run_job("table_facts", "data", CSV))
        self.assertEqual(shown["Rows"], 3)
        self.assertEqual(shown["Statistics"], "computed now (could not be stored for later jobs)")

    def test_clear_button_removes_this_apps_results_and_says_how_many(self):
        self.run_job("statistics_table", "table", CSV)
        self.run_job("statistics_table", "table", CSV + b"B4,3,3\n")
        self.run_job("upload_facts", "data", CSV)
        self.viktor.put(self.scope, "not-ours", b"keep")
        self.viktor.forget_requests()
        self.run_job("clear_stored_results", "analyse-button", None)
        self.assertEqual(self.viktor.storage(self.scope), {"not-ours": b"keep"})
        self.assertEqual(
            self.viktor.progress_messages,
            # 3 results, and what was stored of the 3 uploaded files
            [{"message": "Removed 6 entries from VIKTOR Storage.", "message_type": "success"}],
        )

    def test_clear_button_says_what_it_could_not_remove(self):
        self.run_job("statistics_table", "table", CSV)
        self.viktor.forget_requests()
        with self.viktor.failing("storage: delete", times=1), self.assertLogs("app_files.stored"):
            self.run_job("clear_stored_results", "analyse-button", None)
        with self.viktor.failing("storage: list"), self.assertLogs("app_files.stored"):
            self.run_job("clear_stored_results", "analyse-button", None)
        self.assertEqual(
            [(m["message"], m["message_type"]) for m in self.viktor.progress_messages],
            [
                ("Removed 1 entry from VIKTOR Storage. 1 could not be removed. Try again later.",
                 "warning"),
                ("Removed 0 entries from VIKTOR Storage. Others may remain: VIKTOR Storage did not "
                 "list them. Try again later.", "warning"),
            ],
        )  # fmt: skip


class ProgressTest(unittest.TestCase):
    """A large upload tells the user where the job is; a small one sends no message."""

    def messages_for(self, data: bytes) -> list[str]:
        entity_type = demo_entity_type()
        with ViktorStandIn() as viktor:
            params = default_params(entity_type, {"upload": viktor.add_file("big.csv", data)})
            with viktor.job():  # a job token for messages sent after the job, in the background
                viktor.run_job(entity_type.controller(), "statistics_table", "table", params)
                wait_until_sent()
            return [message["message"] for message in viktor.progress_messages]

    def test_a_large_upload_sends_a_few_messages(self):
        rows = b"".join(b"B%d,%d.5,%d\n" % (n, n % 97, n % 13) for n in range(700_000))
        data = b"Beam,Span,Load\n" + rows
        self.assertGreaterEqual(len(data), viktor_jobs.PROGRESS_FROM_BYTES)
        messages = self.messages_for(data)
        self.assertGreaterEqual(len(messages), 2, messages)  # some may give way to a later one
        self.assertLessEqual(len(messages), 12, messages)
        self.assertEqual(messages[0], "Computing the statistics")
        self.assertEqual(messages[-1], "Storing the result for later jobs")

    def test_a_small_upload_sends_none(self):
        self.assertEqual(self.messages_for(CSV), [])


class BadInputTest(unittest.TestCase):
    """Each bad input gives a UserError that marks the upload field and says what to do."""

    cases = [
        (None, "beams.csv", "Upload a file"),
        (b"%PDF-1.7 ...", "drawing.pdf", "Upload an Excel workbook (.xlsx) or a CSV file"),
        (b"", "beams.csv", "is empty"),
        (b"\n\n", "beams.csv", "holds no rows"),
        (b"Beam,Grade\nB1,S235\n", "beams.csv", "No column holds numbers"),
        (b"PK\x03\x04 cut short", "beams.xlsx", "damaged or incomplete"),
        (b"\x00\x01\x02\x03" * 100, "beams.csv", "not a text file"),
    ]
    jobs = [
        ("statistics_table", "table"),
        ("table_facts", "data"),
        ("download_report", "download-button"),
    ]

    def test_views_and_download_answer_with_a_user_error(self):
        entity_type = demo_entity_type()
        scope = sys.modules[entity_type.controller.__module__].STORAGE_SCOPE
        with ViktorStandIn() as viktor:
            for data, filename, phrase in self.cases:
                upload = None if data is None else viktor.add_file(filename, data)
                params = default_params(entity_type, {"upload": upload})
                for method, method_type in self.jobs:
                    with self.subTest(filename=filename, phrase=phrase, method=method):
                        with self.assertRaises(vkt.UserError) as caught:
                            viktor.run_job(entity_type.controller(), method, method_type, params)
                        message = str(caught.exception)
                        self.assertIn(phrase, message)
                        self.assertNotIn("\n", message)
                        (violation,) = caught.exception.input_violations
                        self.assertEqual(violation.fields, ["upload"])
            stored = viktor.storage(scope)
        self.assertEqual([key for key in stored if key.startswith("table-stats-")], [])
