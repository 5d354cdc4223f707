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


class SeenInRealFilesTest(unittest.TestCase):
    """Each a class of files that were read wrongly: the file is built here as they are."""

    def test_a_tab_separated_file_with_every_cell_quoted(self):
        """Without its quoted cells, each line is only tabs, which once read as a blank line:
        the comma inside a cell became the delimiter, and the names kept their quotes."""
        data = (
            b'"Name"\t"Note"\t"Span [m]"\r\n'
            b'"B1"\t"steel, painted"\t"4.5"\r\n'
            b'"B2"\t"timber"\t"6"\r\n'
        )
        self.assertEqual(
            rows_of(data, "beams.tsv"),
            [["Name", "Note", "Span [m]"], ["B1", "steel, painted", "4.5"], ["B2", "timber", "6"]],
        )

    def test_a_quoted_cell_holding_a_table_of_many_lines_does_not_outvote_the_comma(self):
        """Each record's second cell holds a small table separated by "|", over hundreds of
        lines: the first 64 kB end inside one, whose lines once made "|" the delimiter."""
        table = "".join(f"{i}|{i + 1}|{i + 2}|{i * 3}\n" for i in range(400))
        records = "".join(f'{n},"Results of test {n}:\n{table}",{n * 1.5}\n' for n in range(40))
        data = ("Test,Description,Value\n" + records).encode()
        self.assertGreater(len(data), 64 * 1024)
        rows = rows_of(data)
        self.assertEqual(rows[0], ["Test", "Description", "Value"])
        self.assertEqual([row[2] for row in rows[1:]], [str(n * 1.5) for n in range(40)])
        self.assertEqual(rows[5][1].count("\n"), 401)

    def test_a_quoted_cell_of_many_lines_quoted_with_double_quotes_only(self):
        """The cell's own lines have cells in single quotes ('x'|'y'): the file still quotes with
        double quotes, as its multi-line cells show."""
        table = "'x'|'y'|'z'\n" * 3
        data = ("Test,Description,Value\n" + f'1,"T:\n{table}",4.5\n2,"T:\n{table}",6\n').encode()
        rows = rows_of(data)
        self.assertEqual([row[0::2] for row in rows], [["Test", "Value"], ["1", "4.5"], ["2", "6"]])
        self.assertEqual(rows[1][1], f"T:\n{table}")

    def test_a_tab_separated_file_of_comma_separated_lists(self):
        """A list in a cell (1.2,3.4,5.6,7.8) splits into more fields at its commas than the
        line has at its tabs, steadily, the header too: text holds commas, hardly ever tabs."""
        data = (
            b"Sensor\tReadings (x,y,z,t)\tMean\n"
            b"S1\t1.2,3.4,5.6,7.8\t4.5\n"
            b"S2\t2.2,3.1,4.0,5.5\t3.7\n"
        )
        self.assertEqual(
            rows_of(data, "sensors.tsv"),
            [
                ["Sensor", "Readings (x,y,z,t)", "Mean"],
                ["S1", "1.2,3.4,5.6,7.8", "4.5"],
                ["S2", "2.2,3.1,4.0,5.5", "3.7"],
            ],
        )

    def test_a_hash_as_the_delimiter(self):
        data = b"Beam#Span [m]#Load [kN/m]\nB1#4.5#12\nB2#6#15.5\nB3#7.2#18\n"
        summary, _ = stats(data, "beams.txt")
        self.assertEqual(column_stats(summary)["Span [m]"], (3, 3, 4.5, 7.2, 5.9))

    def test_a_hash_in_text_or_at_the_start_of_lines_is_not_the_delimiter(self):
        cases = {
            "one column of numbers": b"Sample #\n#1\n#2\n#3\n",
            "a comment above": b"# exported 2026-01-02\nBeam#Span\nB1#4.5\nB2#6\n",
            "in names": b"Item #,Count\nBolt #1,4\nNut #2,6\n",
        }
        expected = {
            "one column of numbers": [["Sample #"], ["#1"], ["#2"], ["#3"]],
            "a comment above": [["# exported 2026-01-02"], ["Beam#Span"], ["B1#4.5"], ["B2#6"]],
            "in names": [["Item #", "Count"], ["Bolt #1", "4"], ["Nut #2", "6"]],
        }
        for name, data in cases.items():
            with self.subTest(name):
                self.assertEqual(rows_of(data), expected[name])

    def test_single_quotes_after_a_space_as_sql_and_python_write_them(self):
        """'a', 'b, c', 1: the space after each comma once kept a quote from counting, so the
        comma inside it split the cell, and the row lost its last cell past the header."""
        data = (
            b"'Name', 'Note', 'Span'\n'Smith, J.', 'steel, painted', 4.5\n'Doe, A.', 'timber', 6\n"
        )
        self.assertEqual(
            rows_of(data),
            [
                ["Name", "Note", "Span"],
                ["Smith, J.", "steel, painted", "4.5"],
                ["Doe, A.", "timber", "6"],
            ],
        )
        summary, _ = stats(data, "beams.csv")
        self.assertEqual(column_stats(summary)["Span"], (2, 2, 4.5, 6.0, 5.25))

    def test_single_quoted_words_in_a_file_that_quotes_with_double_quotes(self):
        """Excel keeps 'x' as it is: only double quotes quote, here in the header."""
        data = b"\"Name\"\t\"Note\"\t\"Value\"\nA\t'x'\t1\nB\t'y'\t2\nC\t'z'\t3\nD\t'w'\t4\n"
        rows = rows_of(data, "notes.tsv")
        self.assertEqual(rows[0], ["Name", "Note", "Value"])
        self.assertEqual(rows[1], ["A", "'x'", "1"])


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
