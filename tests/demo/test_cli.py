"""The command line, run as a user runs it: ``python -m tablestats ...`` in a new process."""

import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from openpyxl import load_workbook

from demo.report_cells import named_value, table_rows

REPOSITORY = Path(__file__).resolve().parent.parent.parent


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tablestats", *args],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
    )


class CommandLineTest(unittest.TestCase):
    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)
        self.store = str(self.folder / "store")

    def write(self, name: str, content: bytes) -> str:
        path = self.folder / name
        path.write_bytes(content)
        return str(path)

    def test_sample_runs_then_reuses_its_stored_result(self):
        first = run("--store", self.store)
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertIn("sample.csv", first.stdout)
        self.assertIn("computed now and stored in", first.stdout)
        self.assertRegex(first.stdout, r"Strength \[MPa\]\s+240\s+240\s+30\.2\s+47\.7\s+38\.47")
        second = run("--store", self.store)
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertIn("reused from", second.stdout)
        self.assertEqual(first.stderr + second.stderr, "")

    def test_a_store_that_cannot_be_written_does_not_stop_the_job(self):
        blocked = self.write("not-a-folder", b"")  # a file where the store's folder should be
        completed = run("--store", blocked)
        self.assertEqual(completed.returncode, 0, completed.stderr)
        self.assertIn(f"computed now (could not be stored in {blocked})", completed.stdout)
        self.assertIn("warning: Could not store", completed.stderr)

    def test_json_output_for_scripts(self):
        upload = self.write("beams.csv", b"Beam;Span\nB1;4,5\nB2;6,5\n")
        completed = run(upload, "--store", self.store, "--json")
        self.assertEqual(completed.returncode, 0, completed.stderr)
        self.assertEqual(
            json.loads(completed.stdout),
            {
                "file": "beams.csv",
                "size": 24,
                "sheet": None,
                "rows": 2,
                "columns": [
                    {
                        "name": "Beam",
                        "count": 2,
                        "numeric_count": 0,
                        "min": None,
                        "max": None,
                        "mean": None,
                        "std": None,
                        "median": None,
                        "p05": None,
                        "p95": None,
                        "histogram": None,
                        "numbers_as_text": 0,
                        "formulas_without_value": 0,
                    },
                    {
                        "name": "Span",
                        "count": 2,
                        "numeric_count": 2,
                        "min": 4.5,
                        "max": 6.5,
                        "mean": 5.5,
                        "std": 1.4142135623730951,  # the square root of 2
                        "median": 5.5,
                        "p05": 4.6,
                        "p95": 6.4,
                        "histogram": {"edges": [4.5, 5.5, 6.5], "counts": [1, 1]},
                        "numbers_as_text": 0,
                        "formulas_without_value": 0,
                    },
                ],
                "reused": False,
                "stored": True,
                "report": None,
            },
        )

    def test_writes_the_report_where_asked(self):
        report = self.folder / "out.xlsx"
        completed = run("--store", self.store, "--out", str(report), "--json")
        self.assertEqual(completed.returncode, 0, completed.stderr)
        self.assertEqual(json.loads(completed.stdout)["report"], str(report))
        workbook = load_workbook(report)
        self.assertEqual(named_value(workbook, "ReportFile"), "sample.csv")
        self.assertEqual(len(table_rows(workbook)), 8)  # one per column of sample.csv

    def test_bad_input_exits_2_with_one_line_and_no_traceback(self):
        cases = [
            (self.write("empty.csv", b""), "is empty"),
            (self.write("names.csv", b"Beam\nB1\n"), "No column holds numbers"),
            (self.write("broken.xlsx", b"PK\x03\x04 cut"), "damaged or incomplete"),
            (self.write("drawing.dwg", b"AC1032"), "Upload an Excel workbook (.xlsx) or a CSV"),
            (str(self.folder / "missing.csv"), "missing.csv cannot be opened"),
        ]
        for upload, phrase in cases:
            with self.subTest(upload=Path(upload).name):
                completed = run(upload, "--store", self.store)
                self.assertEqual(completed.returncode, 2)
                self.assertEqual(completed.stdout, "")
                lines = completed.stderr.splitlines()
                self.assertEqual(len(lines), 1, completed.stderr)
                self.assertTrue(lines[0].startswith("error: "))
                self.assertIn(phrase, lines[0])
        stored = [path.name for path in Path(self.store).glob("*")]
        self.assertFalse([name for name in stored if name.startswith("table-stats-")], stored)

    def test_several_tables_each_and_all_of_them(self):
        first = self.write("a.csv", b"Span\n4.5\n6.5\n")
        second = self.write("b.csv", b"Span,Load\n5.5,10\n")
        completed = run(first, second, "--store", self.store, "--json")
        self.assertEqual(completed.returncode, 0, completed.stderr)
        found = json.loads(completed.stdout)
        self.assertEqual([table["file"] for table in found["tables"]], ["a.csv", "b.csv"])
        span, load = found["together"]["columns"]
        self.assertEqual((span["name"], span["numeric_count"], span["mean"]), ("Span", 3, 5.5))
        self.assertEqual((load["name"], load["numeric_count"]), ("Load", 1))
        self.assertEqual(found["left_out"], [])
        text = run(first, second, "--store", self.store)
        self.assertIn("All 2 tables: 3 rows", text.stdout)
        self.assertIn("reused from", text.stdout)

    def test_a_table_that_cannot_be_read_is_named_and_the_others_are_shown(self):
        good = self.write("a.csv", b"Span\n4.5\n6.5\n")
        bad = self.write("names.csv", b"Beam\nB1\n")
        report = self.folder / "out.xlsx"
        completed = run(
            good, bad, str(self.folder / "gone.csv"), "--store", self.store, "--out", str(report)
        )
        self.assertEqual(completed.returncode, 2)
        self.assertIn("a.csv (13 bytes): 2 rows", completed.stdout)
        self.assertEqual(
            completed.stderr.splitlines(),
            [
                "error: names.csv: No column holds numbers, so there is nothing to compute. "
                "Check that the numbers are stored as numbers, not as text, and that the first "
                "row holds the column names.",
                "error: gone.csv cannot be opened (No such file or directory).",
            ],
        )
        self.assertEqual(load_workbook(report).sheetnames[:2], ["Report", "Distributions"])

    def test_unwritable_report_exits_2(self):
        completed = run("--store", self.store, "--out", str(self.folder / "no" / "such" / "r.xlsx"))
        self.assertEqual(completed.returncode, 2)
        self.assertIn("cannot write the report", completed.stderr)
        self.assertNotIn("Traceback", completed.stderr)

    def test_a_console_that_cannot_show_a_column_name_gets_a_question_mark(self):
        """Windows consoles and redirected output often use cp1252, which has no "σ"."""
        upload = self.write("stress.csv", "σ [MPa],n\n235,1\n355,2\n".encode())
        completed = subprocess.run(
            [sys.executable, "-m", "tablestats", upload, "--store", self.store],
            cwd=REPOSITORY,
            capture_output=True,
            env={**os.environ, "PYTHONIOENCODING": "cp1252"},
            timeout=120,
        )
        self.assertEqual(completed.returncode, 0, completed.stderr)
        self.assertIn(b"? [MPa]", completed.stdout)

    def test_usage_error_exits_2(self):
        completed = run("--no-such-option")
        self.assertEqual(completed.returncode, 2)
        self.assertIn("usage:", completed.stderr)
