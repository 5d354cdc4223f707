import io
import unittest

from app_files.uploaded import UploadError, receive_upload
from tablestats.reading import read_table, upload_kind


class UploadKindTest(unittest.TestCase):
    def test_kind_comes_from_the_extension_in_any_case(self):
        cases = {
            "table.xlsx": "xlsx",
            "TABLE.XLSM": "xlsx",
            "table.csv": "csv",
            "table.tsv": "csv",
            "Unicode text.txt": "csv",
            "archive.2024.csv": "csv",
        }
        for filename, kind in cases.items():
            with self.subTest(filename=filename):
                self.assertEqual(upload_kind(filename), kind)

    def test_other_files_are_refused_with_what_to_do(self):
        cases = {
            "old.xls": "Excel 97-2003",
            "book.ods": "OpenDocument",
            "drawing.dwg": "Upload an Excel workbook (.xlsx) or a CSV file",
            "no_extension": "Upload an Excel workbook (.xlsx) or a CSV file",
        }
        for filename, phrase in cases.items():
            with self.subTest(filename=filename), self.assertRaises(UploadError) as caught:
                upload_kind(filename)
            self.assertIn(phrase, str(caught.exception))
            self.assertIn(filename, str(caught.exception))


class ReadTableTest(unittest.TestCase):
    def test_text_file_gives_header_blocks_and_no_sheet(self):
        with receive_upload(io.BytesIO(b"a;b\n1,5;x\n;\n"), "t.csv") as upload:
            table = read_table(upload)
            self.assertEqual(table.header, ["a", "b"])
            (block,) = table.blocks
            self.assertEqual(block.rows, 1)  # the row of empty cells is not a row
            numbers, text = block.columns
            self.assertEqual((numbers.filled, numbers.numbers.tolist()), (1, [1.5]))
            self.assertEqual((text.filled, text.numbers.tolist()), (1, []))
            self.assertIsNone(table.sheet)
