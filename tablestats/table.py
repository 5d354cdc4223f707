"""A table as the readers give it: the type that the readers, the statistics and the rest share.

It lives below all of them, so that no module imports one that imports it back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for the type: this module stays below the others
    from tablestats.numbers import ColumnCells


@dataclass(frozen=True)
class Block:
    """Some rows of a table, read into its columns: what the statistics add up, block by block."""

    rows: int  # the rows in the block that hold a value (empty rows are not counted)
    columns: list[ColumnCells]  # one per header cell, in order: what the column's cells hold


@dataclass
class Table:
    """An upload's table: the header, then the data rows a block at a time, read into columns."""

    header: list
    # Blocks of rows in columns, of bounded size: memory does not grow with the table. The
    # readers make them from rows with ``row_blocks.blocks_of_rows``; the text reader reads most
    # lines of a CSV file into columns at once (``readers.plain_lines``).
    blocks: Iterator[Block]
    sheet: str | None  # the worksheet that was read; None for a text file
    # The sheet's own index (0 is column A) of the table's first column: an unnamed column is
    # called after its letter in the sheet ("Column D"), as the user sees it. 0 for a text file.
    first_column: int = 0
    # Formula cells that have no saved value (a workbook written by a program and never opened in
    # Excel), by the table's column index (0 is the table's first column): they read as empty.
    formulas_without_value: dict[int, int] = field(default_factory=dict)
    # How many rows there are, where the reader knows before the rows are read (a workbook's
    # sheet): for the progress a large upload shows. None for a text file.
    expected_rows: int | None = None


def column_letters(index: int) -> str:
    """Excel's name for the column at ``index`` (0 is A, 26 is AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
