"""Rows to a per-column summary, in one pass.

Per column: how many cells hold a value, how many of those are numbers, and the minimum, maximum
and mean of the numbers. Text, dates and booleans are counted, not averaged, as Excel's own
AVERAGE does. The header (the first row) names the columns; a cell to the right of the last
named column has no column and is not counted.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from itertools import islice, zip_longest
from operator import itemgetter

from app_files.uploaded import UploadError
from tablestats.table import column_letters

# Rows are summarized a block at a time, column by column, so that the counting, min, max and
# sum run inside Python's C code instead of one Python step per cell (about 5x faster). Blocks are
# small because Python's garbage collector scans the rows a block keeps alive: with blocks of 4096
# rows instead of 512, reading a 200,000-row CSV took 1.7 times as long.
_BLOCK_ROWS = 512
_NUMBER_TYPES = {int, float}  # exact types: bool is a subclass of int but is not a number here
_NONE_TYPE = type(None)
# Numbers are measurements: infinities and NaN (which Excel cells can hold) are counted as values,
# not numbers. Sums of numbers near the largest float (1.8e308) are taken scaled down, so that a
# mean never overflows.
_PLAIN_SUM_LIMIT = 1e300
_SCALE = 2.0**-64
_UNNAMED = "Column "  # the name of a column whose header cell is empty


@dataclass
class Histogram:
    edges: list[float]  # the bins' edges, in increasing order: one more than there are bins
    counts: list[int]  # the numbers in each bin; a bin includes its left edge, the last both


@dataclass
class ColumnSummary:
    name: str
    count: int  # cells that hold a value
    numeric_count: int  # of those, numbers
    min: float | None  # None for a column without numbers
    max: float | None
    mean: float | None
    # ---- planned (issue 10); computed in the same reading, stored in the same entry ----
    std: float | None = None  # sample standard deviation (n - 1); None for fewer than 2 numbers
    median: float | None = None
    p05: float | None = None  # the 5% and 95% quantiles
    p95: float | None = None
    histogram: Histogram | None = None  # None for a column without numbers
    numbers_as_text: int = 0  # cells that hold a number written as text, not counted as numbers
    formulas_without_value: int = 0  # formula cells without a saved value, read as empty

    @classmethod
    def from_dict(cls, data: dict) -> ColumnSummary:
        """A column from plain data, checking every type; ValueError, KeyError or TypeError."""
        return cls(
            name=str(data["name"]),
            count=int(data["count"]),
            numeric_count=int(data["numeric_count"]),
            min=_number_or_none(data["min"]),
            max=_number_or_none(data["max"]),
            mean=_number_or_none(data["mean"]),
        )


@dataclass
class Summary:
    rows: int  # data rows, without the header and without empty rows
    columns: list[ColumnSummary]

    def to_dict(self) -> dict:
        return {"rows": self.rows, "columns": [asdict(column) for column in self.columns]}

    @classmethod
    def from_dict(cls, data: dict) -> Summary:
        """The inverse of ``to_dict``; ValueError, KeyError or TypeError on anything else."""
        return cls(
            rows=int(data["rows"]),
            columns=[ColumnSummary.from_dict(column) for column in data["columns"]],
        )


def _number_or_none(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {value!r}")
    return value


class _ColumnTotals:
    """What is known about one column so far."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0
        self.numeric_count = 0
        self.min = math.inf
        self.max = -math.inf
        self.partial_sums: list[float] = []
        self.large_sums: list[float] = []  # sums of blocks of huge numbers, times _SCALE

    def add(self, cells: Sequence) -> None:
        if not cells:
            return
        kinds = set(map(type, cells))
        empty = (cells.count("") if str in kinds else 0) + (
            cells.count(None) if _NONE_TYPE in kinds else 0
        )
        self.count += len(cells) - empty
        if kinds <= _NUMBER_TYPES:
            numbers = cells
        elif kinds & _NUMBER_TYPES:
            numbers = [cell for cell in cells if type(cell) in _NUMBER_TYPES]
        else:
            return
        if not math.isfinite(sum(numbers)):  # an infinity or NaN, or a sum beyond any float
            numbers = [number for number in numbers if math.isfinite(number)]
            if not numbers:
                return
        self.numeric_count += len(numbers)
        low, high = min(numbers), max(numbers)
        self.min, self.max = min(self.min, low), max(self.max, high)
        if max(-low, high) * len(numbers) < _PLAIN_SUM_LIMIT:
            self.partial_sums.append(math.fsum(numbers))
        else:  # scaled down by a power of two (exact), or the sum would overflow
            self.large_sums.append(math.fsum(number * _SCALE for number in numbers))

    def summary(self) -> ColumnSummary:
        if not self.numeric_count:
            return ColumnSummary(self.name, self.count, 0, None, None, None)
        total = math.fsum(self.partial_sums)
        if self.large_sums:
            scaled_mean = (math.fsum(self.large_sums) + total * _SCALE) / self.numeric_count
            mean = scaled_mean / _SCALE
        else:
            mean = total / self.numeric_count
        return ColumnSummary(self.name, self.count, self.numeric_count, self.min, self.max, mean)


def summarize(
    header: Sequence,
    rows: Iterable[Sequence],
    parse_numbers: Callable[[Sequence], Sequence] | None = None,
) -> Summary:
    """Summarize ``rows`` under ``header``, reading ``rows`` once.

    Cells are Python values as the readers produce them: numbers are ``int`` or ``float``, an
    empty cell is ``""`` or ``None``, anything else (text, dates, booleans) is a value that is not
    a number. ``parse_numbers``, when given, turns the numbers written as text in a column into
    numbers first (``Table.parse_numbers``). Raises UploadError when no column holds a number.
    """
    columns = [_ColumnTotals(_column_name(cell, index)) for index, cell in enumerate(header)]
    if not columns:
        raise UploadError(
            "The first row is empty. Put the column names in the first row and the data below."
        )
    row_count = 0
    rows = iter(rows)
    while block := list(islice(rows, _BLOCK_ROWS)):
        block = [row for row in block if not _is_empty(row)]
        row_count += len(block)
        for totals, cells in zip(columns, _columns_of(block, len(columns)), strict=False):
            totals.add(parse_numbers(cells) if parse_numbers else cells)

    # A column with neither a name nor a value is an artefact (a trailing delimiter, say).
    summaries = [
        totals.summary()
        for totals, cell in zip(columns, header, strict=True)
        if totals.count or _header_text(cell)
    ]
    if not any(s.numeric_count for s in summaries):
        raise UploadError(
            "No column holds numbers, so there is nothing to compute. Check that the numbers are "
            "stored as numbers, not as text, and that the first row holds the column names."
        )
    return Summary(rows=row_count, columns=summaries)


def _header_text(cell: object) -> str:
    return "" if cell is None else str(cell).strip()


def _column_name(cell: object, index: int) -> str:
    return _header_text(cell) or f"{_UNNAMED}{column_letters(index)}"


def _columns_of(block: list[Sequence], width: int) -> list[Sequence]:
    """The first ``width`` columns of a block of rows."""
    try:
        return [list(map(itemgetter(index), block)) for index in range(width)]
    except IndexError:  # a row shorter than the header: slower, and pads it with empty cells
        return list(islice(zip_longest(*block), width))


def _is_empty(row: Sequence) -> bool:
    if row and row[0] != "" and row[0] is not None:
        return False  # decides most rows with one comparison
    return row.count("") + row.count(None) == len(row)
