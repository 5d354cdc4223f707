"""How cells are delimited and quoted: the delimiter among look-alikes, less common dialects, and
a table aligned with spaces, which is refused with a message that says so."""

import io
import unittest

from app_files.uploaded import UploadError
from demo.sample_files import column_stats, stats
from tablestats.limits import DEFAULT_LIMITS
from tablestats.readers.text import read_text_rows


def rows_of(data: bytes, filename: str = "table.csv") -> list[list[str]]:
    """The header and the rows of a text file, as the reader gives them."""
    header, rows = read_text_rows(io.BytesIO(data), filename, DEFAULT_LIMITS)
    return [header, *rows]


class DelimiterTieTest(unittest.TestCase):
    def test_a_steady_comma_in_a_pipe_delimited_file_is_text(self):
        """Every line, the header too, has one comma in its last cell: both the comma and the pipe
        split the lines steadily, and the pipe explains more of each line (21 fields against 2)."""
        header = "|".join(f"Value {number}" for number in range(20)) + "|Inspector, initials"
        lines = [header] + [
            "|".join(str(row + column) for column in range(20)) + f"|Smith, J. {row}"
            for row in range(5)
        ]
        rows = rows_of(("\n".join(lines) + "\n").encode())
        self.assertEqual(len(rows[0]), 21)
        self.assertEqual(rows[1][-1], "Smith, J. 0")

    def test_semicolons_inside_quoted_cells_do_not_count(self):
        """Every cell quoted, as many exports do, and a semicolon in a quoted cell of every line:
        counted as the csv module splits the lines, ";" and "," tied."""
        data = (
            b'"Beam","Note; remark","Span [m]"\n'
            b'"B1","steel; painted","4.5"\n'
            b'"B2","timber; glued","6"\n'
        )
        summary, _ = stats(data, "beams.csv")
        self.assertEqual(
            column_stats(summary),
            {
                "Beam": (2, 0, None, None, None),
                "Note; remark": (2, 0, None, None, None),
                "Span [m]": (2, 2, 4.5, 6.0, 5.25),
            },
        )


class LessCommonDialectTest(unittest.TestCase):
    def test_single_quotes_around_cells(self):
        data = b"Name,Note,Span\n'Smith, J.','steel, painted',4.5\n'Doe, A.','timber',6\n"
        self.assertEqual(
            rows_of(data),
            [
                ["Name", "Note", "Span"],
                ["Smith, J.", "steel, painted", "4.5"],
                ["Doe, A.", "timber", "6"],
            ],
        )

    def test_an_apostrophe_in_text_is_not_a_quote(self):
        data = b"Name,Note,Span\nO'Brien,\"it's, fine\",4.5\n's-Hertogenbosch,ok,6\n"
        self.assertEqual(
            rows_of(data)[1:], [["O'Brien", "it's, fine", "4.5"], ["'s-Hertogenbosch", "ok", "6"]]
        )

    def test_backslash_escaped_quotes_in_quoted_cells(self):
        """As MySQL and some other databases export: \\" for a quote inside a quoted cell."""
        data = b'Beam,Note,Span\n"B1","said \\"ok\\", then left",4.5\n"B2","plain",6\n'
        self.assertEqual(rows_of(data)[1], ["B1", 'said "ok", then left', "4.5"])

    def test_a_backslash_at_the_end_of_a_quoted_cell_is_text(self):
        data = b'Beam,Folder,Span\nB1,"C:\\data\\",4.5\nB2,"D:\\",6\n'
        self.assertEqual(rows_of(data)[1:], [["B1", "C:\\data\\", "4.5"], ["B2", "D:\\", "6"]])

    def test_lines_ended_by_a_carriage_return_alone(self):
        """Old Mac programs end lines with \\r only; here with semicolons and decimal commas."""
        data = b"Beam;Span [m]\rB1;4,5\rB2;6,5\r"
        summary, _ = stats(data, "beams.csv")
        self.assertEqual(column_stats(summary)["Span [m]"], (2, 2, 4.5, 6.5, 5.5))


class AlignedWithSpacesTest(unittest.TestCase):
    def test_a_table_aligned_with_spaces_is_refused_with_what_to_do(self):
        data = (
            b"Beam   Span [m]   Load [kN/m]\n"
            b"B1          4.5            12\n"
            b"B2          6.0          15.5\n"
            b"B3          7.2            18\n"
        )
        with self.assertRaises(UploadError) as caught:
            stats(data, "beams.txt")
        message = str(caught.exception)
        self.assertIn("beams.txt looks like a table aligned with spaces", message)
        self.assertIn("Save it as CSV, with a comma, semicolon or tab between cells", message)

    def test_one_column_of_text_with_spaces_is_not_taken_for_one(self):
        data = b"Span [m]\n4.5\n6.25\n7\n"
        summary, _ = stats(data, "spans.csv")
        self.assertEqual(column_stats(summary)["Span [m]"], (3, 3, 4.5, 7.0, 17.75 / 3))


if __name__ == "__main__":
    unittest.main()
