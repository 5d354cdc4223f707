"""Rows of cells to blocks of columns (``table.Block``), which the statistics add up.

A reader that gives rows (the Excel reader; the CSV reader for lines it parses one at a time)
hands them here with the function that finds the numbers in a column of its cells. Rows are
taken a few at a time and split into columns, so that the per-cell work runs inside Python's C
code; rows with no value, and cells right of the header's last column, are dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice, zip_longest

from tablestats.numbers import ColumnCells
from tablestats.table import Block

# Rows are taken a few at a time because Python's garbage collector scans the rows a block
# keeps alive: with 4096 rows at a time instead of 512, reading a 200,000-row CSV took 1.7 times
# as long. The columns' cells (which the collector does not scan) are then gathered into blocks
# of about _BLOCK_CELLS cells, which numpy reads a column at a time: each of its calls costs
# microseconds whatever its size, so a block must be large, and its memory (about 8 MB) is the
# same for any number of rows.
_TAKE_ROWS = 512
_BLOCK_CELLS = 2**17


def blocks_of_rows(
    rows: Iterable[Sequence], width: int, read_cells: Callable[[Sequence], ColumnCells]
) -> Iterator[Block]:
    """The rows in blocks of their first ``width`` columns; ``read_cells`` reads one column of a
    block. A row shorter than ``width`` has empty cells ("") at its end."""
    block_rows = max(_TAKE_ROWS, _BLOCK_CELLS // max(width, 1))
    columns: list[list] = [[] for _ in range(width)]
    row_count = 0
    rows = iter(rows)
    while taken := list(islice(rows, _TAKE_ROWS)):
        taken = _without_empty_rows(taken)
        row_count += len(taken)
        for cells, taken_cells in zip(columns, _columns_of(taken, width), strict=False):
            cells.extend(taken_cells)
        if len(columns[0]) >= block_rows:
            yield Block(row_count, [read_cells(cells) for cells in columns])
            columns = [[] for _ in range(width)]
            row_count = 0
    if row_count:
        yield Block(row_count, [read_cells(cells) for cells in columns])


def _columns_of(rows: list[Sequence], width: int) -> list[Sequence]:
    """The first ``width`` columns of some rows."""
    if min(map(len, rows), default=width) >= width:
        return list(islice(zip(*rows, strict=False), width))  # longer rows: cut by islice
    # A row shorter than the header: pad it with empty cells.
    return list(islice(zip_longest(*rows, fillvalue=""), width))


def _without_empty_rows(rows: list[Sequence]) -> list[Sequence]:
    kept = list(filter(any, rows))  # rows with a cell that is not empty, zero or False
    if len(kept) == len(rows):
        return kept
    return [row for row in rows if row.count("") + row.count(None) < len(row)]
