"""Our statistics against numpy's on the benchmark's table (the same generator, fixed seed), at a
size the test suite can afford; the benchmark checks its 200,000-row tables the same way."""

import csv
import io
import tempfile
import unittest
from pathlib import Path

from openpyxl import Workbook

from benchmarks.accuracy import accuracy_problems
from benchmarks.bench_uploads import HEADER, generate_rows, table_as_written
from demo.sample_files import stats, xlsx_from_openpyxl


class BenchmarkTableTest(unittest.TestCase):
    def test_csv(self):
        rows = 20_000  # beyond distribution.EXACT_LIMIT: the sketches
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(HEADER)
        writer.writerows(generate_rows(rows))
        summary, _ = stats(text.getvalue().encode(), "table.csv")
        self.assertEqual(accuracy_problems(summary.to_dict(), HEADER, generate_rows(rows)), [])

    def test_xlsx(self):
        rows = 6_000
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Data")
        sheet.append(HEADER)
        for row in generate_rows(rows):
            sheet.append(row)
        data = xlsx_from_openpyxl(workbook)
        summary, _ = stats(data, "table.xlsx")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "table.xlsx"  # python-calamine reads a path
            path.write_bytes(data)
            as_written = list(table_as_written(path, rows))
        self.assertEqual(accuracy_problems(summary.to_dict(), HEADER, as_written), [])
