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
from tablestats.__main__ import SAMPLE_UPLOAD
from tablestats.rows import HEADERS

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
        tables = [] if data is None else [(name, data)]
        return self.run_with(method, method_type, tables)

    def run_with(self, method: str, method_type: str, tables: list[tuple[str, bytes]]):
        """The job with these tables (name, content) in the field ``tables``."""
        files = [self.viktor.add_file(name, data) for name, data in tables]
        params = default_params(self.entity_type, {"tables": files})
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
        # Whether it is kept, as the views say it: never whether someone else's job stored it.
        self.assertEqual(
            named_value(report, "ReportSource"), "kept in VIKTOR Storage for later jobs"
        )
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
        upload = self.viktor.add_file("beams.csv", CSV)
        params = default_params(self.entity_type, {"upload": upload})
        self.viktor.run_job(self.entity_type.controller(), "upload_facts", "data", params)
        self.viktor.put(self.scope, "not-ours", b"keep")
        self.viktor.forget_requests()
        self.run_job("clear_stored_results", "analyse-button", None)
        self.assertEqual(self.viktor.storage(self.scope), {"not-ours": b"keep"})
        self.assertEqual(self.viktor.storage("entity"), {})
        self.assertEqual(
            self.viktor.progress_messages,
            # 2 tables' statistics, 2 sets of tables, the facts of one upload, what was stored
            # of the 3 uploaded files, and the 2 entries the entity keeps of its tables' field
            [{"message": "Removed 10 entries from VIKTOR Storage.", "message_type": "success"}],
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
                ("Removed 4 entries from VIKTOR Storage. 1 could not be removed. Try again later.",
                 "warning"),
                ("Removed 0 entries from VIKTOR Storage. Others may remain: VIKTOR Storage did not "
                 "list them. Try again later.", "warning"),
            ],
        )  # fmt: skip


class SeveralTablesTest(unittest.TestCase):
    """The field holds several tables: each is shown, and all of them together, each read once."""

    def setUp(self):
        self.entity_type = demo_entity_type()
        self.viktor = self.enterContext(ViktorStandIn())
        self.samples = sorted((self.entity_type.folder / "samples" / "tables").glob("*.csv"))

    def run_with(self, method: str, method_type: str, tables: list[tuple[str, bytes]]):
        files = [self.viktor.add_file(name, data) for name, data in tables]
        params = default_params(self.entity_type, {"tables": files})
        return self.viktor.run_job(self.entity_type.controller(), method, method_type, params)

    def sample_tables(self) -> list[tuple[str, bytes]]:
        return [(path.name, path.read_bytes()) for path in self.samples]

    def test_the_samples_together_are_the_bundled_sample_read_as_one_table(self):
        """The samples are the bundled sample's four batches: all of them together are what
        reading the sample as one table gives (the standard deviation to its last bits)."""
        self.assertEqual(len(self.samples), 4)
        table = self.run_with("statistics_table", "table", self.sample_tables())["table"]
        rows = [[cell["value"] for cell in row] for row in table["data"]]
        together = [row[1:] for row in rows if row[0] == "All 4 tables"]
        one = self.run_with(
            "statistics_table", "table", [("sample.csv", SAMPLE_UPLOAD.read_bytes())]
        )
        as_one = [[cell["value"] for cell in row] for row in one["table"]["data"]]
        std = HEADERS.index("Std. deviation")
        for got, expected in zip(together, as_one, strict=True):
            self.assertAlmostEqual(got.pop(std) or 0, expected.pop(std) or 0, delta=1e-12)
            self.assertEqual(got, expected)
        self.assertEqual([header["title"] for header in table["column_headers"]][0], "Table")
        names = [row[0] for row in rows]
        self.assertEqual(names.count("concrete_batch_c.csv"), 8)  # a row per column

    def test_a_table_that_cannot_be_read_is_named_while_the_others_show(self):
        tables = [*self.sample_tables()[:2], ("names.csv", b"Beam,Grade\nB1,S235\n")]
        label = "All 2 tables read (1 left out)"
        table = self.run_with("statistics_table", "table", tables)["table"]
        rows = [[cell["value"] for cell in row] for row in table["data"]]
        self.assertEqual(rows[0][0], label)
        (left_out,) = [row for row in rows if row[0] == "names.csv"]
        self.assertIn("Left out: No column holds numbers", left_out[1])

        shown = facts(self.run_with("table_facts", "data", tables))
        self.assertEqual(shown[label], 120)
        self.assertEqual(shown["names.csv"], "left out")
        data = self.run_with("table_facts", "data", tables)["data"]
        (warning,) = [item for item in data if item["label"] == "names.csv"]
        self.assertEqual(warning["status"], "warning")
        self.assertIn("No column holds numbers", warning["status_message"])

        figure = json.loads(self.run_with("distributions", "plotly", tables)["plotly"]["figure"])
        rows_of_first = [trace for trace in figure["data"] if trace.get("yaxis") == "y2"][0]
        self.assertEqual(set(rows_of_first["y"]) - {None}, {name for name, _ in tables[:2]})

        download = self.run_with("download_report", "download-button", tables)
        report = load_workbook(io.BytesIO(self.viktor.download(download)))
        self.assertEqual(report.sheetnames[1:3], [name for name, _ in tables[:2]])
        self.assertEqual(named_value(report, "ReportFile"), label)
        cells = [cell for row in report["Report"].iter_rows(values_only=True) for cell in row]
        self.assertIn("names.csv", cells)

    def test_adding_a_table_reads_that_table_only(self):
        tables = self.sample_tables()
        self.run_with("statistics_table", "table", tables[:3])
        read = mock.Mock(wraps=computation.read_table)
        with mock.patch.object(computation, "read_table", read):
            self.run_with("table_facts", "data", tables)
        self.assertEqual(read.call_count, 1)

    def test_the_same_table_twice_is_read_once_and_said_to_count_twice(self):
        first = self.sample_tables()[0]
        read = mock.Mock(wraps=computation.read_table)
        with mock.patch.object(computation, "read_table", read):
            data = self.run_with("table_facts", "data", [first, ("copy.csv", first[1])])["data"]
        self.assertEqual(read.call_count, 1)
        (copy,) = [item for item in data if item["label"] == "copy.csv"]
        same = [item for item in copy["children"] if item["label"] == "Same content as"]
        self.assertEqual([item["value"] for item in same], [first[0]])


class ProgressTest(unittest.TestCase):
    """A large upload tells the user where the job is; a small one sends no message."""

    def messages_for(self, data: bytes) -> list[str]:
        entity_type = demo_entity_type()
        with ViktorStandIn() as viktor:
            params = default_params(entity_type, {"tables": [viktor.add_file("big.csv", data)]})
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
        (None, "beams.csv", "Upload one or more tables"),
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
                tables = [] if data is None else [viktor.add_file(filename, data)]
                params = default_params(entity_type, {"tables": tables})
                for method, method_type in self.jobs:
                    with self.subTest(filename=filename, phrase=phrase, method=method):
                        with self.assertRaises(vkt.UserError) as caught:
                            viktor.run_job(entity_type.controller(), method, method_type, params)
                        message = str(caught.exception)
                        self.assertIn(phrase, message)
                        self.assertNotIn("\n", message)
                        (violation,) = caught.exception.input_violations
                        self.assertEqual(violation.fields, ["tables"])
            stored = viktor.storage(scope)
        self.assertEqual([key for key in stored if key.startswith("table-stats-")], [])
