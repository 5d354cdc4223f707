"""Text files in the encodings that spreadsheet programs write, NUL bytes, and files that are not
text: each file is built in memory, and its text must come out as it was written."""

import codecs
import io
import random
import unittest

from app_files.uploaded import UploadError
from benchmarks import text_encodings
from demo.sample_files import LazyStream, column_stats, csv_bytes, stats, stats_of_stream
from tablestats.limits import DEFAULT_LIMITS
from tablestats.readers.text import read_text_rows


def rows_of(data: bytes, filename: str = "table.csv") -> list[list[str]]:
    """The header and the rows of a text file, as the reader gives them."""
    header, rows = read_text_rows(io.BytesIO(data), filename, DEFAULT_LIMITS)
    return [header, *rows]


class CodePageTest(unittest.TestCase):
    """One-byte encodings other than Windows-1252 used to come out as mojibake ("Ïðîë¸ò")."""

    def assert_reads_back(self, rows: list[list[str]], encoding: str, delimiter: str = ";"):
        data = csv_bytes(rows, delimiter=delimiter, encoding=encoding, line_end="\r\n")
        self.assertFalse(data.isascii())
        self.assertEqual(rows_of(data), rows)

    def test_cyrillic_windows_1251(self):
        """Excel's "CSV" in Russia, Ukraine or Bulgaria."""
        rows = [
            ["Элемент", "Пролёт [м]", "Нагрузка [кН/м]"],
            ["Балка Б1", "4,5", "12"],
            ["Плита перекрытия", "6", "15,5"],
        ]
        self.assert_reads_back(rows, "cp1251")

    def test_mac_roman(self):
        """Excel for Mac's "CSV (Macintosh)": "é" is byte 8E, which Windows-1252 reads as "Ž"."""
        rows = [
            ["Élément", "Portée [m]", "Charge [kN/m]"],
            ["Poutre béton armé", "4.5", "12"],
            ["Brücke Zürich", "6", "15.5"],
        ]
        self.assert_reads_back(rows, "mac_roman", delimiter=",")

    def test_central_european_windows_1250(self):
        rows = [["Miasto", "Długość [m]"], ["Łódź", "4,5"], ["Kraków", "6"], ["Gdańsk", "7,2"]]
        self.assert_reads_back(rows, "cp1250")

    def test_western_windows_1252_is_not_taken_for_another_code_page(self):
        """French and German words whose letters other code pages have too ("è" is "č" in
        Windows-1250): on a tie, Windows-1252 wins, as in Excel."""
        rows = [
            ["Élément", "Longueur [m]", "Température [°C]"],
            ["Crème brûlée", "4.5", "-3"],
            ["Größe Träger", "6", "21.5"],
        ]
        self.assert_reads_back(rows, "cp1252", delimiter=",")


class EastAsianTest(unittest.TestCase):
    """Text in the two-byte encodings Excel writes in East Asia was read as Windows-1251."""

    CASES = {
        "cp932": [["部材", "長さ [m]", "備考"], ["鉄筋コンクリート梁", "4.5", "ひび割れあり"]],
        "gbk": [["构件", "长度 [m]", "备注"], ["钢筋混凝土梁", "4.5", "表面出现裂缝"]],
        "cp950": [["構件", "長度 [m]", "備註"], ["鋼筋混凝土樑", "4.5", "表面出現裂縫"]],
        "cp949": [["부재", "길이 [m]", "비고"], ["철근콘크리트 보", "4.5", "균열 있음"]],
    }

    def test_shift_jis_gbk_big5_and_euc_kr(self):
        for encoding, rows in self.CASES.items():
            with self.subTest(encoding):
                data = csv_bytes(rows, encoding=encoding, line_end="\r\n")
                self.assertEqual(rows_of(data), rows)

    def test_a_second_byte_that_is_a_delimiter_or_a_backslash_is_not_one(self):
        """In Shift_JIS, "ポ" is 83 7C and "表" is 95 5C: a "|" and a "\\" as second bytes."""
        rows = [["ポンプ", "表示 [m]"], ["ポ1", "4.5"], ["表2", "6"]]
        data = csv_bytes(rows, delimiter="|", encoding="cp932")
        self.assertIn(b"\x83|", data)
        self.assertEqual(rows_of(data), rows)

    def test_text_that_is_nearly_so_is_refused_with_its_encoding_named(self):
        """A quarter of the characters rare ones ("亍丌兀" of GB2312's second level)."""
        rare = bytes.fromhex("d8a1d8a2d8a3").decode("gbk")
        data = f"名称,长度,备注\r\n钢筋{rare},4.5,正常\r\n".encode("gbk")
        with self.assertRaises(UploadError) as caught:
            stats(data, "beams.csv")
        message = str(caught.exception)
        self.assertIn(
            "beams.csv is not in UTF-8, and its text reads most like Chinese (GBK)", message
        )
        self.assertIn("Save it as CSV in UTF-8", message)

    def test_the_test_set_of_the_benchmark(self):
        """The figures in the README (``benchmarks/text_encodings.py``): every file in Shift_JIS,
        EUC-KR, Windows-1252 and -1251 read right, all but a few short headers in the others."""
        right = {
            encoding: files_right / files
            for encoding, (files_right, files, _) in text_encodings.measure(
                text_encodings.ours
            ).items()
        }
        for encoding in ("shift_jis", "euc_kr", "windows-1252", "windows-1251"):
            self.assertEqual(right[encoding], 1.0, encoding)
        self.assertGreaterEqual(right["gbk"], 0.96)
        self.assertGreaterEqual(right["big5"], 0.98)
        self.assertGreaterEqual(right["mac_roman"], 0.93)
        self.assertGreaterEqual(right["windows-1250"], 0.83)


class UnicodeTest(unittest.TestCase):
    ROWS = [
        ["Элемент", "Пролёт [м]", "Нагрузка [кН/м]"],
        ["Балка перекрытия Б1", "4,5", "12"],
        ["Плита перекрытия П2", "6", "15,5"],
    ]

    def test_utf8_with_and_without_byte_order_mark(self):
        for bom in (b"", codecs.BOM_UTF8):
            with self.subTest(bom=bom):
                self.assertEqual(rows_of(csv_bytes(self.ROWS, bom=bom)), self.ROWS)

    def test_utf16_with_and_without_byte_order_mark(self):
        """Without a byte order mark, text that is mostly Cyrillic has a zero byte in fewer than
        half of its characters (only in digits, delimiters and line ends)."""
        cases = [
            ("utf-16-le", codecs.BOM_UTF16_LE),
            ("utf-16-be", codecs.BOM_UTF16_BE),
            ("utf-16-le", b""),
            ("utf-16-be", b""),
        ]
        for encoding, bom in cases:
            with self.subTest(encoding=encoding, bom=bom):
                data = csv_bytes(self.ROWS, delimiter="\t", encoding=encoding, bom=bom)
                self.assertEqual(rows_of(data, "table.txt"), self.ROWS)


class NulBytesTest(unittest.TestCase):
    def test_nul_bytes_are_empty_cells(self):
        """A Windows-1252 export that writes a NUL byte for an empty cell."""
        data = (
            b"Naam;Lengte [m];Opmerking\r\n"
            b"Balk \xe9\xe9n;4,5;\x00\r\n"
            b"Balk twee;\x00;gel\xe4st\r\n"
            b"Balk drie;7,25;\x00\r\n"
        )
        self.assertEqual(
            rows_of(data),
            [
                ["Naam", "Lengte [m]", "Opmerking"],
                ["Balk één", "4,5", ""],
                ["Balk twee", "", "geläst"],
                ["Balk drie", "7,25", ""],
            ],
        )
        summary, _ = stats(data, "export.csv")
        self.assertEqual(column_stats(summary)["Lengte [m]"], (2, 2, 4.5, 7.25, 5.875))
        self.assertEqual(column_stats(summary)["Opmerking"], (1, 0, None, None, None))

    def test_nul_bytes_past_the_sample_are_dropped_too(self):
        """The first 64 kB have no NUL; the rest of the file has one in every row."""
        upload = LazyStream(200_000, pattern=b"1,\x00\n", start=b"a,b\n" + b"2,3\n" * 20_000)
        summary, _ = stats_of_stream(upload, "late.csv")
        self.assertEqual(column_stats(summary)["b"][:2], (20_000, 20_000))


class NotTextTest(unittest.TestCase):
    def test_files_of_other_formats_named_csv_are_refused_by_what_they_are(self):
        cases = {
            "a PNG image": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100),
            "a PDF document": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n",
            "a JPEG image": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(100),
            "a gzip archive": b"\x1f\x8b\x08\x00" + bytes(100),
        }
        for kind, data in cases.items():
            with self.subTest(kind), self.assertRaises(UploadError) as caught:
                stats(data, "table.csv")
            self.assertIn(f"table.csv is {kind}, not a text file", str(caught.exception))
            self.assertIn("Export the table from its program as CSV", str(caught.exception))

    def test_random_bytes_are_refused_with_or_without_zero_bytes(self):
        noise = random.Random(3).randbytes(20_000)
        for label, data in (("with", noise), ("without", noise.replace(b"\x00", b""))):
            with self.subTest(f"{label} zero bytes"), self.assertRaises(UploadError) as caught:
                stats(data, "noise.csv")
            self.assertIn("noise.csv is not a text file", str(caught.exception))

    def test_a_few_control_characters_in_text_are_kept(self):
        """An escape character in a name is text (the command line shows it escaped)."""
        self.assertEqual(rows_of(b"Be\x1bam,Span\nB1,4.5\n")[0], ["Be\x1bam", "Span"])


if __name__ == "__main__":
    unittest.main()
