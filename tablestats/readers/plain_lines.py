"""Lines of a CSV file that need no CSV parser, read straight into columns with numpy.

Most CSV files quote nothing: every line is its cells with the delimiter between them. For a
block of such lines, Python's csv module would make a string of every cell (most of the time of
reading a large file) only for the numbers to be read from them again. Here the cells stay bytes:
numpy finds the delimiters and line ends of the whole block at once, and each column's cells go
to ``numbers.numbers_in_texts``, which reads the plain decimals straight from the bytes and makes
strings of the few other cells that may be numbers.

A block is read here only when that gives exactly what the csv module would give: the caller
sends a block with a quote or an escape character to the csv module, and ``plain_block`` gives
up (returns None) on a block whose lines differ in their number of fields (a blank line, a short
row), have a bare \\r line end, or hold a line or a cell longer than the csv path allows (which
then reports it).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator

import numpy as np

from tablestats.decimals import PADDING, JoinedTexts
from tablestats.numbers import ColumnCells, numbers_in_texts
from tablestats.readers.text_lines import LineBlock
from tablestats.table import Block

_NEWLINE, _CARRIAGE_RETURN = ord("\n"), ord("\r")
_NO_CELLS = ColumnCells(0, np.empty(0), 0)


def plain_block(
    block: LineBlock,
    width: int,
    delimiter: str,
    decimal_comma: bool,
    encoding: str,
    line_characters: int,
    map_columns: Callable[..., Iterator[ColumnCells]] = map,
) -> Block | None:
    """Lines without quotes, in ``width`` columns; None when they need the csv module.
    ``map_columns``: how to read every column, such as the ``map`` of a pool of threads."""
    data, line_end = block.data, _NEWLINE
    if block.carriage_returns:
        if block.carriage_returns != block.crlf:  # a line that ends in \r alone
            return None
        if block.crlf == block.newlines:  # every line ends in \r\n: its last cell, at the \r
            line_end = _CARRIAGE_RETURN
        else:
            data = data.replace(b"\r\n", b"\n")
    if data[-1] != _NEWLINE:  # the file's last line
        data += b"\r\n" if line_end == _CARRIAGE_RETURN else b"\n"
    padded = np.frombuffer(b"\n" * PADDING + data, dtype=np.uint8)
    # Where each cell ends: at a delimiter or a line end.
    body = padded[PADDING:]
    ends = np.flatnonzero((body == ord(delimiter)) | (body == line_end)) + PADDING
    line_ends = np.flatnonzero(padded[ends] == line_end)
    fields = int(line_ends[0]) + 1
    if len(ends) != fields * len(line_ends) or np.any(np.diff(line_ends) != fields):
        return None  # lines with different numbers of fields: csv knows what to make of them
    starts = np.empty_like(ends)
    starts[0] = PADDING
    starts[1:] = ends[:-1] + 1
    if line_end == _CARRIAGE_RETURN:  # a line starts after the \n that follows the \r
        starts[line_ends[:-1] + 1] += 1
    lengths = ends - starts
    if int(lengths.max()) > csv.field_size_limit():
        return None
    line_lengths = ends[fields - 1 :: fields] - starts[::fields]
    if int(line_lengths.max()) > line_characters:  # in bytes: more than in characters, maybe
        return None

    ends = ends.reshape(-1, fields)
    lengths = lengths.reshape(-1, fields)
    within_header = min(fields, width)  # cells past the header's last column do not count
    rows = int(np.count_nonzero(lengths[:, :within_header].any(axis=1)))  # not empty rows

    def column(index: int) -> ColumnCells:
        if index >= fields:  # the lines are shorter than the header: empty cells
            return _NO_CELLS
        texts = JoinedTexts(padded, ends[:, index], lengths[:, index])

        def text(row: int) -> str:
            end = int(texts.ends[row])
            return padded[end - int(texts.lengths[row]) : end].tobytes().decode(encoding, "replace")

        return numbers_in_texts(texts, decimal_comma, text)

    return Block(rows, list(map_columns(column, range(width))))
