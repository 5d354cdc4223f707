"""A table's rows, a block at a time, to a per-column summary, in one pass.

Per column: how many cells hold a value and how many of those are numbers; of the numbers, the
minimum, maximum, mean, standard deviation, median, 5% and 95% quantiles and a histogram; and the
cells that look like numbers but are not counted as such (numbers written as text, formulas
without a saved value). Text, dates and booleans are counted, not averaged, as Excel's own AVERAGE
does. The header (the first row) names the columns; a cell to the right of the last named column
has no column and is not counted.

Which cells are numbers: ``numbers``. The mean and standard deviation: ``moments``. The quantiles
and the histogram, and how accurate they are: ``distribution``. What is counted of a table
(``Totals``) merges with what is counted of another, into the statistics of both tables together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

from app_files.uploaded import UploadError
from tablestats.distribution import Distribution
from tablestats.json_values import a_count, a_number, a_number_or_none
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
        edges = [a_number(edge) for edge in data["edges"]]
        counts = [a_count(count) for count in data["counts"]]
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

    def to_dict(self) -> dict:
        """As plain data (without dataclasses.asdict, whose deep copy is slow)."""
        data = {field.name: getattr(self, field.name) for field in fields(self)}
        if self.histogram is not None:
            data["histogram"] = {"edges": self.histogram.edges, "counts": self.histogram.counts}
        return data

    @classmethod
    def from_dict(cls, data: dict) -> ColumnSummary:
        """A column from plain data, checking every type; ValueError, KeyError or TypeError."""
        if not isinstance(data["name"], str):
            raise TypeError(f"expected a name, got {data['name']!r}")
        histogram = data["histogram"]
        return cls(
            name=data["name"],
            count=a_count(data["count"]),
            numeric_count=a_count(data["numeric_count"]),
            min=a_number_or_none(data["min"]),
            max=a_number_or_none(data["max"]),
            mean=a_number_or_none(data["mean"]),
            std=a_number_or_none(data["std"]),
            median=a_number_or_none(data["median"]),
            p05=a_number_or_none(data["p05"]),
            p95=a_number_or_none(data["p95"]),
            histogram=None if histogram is None else Histogram.from_dict(histogram),
            numbers_as_text=a_count(data["numbers_as_text"]),
            formulas_without_value=a_count(data["formulas_without_value"]),
        )


@dataclass
class Summary:
    rows: int  # data rows, without the header and without empty rows
    columns: list[ColumnSummary]

    def to_dict(self) -> dict:
        return {"rows": self.rows, "columns": [column.to_dict() for column in self.columns]}

    @classmethod
    def from_dict(cls, data: dict) -> Summary:
        """The inverse of ``to_dict``; ValueError, KeyError or TypeError on anything else."""
        if not isinstance(data["columns"], list):
            raise TypeError(f"expected a list of columns, got {data['columns']!r}")
        return cls(
            rows=a_count(data["rows"]),
            columns=[ColumnSummary.from_dict(column) for column in data["columns"]],
        )


class ColumnTotals:
    """What is known about one column so far: enough for its summary, and to merge with the same
    column of another table, as if both had been read as one (``Totals``)."""

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

    def merge(self, other: ColumnTotals) -> None:
        """Add what ``other`` counted (``other`` stays as it is)."""
        self.count += other.count
        self.numbers_as_text += other.numbers_as_text
        self.formulas_without_value += other.formulas_without_value
        self.moments.merge(other.moments)
        self.distribution.merge(other.distribution)

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

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "count": self.count,
            "numbers_as_text": self.numbers_as_text,
            "formulas_without_value": self.formulas_without_value,
            "moments": self.moments.to_dict(),
            "distribution": self.distribution.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> ColumnTotals:
        """The inverse of ``to_dict``; ValueError, KeyError or TypeError on anything else."""
        if not isinstance(data["name"], str):
            raise TypeError(f"expected a name, got {data['name']!r}")
        found = cls(data["name"], a_count(data["formulas_without_value"]))
        found.count = a_count(data["count"])
        found.numbers_as_text = a_count(data["numbers_as_text"])
        found.moments = Moments.from_dict(data["moments"])
        found.distribution = Distribution.from_dict(data["distribution"])
        if (
            found.moments.count != found.distribution.count
            or found.distribution.count > found.count
        ):
            raise ValueError(f"column {found.name!r}: counts that do not agree")
        return found


@dataclass
class Totals:
    """What is known about a table's columns: its summary, and what merges with another table's.

    Tables merge column by column, by name (a second column of the same name with the second of
    that name), into the totals of one table of both tables' rows: the counts, minimum, maximum
    and mean exactly as reading both at once would give them, the standard deviation as the
    blocks of one table merge (``moments``), and the quantiles and histogram exactly too
    (``distribution``). A column that only one table has is counted from that table alone."""

    rows: int
    columns: list[ColumnTotals]

    def summary(self) -> Summary:
        return Summary(rows=self.rows, columns=[column.summary() for column in self.columns])

    def merge(self, other: Totals) -> None:
        """Add the rows and columns of ``other`` (which stays as it is)."""
        self.rows += other.rows
        by_name = _by_name(self.columns)
        for (name, occurrence), column in _by_name(other.columns).items():
            if (name, occurrence) in by_name:
                by_name[name, occurrence].merge(column)
            else:
                copy = ColumnTotals(name, 0)
                copy.merge(column)
                self.columns.append(copy)

    def to_dict(self) -> dict:
        return {"rows": self.rows, "columns": [column.to_dict() for column in self.columns]}

    @classmethod
    def from_dict(cls, data: dict) -> Totals:
        """The inverse of ``to_dict``; ValueError, KeyError or TypeError on anything else."""
        if not isinstance(data["columns"], list):
            raise TypeError(f"expected a list of columns, got {data['columns']!r}")
        columns = [ColumnTotals.from_dict(column) for column in data["columns"]]
        return cls(rows=a_count(data["rows"]), columns=columns)


def _by_name(columns: list[ColumnTotals]) -> dict[tuple[str, int], ColumnTotals]:
    """{(name, how many columns of that name come before it): column}."""
    found: dict[tuple[str, int], ColumnTotals] = {}
    seen: dict[str, int] = {}
    for column in columns:
        occurrence = seen.get(column.name, 0)
        seen[column.name] = occurrence + 1
        found[column.name, occurrence] = column
    return found


def summarize(table: Table, rows_read: Callable[[int], object] | None = None) -> Summary:
    """The summary of ``count_table``: the table's rows under its header, read once."""
    return count_table(table, rows_read).summary()


def count_table(table: Table, rows_read: Callable[[int], object] | None = None) -> Totals:
    """Count the table's rows under its header, reading the rows once.

    ``rows_read``, when given, is told the number of rows read so far after each block of rows
    (for a progress message). Raises UploadError when no column holds a number.
    """
    columns = [
        ColumnTotals(
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
    kept = [
        totals
        for totals, cell in zip(columns, table.header, strict=True)
        if totals.count or totals.formulas_without_value or _header_text(cell)
    ]
    if not any(totals.distribution.count for totals in kept):
        raise UploadError(_no_numbers(kept))
    return Totals(rows=row_count, columns=kept)


def _no_numbers(columns: list[ColumnTotals]) -> str:
    """Why no column holds numbers, and what to do: the message for the user."""
    most = max(columns, key=lambda column: column.numbers_as_text)
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
