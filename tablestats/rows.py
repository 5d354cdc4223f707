"""A column's statistics as a row of a table: one order of columns for the Statistics view and the
report's table, so that the two always show the same."""

from __future__ import annotations

from typing import Any

from tablestats.statistics import ColumnSummary

HEADERS = (
    "Column",
    "Values",
    "Numbers",
    "Minimum",
    "Maximum",
    "Mean",
    "Std. deviation",
    "Median",
    "5% quantile",
    "95% quantile",
    "Numbers as text",
    "Formulas without value",
)


def statistics_row(column: ColumnSummary) -> list[Any]:
    """The column's row, in the order of HEADERS; None where a statistic has no value."""
    return [
        column.name,
        column.count,
        column.numeric_count,
        column.min,
        column.max,
        column.mean,
        column.std,
        column.median,
        column.p05,
        column.p95,
        column.numbers_as_text,
        column.formulas_without_value,
    ]
