"""Delimited text (.csv, .tsv, .txt) to a table, in bounded memory.

Text files come from many programs and locales, so the reader works out from the first 64 kB the
encoding (``text_encoding``: refusing what is not text) and then how cells are delimited, quoted
and written (``text_dialect``). Line ends may be \\n, \\r\\n or \\r (old Macs).

The file is read a block of lines at a time (``text_lines``), so memory does not grow with it. A
block that quotes nothing, as most do, is read straight into columns (``plain_lines``); the others
go through Python's csv module, which knows quoted cells, and from the first quote on, the rest
of the file does. Either way the numbers are the cells that read as finite numbers
(``numbers``): "nan", "inf" and numbers with thousands separators stay text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from functools import partial
from itertools import chain
from operator import itemgetter
from typing import BinaryIO

from app_files.uploaded import UploadError
from tablestats.cores import available_cores
from tablestats.limits import Limits
from tablestats.numbers import numbers_in_column
from tablestats.readers.plain_lines import plain_block
from tablestats.readers.text_dialect import Dialect, detect_dialect
from tablestats.readers.text_encoding import detect_encoding, text_bytes
from tablestats.readers.text_lines import LineBlock, line_blocks, lines_of, lines_with_ends
from tablestats.row_blocks import blocks_of_rows
from tablestats.table import Block, Table

_SAMPLE_BYTES = 64 * 1024


def read_text(file: BinaryIO, filename: str, limits: Limits) -> Table:
    """The header and rows of a delimited text file; UploadError if it is not one."""
    reader, header, below = _open(file, filename, limits)
    return Table(header=header, blocks=reader.blocks(below, len(header)), sheet=None)


def read_text_rows(
    file: BinaryIO, filename: str, limits: Limits
) -> tuple[list[str], Iterator[list[str]]]:
    """The header and the rows below it as text, every line read by the csv module: the
    reading that ``read_text`` gives the numbers of, faster. For the tests, and for a look at
    what the reader makes of a file."""
    reader, header, below = _open(file, filename, limits)
    return header, reader.csv_rows(below, len(header))


def _open(
    file: BinaryIO, filename: str, limits: Limits
) -> tuple[_TextReader, list[str], Iterator[LineBlock]]:
    """The file's reader, its header, and the blocks of lines below the header."""
    sample = file.read(_SAMPLE_BYTES)
    file.seek(0)
    encoding = detect_encoding(sample, filename)
    # Decoded exactly as the file will be read, so that detection sees what csv will see.
    sample_bytes, sample_encoding = text_bytes(io.BytesIO(sample), encoding)
    sample_text = _complete_lines(sample_bytes.read().decode(sample_encoding, "replace"))
    dialect = detect_dialect(sample_text, filename)

    stream, encoding = text_bytes(file, encoding)
    blocks = line_blocks(stream, limits.line_characters, filename)
    reader = _TextReader(blocks, encoding, dialect, limits, filename)
    header, below = reader.header()
    if header is None:
        raise UploadError(
            f"{filename} holds no rows. Put the column names in the first row and the data below."
        )
    if len(header) > limits.columns:
        raise UploadError(
            f"The first row of {filename} has {len(header):,} columns; this app reads at most "
            f"{limits.columns:,}. Check that the file is a table with one header row."
        )
    return reader, header, below


def _complete_lines(sample_text: str) -> str:
    """The sample without its last line, which the 64 kB cut may have broken off."""
    last_newline = max(sample_text.rfind("\n"), sample_text.rfind("\r"))
    return sample_text[: last_newline + 1] if last_newline > 0 else sample_text


class _TextReader:
    """The blocks of lines of one file, read as a table: its header first, then its blocks."""

    def __init__(
        self,
        blocks: Iterator[LineBlock],
        encoding: str,
        dialect: Dialect,
        limits: Limits,
        filename: str,
    ) -> None:
        self._blocks = blocks
        self._encoding = encoding
        self._dialect = dialect
        self._limits = limits
        self._filename = filename
        # While the header is read: the block csv reads, where in it the last line csv was given
        # ends, and that line's number.
        self._followed = b""
        self._followed_up_to = 0
        self._followed_line = 0
        # Bytes that only csv can read: a quote, an escape that may escape a line end, and a
        # space after a delimiter where csv skips it.
        self._parser_only = [dialect.quotechar.encode()]
        if dialect.escapechar:
            self._parser_only.append(dialect.escapechar.encode())
        if dialect.skipinitialspace:
            self._parser_only.append(f"{dialect.delimiter} ".encode())

    def header(self) -> tuple[list[str] | None, Iterator[LineBlock]]:
        """The first row that holds a value, read by csv; and the blocks of the lines below it."""
        rows = self._csv_rows(self._blocks, follow=True)
        header = next((row for row in rows if any(row)), None)
        # csv reads no further than the end of the header's row: the rest of its block, and the
        # blocks after it, are yet to be read.
        rest = self._followed[self._followed_up_to :]
        below = LineBlock.of(rest, self._followed_line + 1)
        return header, chain([below] if rest else [], self._blocks)

    def blocks(self, line_blocks: Iterator[LineBlock], width: int) -> Iterator[Block]:
        """The table below the header, in ``width`` columns, a block at a time."""
        dialect, limits = self._dialect, self._limits
        with ExitStack() as threads:
            map_columns = map
            if available_cores() > 1:  # numpy lets go of the interpreter: two columns at a time
                map_columns = threads.enter_context(ThreadPoolExecutor(max_workers=2)).map
            for block in line_blocks:
                if any(marker in block.data for marker in self._parser_only):
                    # From here on csv reads the lines: a quoted cell may hold a line end, so a
                    # block's end may be within a row.
                    yield from self._csv_blocks(chain([block], line_blocks), width)
                    return
                plain = plain_block(
                    block,
                    width,
                    dialect.delimiter,
                    dialect.decimal_comma,
                    self._encoding,
                    limits.line_characters,
                    map_columns,
                )
                if plain is None:  # lines that only csv reads as csv does (see plain_block)
                    yield from self._csv_blocks([block], width)
                else:
                    yield plain

    def csv_rows(self, line_blocks: Iterable[LineBlock], width: int) -> Iterator[list[str]]:
        """The rows of the blocks' lines, read by csv, without their cells past ``width``."""
        # Cutting those cells off at once keeps a line of a million empty fields from being
        # held 512 rows at a time.
        return map(itemgetter(slice(width)), self._csv_rows(line_blocks))

    def _csv_blocks(self, line_blocks: Iterable[LineBlock], width: int) -> Iterator[Block]:
        read_cells = partial(numbers_in_column, decimal_comma=self._dialect.decimal_comma)
        return blocks_of_rows(self.csv_rows(line_blocks, width), width, read_cells)

    def _csv_rows(
        self, line_blocks: Iterable[LineBlock], follow: bool = False
    ) -> Iterator[list[str]]:
        """The rows csv reads from the lines of the blocks. With ``follow``, where the last line
        that csv read ends is remembered (``_followed``)."""
        line_blocks = iter(line_blocks)
        first = next(line_blocks, None)
        if first is None:
            return
        lines = self._followed_lines if follow else self._lines
        dialect = self._dialect
        reader = csv.reader(
            lines(chain([first], line_blocks)),
            delimiter=dialect.delimiter,
            quotechar=dialect.quotechar,
            escapechar=dialect.escapechar,
            skipinitialspace=dialect.skipinitialspace,
        )
        try:
            yield from reader
        except csv.Error as error:
            line = first.first_line + reader.line_num - 1
            raise UploadError(self._csv_error(error, line)) from None

    def _lines(self, line_blocks: Iterable[LineBlock]) -> Iterator[str]:
        limit, filename = self._limits.line_characters, self._filename
        lines = (lines_of(block, self._encoding, limit, filename) for block in line_blocks)
        return chain.from_iterable(lines)  # without a generator between each line and csv

    def _followed_lines(self, line_blocks: Iterable[LineBlock]) -> Iterator[str]:
        limit, filename = self._limits.line_characters, self._filename
        for block in line_blocks:
            self._followed, self._followed_up_to = block.data, 0
            self._followed_line = block.first_line - 1
            for line, end in lines_with_ends(block, self._encoding, limit, filename):
                self._followed_up_to = end
                self._followed_line += 1
                yield line

    def _csv_error(self, error: csv.Error, line: int) -> str:
        if "field larger than field limit" in str(error):
            problem = (
                f"has a value longer than {csv.field_size_limit():,} characters, more than a "
                "spreadsheet cell holds (Excel's limit is 32,767)"
            )
        else:
            problem = f"cannot be read as CSV ({error})"
        return (
            f"Line {line:,} of {self._filename} {problem}. This is often a quote that is "
            "never closed: check the quotes on that line, or export the table again."
        )
