"""A table's rows, a block at a time, to a per-column summary, in one pass.

Per column: how many cells hold a value and how many of those are numbers; of the numbers, the
minimum, maximum, mean, standard deviation, median, 5% and 95% quantiles and a histogram; and the
cells that look like numbers but are not counted as such (numbers written as text, formulas
without a saved value). Text, dates and booleans are counted, not averaged, as Excel's own AVERAGE
does. The header (the first row) names the columns; a cell to the right of the last named column
has no column and is not counted.

Which cells are numbers: ``numbers``. The mean and standard deviation: ``moments``. The quantiles
and the histogram, and how accurate they are: ``distribution``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

from app_files.uploaded import UploadError
from tablestats.distribution import Distribution
from tablestats.moments import Moments
from tablestats.numbers import ColumnCells
from tablestats.table import Table, column_letters

_UNNAMED = "Column "  # the name of a column whose header cell is empty


@dataclass
class Histogram:
    edges: list[float]  # the bins' edges, in increasing order: one more than there are bins
    # The numbers in each bin, exactly; a bin includes its left edge, the last both. A constant
    # column has one bin, [value, value]. Where the edges lie: ``distribution``.
    counts: list[int]

    @classmethod
    def from_dict(cls, data: dict) -> Histogram:
        edges = [_number(edge) for edge in data["edges"]]
        counts = [_count(count) for count in data["counts"]]
        if len(edges) != len(counts) + 1 or edges != sorted(edges):
            raise ValueError(f"not a histogram: {len(edges)} edges, {len(counts)} counts")
        return cls(edges, counts)


@dataclass
class ColumnSummary:
    name: str
    count: int  # cells that hold a value
    numeric_count: int  # of those, numbers
    min: float | None  # None for a column without numbers, as all the statistics of the numbers
    max: float | None
    mean: float | None
    std: float | None = None  # sample standard deviation (n - 1); None for fewer than 2 numbers
    median: float | None = None  # the quantiles: exact, or estimated as ``distribution`` says
    p05: float | None = None  # the 5% and 95% quantiles
    p95: float | None = None
    histogram: Histogram | None = None
    numbers_as_text: int = 0  # cells that hold a number written as text, not counted as numbers
    formulas_without_value: int = 0  # formula cells without a saved value, read as empty

    @classmethod
    def from_dict(cls, data: dict) -> ColumnSummary:
        """A column from plain data, checking every type; ValueError, KeyError or TypeError."""
        if not isinstance(data["name"], str):
            raise TypeError(f"expected a name, got {data['name']!r}")
        histogram = data["histogram"]
        return cls(
            name=data["name"],
            count=_count(data["count"]),
            numeric_count=_count(data["numeric_count"]),
            min=_number_or_none(data["min"]),
            max=_number_or_none(data["max"]),
            mean=_number_or_none(data["mean"]),
            std=_number_or_none(data["std"]),
            median=_number_or_none(data["median"]),
            p05=_number_or_none(data["p05"]),
            p95=_number_or_none(data["p95"]),
            histogram=None if histogram is None else Histogram.from_dict(histogram),
            numbers_as_text=_count(data["numbers_as_text"]),
            formulas_without_value=_count(data["formulas_without_value"]),
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
        if not isinstance(data["columns"], list):
            raise TypeError(f"expected a list of columns, got {data['columns']!r}")
        return cls(
            rows=_count(data["rows"]),
            columns=[ColumnSummary.from_dict(column) for column in data["columns"]],
        )


def _count(value: object) -> int:
    if type(value) is not int:
        raise TypeError(f"expected a count, got {value!r}")
    if value < 0:
        raise ValueError(f"expected a count, got {value!r}")
    return value


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {value!r}")
    return value


def _number_or_none(value: object) -> float | None:
    return None if value is None else _number(value)


class _ColumnTotals:
    """What is known about one column so far."""

    def __init__(self, name: str, formulas_without_value: int) -> None:
        self.name = name
        self.count = 0
        self.numbers_as_text = 0
        self.formulas_without_value = formulas_without_value
        self.moments = Moments()
        self.distribution = Distribution()

    def add(self, cells: ColumnCells) -> None:
        self.count += cells.filled
        self.numbers_as_text += cells.numbers_as_text
        self.moments.add(cells.numbers)
        self.distribution.add(cells.numbers)

    def summary(self) -> ColumnSummary:
        numbers = self.distribution
        histogram = numbers.histogram()
        return ColumnSummary(
            name=self.name,
            count=self.count,
            numeric_count=numbers.count,
            min=numbers.min if numbers.count else None,
            max=numbers.max if numbers.count else None,
            mean=self.moments.mean(),
            std=self.moments.std(),
            median=numbers.quantile(0.5),
            p05=numbers.quantile(0.05),
            p95=numbers.quantile(0.95),
            histogram=None if histogram is None else Histogram(*histogram),
            numbers_as_text=self.numbers_as_text,
            formulas_without_value=self.formulas_without_value,
        )


def summarize(table: Table, rows_read: Callable[[int], object] | None = None) -> Summary:
    """Summarize the table's rows under its header, reading the rows once.

    ``rows_read``, when given, is told the number of rows read so far after each block of rows
    (for a progress message). Raises UploadError when no column holds a number.
    """
    columns = [
        _ColumnTotals(
            _column_name(cell, table.first_column + index),
            table.formulas_without_value.get(index, 0),
        )
        for index, cell in enumerate(table.header)
    ]
    if not columns:
        raise UploadError(
            "The first row is empty. Put the column names in the first row and the data below."
        )
    row_count = 0
    for block in table.blocks:
        row_count += block.rows
        for totals, cells in zip(columns, block.columns, strict=True):
            totals.add(cells)
        if rows_read is not None:
            rows_read(row_count)

    # A column with neither a name nor a value is an artefact (a trailing delimiter, say).
    summaries = [
        totals.summary()
        for totals, cell in zip(columns, table.header, strict=True)
        if totals.count or totals.formulas_without_value or _header_text(cell)
    ]
    if not any(s.numeric_count for s in summaries):
        raise UploadError(_no_numbers(summaries))
    return Summary(rows=row_count, columns=summaries)


def _no_numbers(summaries: list[ColumnSummary]) -> str:
    """Why no column holds numbers, and what to do: the message for the user."""
    most = max(summaries, key=lambda summary: summary.numbers_as_text)
    if most.numbers_as_text:
        return (
            f"No column holds numbers, so there is nothing to compute. Column '{most.name}' holds "
            f"{most.numbers_as_text:,} numbers written as text (such as 1,234.5 or 1 234): write "
            "them as plain numbers (1234.5), or store them as numbers in Excel."
        )
    return (
        "No column holds numbers, so there is nothing to compute. Check that the numbers are "
        "stored as numbers, not as text, and that the first row holds the column names."
    )


def _header_text(cell: object) -> str:
    return "" if cell is None else str(cell).strip()


def _column_name(cell: object, sheet_index: int) -> str:
    return _header_text(cell) or f"{_UNNAMED}{column_letters(sheet_index)}"
