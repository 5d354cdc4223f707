"""A column's statistics as a row of a table: one list of columns for the Statistics view and the
report's table, so that the two always show the same.

To show a new statistic, add it to ``ColumnSummary`` and a line to ``COLUMNS``: the view and the
report (``report.py``) take their columns from here, and the report template needs no edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tablestats.statistics import ColumnSummary


@dataclass(frozen=True)
class TableColumn:
    header: str
    attribute: str  # the ColumnSummary attribute it shows
    counts_cells: bool = False  # a whole number of cells (the report writes it as 1,234)


COLUMNS = (
    TableColumn("Column", "name"),
    TableColumn("Values", "count", counts_cells=True),
    TableColumn("Numbers", "numeric_count", counts_cells=True),
    TableColumn("Minimum", "min"),
    TableColumn("Maximum", "max"),
    TableColumn("Mean", "mean"),
    TableColumn("Std. deviation", "std"),
    TableColumn("Median", "median"),
    TableColumn("5% quantile", "p05"),
    TableColumn("95% quantile", "p95"),
    TableColumn("Numbers as text", "numbers_as_text", counts_cells=True),
    TableColumn("Formulas without value", "formulas_without_value", counts_cells=True),
)
HEADERS = tuple(column.header for column in COLUMNS)


def statistics_row(column: ColumnSummary) -> list[Any]:
    """The column's row, in the order of COLUMNS; None where a statistic has no value."""
    return [getattr(column, table_column.attribute) for table_column in COLUMNS]
