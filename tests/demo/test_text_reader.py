"""Delimited text files (.csv, .tsv, .txt) as Excel, LibreOffice and other programs write them.

Every test builds its file in memory and checks the exact statistics the app computes from it:
per column (values, numbers, minimum, maximum, mean), through the whole reading pipeline
(``receive_upload``, ``read_table``, ``summarize``).
"""

import codecs
import tracemalloc
import unittest

from app_files.uploaded import UploadError
from demo.sample_files import column_stats, csv_bytes, stats

# One small table of beams, written in each of the ways below.
BEAMS = [
    ["Beam", "Span [m]", "Load [kN/m]"],
    ["B1", "4.5", "12"],
    ["B2", "6", "15.5"],
    ["B3", "7.2", "18"],
]
BEAM_STATS = {
    "Beam": (3, 0, None, None, None),
    "Span [m]": (3, 3, 4.5, 7.2, 5.9),  # the exact mean, rounded once (17.7 / 3 rounds twice)
    "Load [kN/m]": (3, 3, 12.0, 18.0, 45.5 / 3),
}


class DelimiterTest(unittest.TestCase):
    def test_comma_semicolon_tab_and_pipe_are_detected(self):
        cases = [
            ("comma", ",", "beams.csv"),
            ("semicolon (Excel in most of Europe)", ";", "beams.csv"),
            ("tab", "\t", "beams.tsv"),
            ("tab in a .txt file", "\t", "beams.txt"),
            ("pipe", "|", "beams.csv"),
        ]
        for label, delimiter, filename in cases:
            with self.subTest(label):
                summary, sheet = stats(csv_bytes(BEAMS, delimiter=delimiter), filename)
                self.assertEqual(column_stats(summary), BEAM_STATS)
                self.assertEqual(summary.rows, 3)
                self.assertIsNone(sheet)

    def test_commas_inside_a_semicolon_file_do_not_split_cells(self):
        data = b"Beam;Note;Span\nB1;steel, painted;4.5\nB2;timber, glued;6\n"
        summary, _ = stats(data, "beams.csv")
        self.assertEqual(
            column_stats(summary),
            {
                "Beam": (2, 0, None, None, None),
                "Note": (2, 0, None, None, None),
                "Span": (2, 2, 4.5, 6.0, 5.25),
            },
        )


class DecimalCommaTest(unittest.TestCase):
    def test_decimal_comma_in_a_semicolon_file(self):
        data = b"Beam;Span [m];Load [kN/m]\nB1;4,5;12\nB2;6,25;-15,5\nB3;7;18,0\n"
        summary, _ = stats(data, "beams.csv")
        self.assertEqual(
            column_stats(summary),
            {
                "Beam": (3, 0, None, None, None),
                "Span [m]": (3, 3, 4.5, 7.0, 17.75 / 3),
                "Load [kN/m]": (3, 3, -15.5, 18.0, 14.5 / 3),
            },
        )

    def test_decimal_comma_in_a_tab_file(self):
        data = b"Beam\tSpan [m]\nB1\t4,5\nB2\t6,5\n"
        summary, _ = stats(data, "beams.txt")
        self.assertEqual(column_stats(summary)["Span [m]"], (2, 2, 4.5, 6.5, 5.5))

    def test_with_both_decimal_marks_in_the_sample_commas_stay_text(self):
        """The decimal mark is decided once for the file: when the first 64 kB hold numbers with
        a decimal point, "1,5" is not a number (it could as well be a list or a thousands
        separator)."""
        data = b"Beam;Span [m]\nB1;1,5\nB2;2.5\nB3;3\n"
        summary, _ = stats(data, "beams.csv")
        self.assertEqual(column_stats(summary)["Span [m]"], (3, 2, 2.5, 3.0, 2.75))

    def test_in_a_comma_file_a_quoted_decimal_comma_is_text(self):
        data = b'Beam,Span [m]\nB1,"4,5"\nB2,6\n'
        summary, _ = stats(data, "beams.csv")
        self.assertEqual(column_stats(summary)["Span [m]"], (2, 1, 6.0, 6.0, 6.0))


class EncodingTest(unittest.TestCase):
    ROWS = [
        ["Location", "Temperature [°C]", "Cost [€]"],
        ["Café Zürich", "21.5", "1200"],
        ["Brasserie", "-3", "950.5"],
    ]
    EXPECTED = {
        "Location": (2, 0, None, None, None),
        "Temperature [°C]": (2, 2, -3.0, 21.5, 9.25),
        "Cost [€]": (2, 2, 950.5, 1200.0, 1075.25),
    }

    def test_utf8_without_byte_order_mark(self):
        summary, _ = stats(csv_bytes(self.ROWS, encoding="utf-8"), "costs.csv")
        self.assertEqual(column_stats(summary), self.EXPECTED)

    def test_utf8_with_byte_order_mark_is_not_part_of_the_first_name(self):
        """Excel's "CSV UTF-8" starts with the bytes EF BB BF."""
        data = csv_bytes(self.ROWS, encoding="utf-8", bom=codecs.BOM_UTF8)
        summary, _ = stats(data, "costs.csv")
        self.assertEqual(column_stats(summary), self.EXPECTED)
        self.assertEqual(summary.columns[0].name, "Location")

    def test_excel_unicode_text_utf16_le_tab_crlf(self):
        """Excel's "Unicode Text (*.txt)": UTF-16 little-endian with a byte order mark, tabs
        between cells and CRLF line ends."""
        data = csv_bytes(
            self.ROWS,
            delimiter="\t",
            encoding="utf-16-le",
            line_end="\r\n",
            bom=codecs.BOM_UTF16_LE,
        )
        summary, _ = stats(data, "costs.txt")
        self.assertEqual(column_stats(summary), self.EXPECTED)

    def test_utf16_without_byte_order_mark(self):
        data = csv_bytes(self.ROWS, delimiter="\t", encoding="utf-16-le", line_end="\r\n")
        summary, _ = stats(data, "costs.txt")
        self.assertEqual(column_stats(summary), self.EXPECTED)

    def test_windows_1252_text_in_header_and_cells(self):
        """Excel's plain "CSV (Comma delimited)" in Western Europe: one byte per character, so
        "°" is B0, "é" E9 and "€" 80, which are not valid UTF-8."""
        data = csv_bytes(self.ROWS + [["Crème", "5", "12"]], encoding="cp1252")
        self.assertIn(b"\x80", data)  # the euro sign, as cp1252 writes it
        summary, _ = stats(data, "costs.csv")
        self.assertEqual(
            column_stats(summary),
            {
                "Location": (3, 0, None, None, None),
                "Temperature [°C]": (3, 3, -3.0, 21.5, 23.5 / 3),
                "Cost [€]": (3, 3, 12.0, 1200.0, 2162.5 / 3),
            },
        )


class LayoutTest(unittest.TestCase):
    def test_quoted_cells_may_hold_delimiters_quotes_and_line_breaks(self):
        data = (
            b'Name,Note,Value\n"Smith, J.","first line\nsecond line",1.5\n"Doe ""JD""",plain,2.5\n'
        )
        summary, _ = stats(data, "notes.csv")
        self.assertEqual(summary.rows, 2)
        self.assertEqual(
            column_stats(summary),
            {
                "Name": (2, 0, None, None, None),
                "Note": (2, 0, None, None, None),
                "Value": (2, 2, 1.5, 2.5, 2.0),
            },
        )

    def test_short_rows_have_empty_cells_and_cells_past_the_header_are_ignored(self):
        data = b"a,b,c\n1,2\n3,4,5,6,7\n8,9,10\n"
        summary, _ = stats(data, "ragged.csv")
        self.assertEqual(summary.rows, 3)
        self.assertEqual(
            column_stats(summary),
            {
                "a": (3, 3, 1.0, 8.0, 4.0),
                "b": (3, 3, 2.0, 9.0, 5.0),
                "c": (2, 2, 5.0, 10.0, 7.5),
            },
        )

    def test_blank_lines_and_lines_of_only_delimiters_are_not_rows(self):
        data = b"\n\na;b\n1;2\n\n;;\n;\n3;4\n\n"
        summary, _ = stats(data, "gaps.csv")
        self.assertEqual(summary.rows, 2)
        self.assertEqual(
            column_stats(summary),
            {"a": (2, 2, 1.0, 3.0, 2.0), "b": (2, 2, 2.0, 4.0, 3.0)},
        )

    def test_crlf_line_ends(self):
        data = csv_bytes(BEAMS, line_end="\r\n")
        self.assertIn(b"\r\n", data)
        summary, _ = stats(data, "beams.csv")
        self.assertEqual(column_stats(summary), BEAM_STATS)

    def test_a_header_without_data_has_no_numbers(self):
        with self.assertRaises(UploadError) as caught:
            stats(b"Beam,Span [m],Load [kN/m]\r\n", "header.csv")
        self.assertIn("No column holds numbers", str(caught.exception))

    def test_a_file_of_blank_lines_has_no_rows(self):
        with self.assertRaises(UploadError) as caught:
            stats(b"\r\n\r\n\r\n", "blank.csv")
        self.assertIn("blank.csv holds no rows", str(caught.exception))


class NumbersTest(unittest.TestCase):
    def test_nan_inf_and_overflowing_numbers_are_text(self):
        """Python's float() reads these; none of them is a measurement."""
        data = b"Case,Value\n1,nan\n2,NaN\n3,inf\n4,-inf\n5,Infinity\n6,1e999\n7,8.5\n"
        summary, _ = stats(data, "odd.csv")
        self.assertEqual(column_stats(summary)["Value"], (7, 1, 8.5, 8.5, 8.5))

    def test_empty_cells_are_not_counted(self):
        data = b"a,b\n1,\n2,\n3,7\n"
        summary, _ = stats(data, "sparse.csv")
        self.assertEqual(
            column_stats(summary),
            {"a": (3, 3, 1.0, 3.0, 2.0), "b": (1, 1, 7.0, 7.0, 7.0)},
        )

    def test_spaces_around_a_number_are_allowed(self):
        data = b"a,b\n 1 ,x\n2 ,y\n"
        summary, _ = stats(data, "spaces.csv")
        self.assertEqual(column_stats(summary)["a"], (2, 2, 1.0, 2.0, 1.5))

    def test_a_cell_is_a_number_or_not_whatever_the_other_cells_of_its_column(self):
        """A cell "\\xa05" (a no-break space, as pasted from a web page, then 5) reads the same
        whether the other cells of its column are numbers (the fast path: float() on the whole
        column) or not (one cell at a time)."""
        only_numbers, _ = stats("Case,Load\n1,\xa05\n2,3\n".encode(), "loads.csv")
        with_text, _ = stats("Case,Load\n1,\xa05\n2,n/a\n".encode(), "loads.csv")
        # "\xa05" is in both files; they differ in one other cell, "3" against "n/a".
        self.assertEqual(
            column_stats(with_text)["Load"][1], column_stats(only_numbers)["Load"][1] - 1
        )


class WideRowsTest(unittest.TestCase):
    def test_cells_past_the_header_cost_no_memory(self):
        """Rows of 100,000 empty fields under a two-column header: the extra fields are dropped
        as each row is read, instead of being held a block of rows at a time."""
        wide = "," * 100_000
        lines = ["a,b"] + [f"{n},{n}{wide}" if n % 2 else f"{n}" for n in range(1, 401)]
        data = ("\n".join(lines) + "\n").encode()
        tracemalloc.start()
        try:
            summary, _ = stats(data, "wide.csv")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        self.assertEqual(column_stats(summary)["a"], (400, 400, 1.0, 400.0, 200.5))
        self.assertEqual(column_stats(summary)["b"], (200, 200, 1.0, 399.0, 200.0))
        # The file is 20 MB; 512 rows of 100,001 fields would hold 400 MB of pointers.
        self.assertLess(peak, 60_000_000, f"peak {peak / 1e6:.0f} MB")


class LineLengthTest(unittest.TestCase):
    def test_a_cell_longer_than_any_spreadsheet_cell_is_refused_with_the_likely_cause(self):
        """A line within the line limit may still hold one cell of 200,000 characters; Python's
        csv module refuses cells over 131,072 characters, four times Excel's own limit. Such a
        cell is nearly always a quote that is never closed, and the message says so."""
        long_note = "x" * 200_000
        data = f"Note,Value\n{long_note},1.5\nshort,2.5\n".encode()
        with self.assertRaises(UploadError) as caught:
            stats(data, "notes.csv")
        message = str(caught.exception)
        self.assertIn("Line 2 of notes.csv has a value longer than 131,072 characters", message)
        self.assertIn("a quote that is never closed", message)


if __name__ == "__main__":
    unittest.main()
