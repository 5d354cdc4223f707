"""What the user should know about a column: cells that were not counted as numbers, and what to
do about them. The Table view shows these notes, and so does the command line."""

from __future__ import annotations

from dataclasses import dataclass

from tablestats.statistics import ColumnSummary


@dataclass(frozen=True)
class Note:
    column: str
    cells: int
    problem: str  # what the cells are, as a label: "numbers written as text"
    advice: str  # what to do about it


NUMBERS_AS_TEXT = (
    "They are not counted as numbers. In Excel, select them and choose Convert to Number; in a "
    "text file, write them without thousands separators, in plain digits."
)
FORMULAS_WITHOUT_VALUE = (
    "They read as empty: the workbook was written by a program and never calculated. Open it in "
    "Excel, save it, and upload it again."
)


def notes(columns: list[ColumnSummary]) -> list[Note]:
    """Every note on ``columns``, column by column."""
    found = []
    for column in columns:
        if column.numbers_as_text:
            found.append(
                Note(
                    column.name, column.numbers_as_text, "numbers written as text", NUMBERS_AS_TEXT
                )
            )
        if column.formulas_without_value:
            found.append(
                Note(
                    column.name,
                    column.formulas_without_value,
                    "formulas without a saved value",
                    FORMULAS_WITHOUT_VALUE,
                )
            )
    return found
