"""Lines read straight into columns (``plain_lines``) give what the csv module gives.

The text reader reads most blocks of a CSV file with numpy and sends the others to the csv
module. Both must find the same cells: the oracle here is the same reader with every block sent
to the csv module. Blocks are made tiny, so that a small file has many, and block ends fall
everywhere: in the header, in a line end, before a quoted cell.
"""

import io
import re
import unittest
from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from app_files.uploaded import UploadError
from tablestats.limits import DEFAULT_LIMITS, Limits
from tablestats.readers import text as text_module
from tablestats.readers import text_lines
from tablestats.readers.plain_lines import plain_block
from tablestats.readers.text import read_text
from tablestats.readers.text_lines import LineBlock, line_blocks

# Cells that read as numbers, as numbers written as text, or as neither, and the empty cell.
CELLS = st.one_of(
    st.sampled_from(
        ["", "0", "-0", "12", "-4.5", "+.5", "1.", "1e3", "2,5", "1,234.5", " 7 ", "\t8", "１２"]
        + ["nan", "inf", "1e999", "12345678901234567890", "0.1000000000000000055511", "x"]
        + ["Café", "-", ".", "1.2.3", "৩", "1 234", "'5", "\x1b"]
    ),
    st.text(alphabet="0123456789.,-+eE xé", max_size=8),
)


def cells_of(data: bytes, csv_only: bool = False) -> dict:
    """Per column: cells with a value, the sorted numbers and the numbers written as text; the
    rows; and how many blocks were read plainly. With ``csv_only``, csv reads every block."""
    read_plainly = []

    def counted(*arguments, **options):
        found = None if csv_only else plain_block(*arguments, **options)
        read_plainly.append(found is not None)
        return found

    with mock.patch.object(text_module, "plain_block", counted):
        try:
            blocks = list(read_text(io.BytesIO(data), "table.csv", DEFAULT_LIMITS).blocks)
        except UploadError as error:
            return {"refused": str(error)}
    columns: dict[int, list] = {}
    for block in blocks:
        for index, cells in enumerate(block.columns):
            columns.setdefault(index, []).append(cells)
    return {
        "read plainly": sum(read_plainly),
        "rows": sum(block.rows for block in blocks),
        "columns": [
            (
                sum(cells.filled for cells in column),
                sorted(np.concatenate([cells.numbers for cells in column]).tolist()),
                sum(cells.numbers_as_text for cells in column),
            )
            for column in columns.values()
            if any(cells.filled for cells in column)
        ],
    }


def same_cells(test: unittest.TestCase, data: bytes) -> dict:
    """The cells read with plain lines where possible, checked against csv alone."""
    found = cells_of(data)
    by_csv = cells_of(data, csv_only=True)
    test.assertEqual({**found, "read plainly": 0} if "rows" in found else found, by_csv)
    return found


class SameCellsTest(unittest.TestCase):
    @settings(max_examples=300, deadline=None)
    @given(
        width=st.integers(1, 4),
        rows=st.lists(st.lists(CELLS, min_size=1, max_size=5), max_size=12),
        delimiter=st.sampled_from([",", ";", "\t", "|"]),
        line_end=st.sampled_from(["\n", "\r\n", "\r"]),
        last_line_end=st.booleans(),
        encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]),
        block_bytes=st.integers(1, 64),
    )
    def test_plain_lines_and_csv_find_the_same_cells(
        self, width, rows, delimiter, line_end, last_line_end, encoding, block_bytes
    ):
        header = [f"h{index}" for index in range(width)]
        lines = [delimiter.join(row) for row in [header, *rows]]
        text = line_end.join(lines) + (line_end if last_line_end else "")
        with mock.patch.object(text_lines, "BLOCK_BYTES", block_bytes):
            same_cells(self, text.encode(encoding, "replace"))

    def test_quotes_send_the_rest_of_the_file_to_csv(self):
        """A quoted cell may hold a line end, so a block's end may fall inside it: from the
        first quote on, csv reads the file; the lines above it are read plainly."""
        lines = ["a,b"] + [f"{n},{n / 4}" for n in range(40)] + ['41,"1\n2"', "42,3.5"]
        data = ("\n".join(lines) + "\n").encode()
        with mock.patch.object(text_lines, "BLOCK_BYTES", 64):
            found = same_cells(self, data)
        self.assertGreater(found["read plainly"], 3)
        self.assertEqual(found["rows"], 42)
        numbers = [n / 4 for n in range(40)] + [3.5]
        self.assertEqual(found["columns"][1], (42, sorted(numbers), 0))


class CoresTest(unittest.TestCase):
    def test_two_cores_read_two_columns_at_a_time_and_find_the_same_cells(self):
        lines = ["a,b,c"] + [f"{n},{n / 4},x{n}" for n in range(300)]
        data = ("\n".join(lines) + "\n").encode()
        found, pools = {}, {}
        for cores in (1, 2):
            pool = mock.Mock(wraps=text_module.ThreadPoolExecutor)
            with (
                mock.patch.object(text_module, "available_cores", return_value=cores),
                mock.patch.object(text_module, "ThreadPoolExecutor", pool),
                mock.patch.object(text_lines, "BLOCK_BYTES", 256),
            ):
                found[cores] = cells_of(data)
            pools[cores] = pool.call_count
        self.assertEqual(found[1], found[2])
        self.assertGreater(found[2]["read plainly"], 3)
        self.assertEqual(pools, {1: 0, 2: 1})


def block(data: bytes, first_line: int = 2) -> LineBlock:
    return LineBlock.of(data, first_line)


def plain(data: bytes, width: int = 2, **options) -> tuple | None:
    """What ``plain_block`` reads: the rows, and per column the cells and the numbers."""
    arguments = {"delimiter": ",", "decimal_comma": False, "encoding": "utf-8"}
    found = plain_block(block(data), width, **{**arguments, **options}, line_characters=100)
    if found is None:
        return None
    return found.rows, [(c.filled, c.numbers.tolist(), c.numbers_as_text) for c in found.columns]


class PlainBlockTest(unittest.TestCase):
    def test_lines_ended_by_lf_or_crlf_or_both_are_read(self):
        expected = (2, [(2, [1.0, 3.0], 0), (2, [2.5], 0)])
        for line_end in (b"\n", b"\r\n"):
            with self.subTest(line_end=line_end):
                self.assertEqual(plain(b"1,2.5" + line_end + b"3,x" + line_end), expected)
        self.assertEqual(plain(b"1,2.5\r\n3,x\n"), expected)
        self.assertEqual(plain(b"1,2.5\n3,x"), expected)  # the file's last line, without an end

    def test_what_csv_reads_differently_is_left_to_it(self):
        cases = {
            "a line ended by a carriage return alone": b"1,2\r3,4\n",
            "a short line": b"1,2\n3\n",
            "a blank line": b"1,2\n\n3,4\n",
            "a line longer than the limit": b"1," + b"2" * 200 + b"\n",
        }
        for case, data in cases.items():
            with self.subTest(case):
                self.assertIsNone(plain(data))

    def test_a_cell_longer_than_csv_allows_is_left_to_it(self):
        with mock.patch("csv.field_size_limit", return_value=3):
            self.assertIsNone(plain(b"1,2345\n"))
            self.assertIsNotNone(plain(b"1,234\n"))

    def test_cells_past_the_header_do_not_count_and_missing_ones_are_empty(self):
        self.assertEqual(plain(b"1,2,3\n,,4\n", width=2), (1, [(1, [1.0], 0), (1, [2.0], 0)]))
        self.assertEqual(plain(b"1\n2\n", width=2), (2, [(2, [1.0, 2.0], 0), (0, [], 0)]))

    def test_cells_beyond_ascii_are_decoded_in_the_files_encoding(self):
        """ "1 234" with a no-break space is a number written as text, in either encoding."""
        for encoding in ("utf-8", "cp1252"):
            data = "1\xa0234,Café\n".encode(encoding)
            with self.subTest(encoding=encoding):
                found = plain(data, encoding=encoding)
                self.assertEqual(found, (1, [(1, [], 1), (1, [], 0)]))

    def test_a_decimal_comma_in_a_semicolon_file(self):
        self.assertEqual(
            plain(b"1,5;2\n-0,25;x\n", delimiter=";", decimal_comma=True),
            (2, [(2, [1.5, -0.25], 0), (2, [2.0], 0)]),
        )


class LineBlocksTest(unittest.TestCase):
    def blocks(self, data: bytes, block_bytes: int, line_characters: int = 100) -> list:
        with mock.patch.object(text_lines, "BLOCK_BYTES", block_bytes):
            found = line_blocks(io.BytesIO(data), line_characters, "t.csv")
            return [(block.data, block.first_line) for block in found]

    def test_blocks_end_at_line_ends_and_know_their_first_line(self):
        data = b"a,b\r\n1,2\r\n3,4\r5,6\n\n7,8"
        blocks = self.blocks(data, 6)
        self.assertEqual(b"".join(part for part, _ in blocks), data)
        offset = 0
        for part, first_line in blocks:
            self.assertEqual(first_line, 1 + len(re.findall(rb"\r\n|\r|\n", data[:offset])))
            self.assertRegex(part, rb"(\r\n|\r|\n|7,8)$")  # whole lines
            offset += len(part)
        # A \r at a block's end waits for the next block: it may be the first half of \r\n.
        parts = [part for part, _ in blocks]
        for before, after in zip(parts, parts[1:], strict=False):
            self.assertFalse(before.endswith(b"\r") and after.startswith(b"\n"), (before, after))

    def test_a_line_without_end_longer_than_the_limit_is_refused_as_it_is_read(self):
        data = b"a,b\n1,2\n" + b"x" * 10_000
        with self.assertRaises(UploadError) as caught:
            self.blocks(data, 256, line_characters=100)
        self.assertIn("Line 3 of t.csv is longer than 100 characters", str(caught.exception))

    def test_a_long_line_is_refused_after_the_lines_before_it(self):
        """Line 2 holds a cell longer than csv allows, and line 3 is longer than the line limit
        and has no end yet when the block of line 2 is read: line 2 is refused first."""
        data = b"h,i\n1," + b"x" * 200_000 + b"\n" + b"y" * 5_000_000
        with self.assertRaises(UploadError) as caught:
            list(read_text(io.BytesIO(data), "t.csv", Limits(line_characters=300_000)).blocks)
        self.assertIn("Line 2 of t.csv has a value longer than 131,072", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
