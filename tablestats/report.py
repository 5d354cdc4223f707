"""Table statistics to an Excel report, filled into the bundled template.

The template is an ordinary workbook that anyone can restyle in Excel: fonts, colours, logos,
extra sheets. The code only knows two kinds of names in it:

- named cells (Formulas > Name Manager): ``ReportFile``, ``ReportSheet``, ``ReportRows``,
  ``ReportSize``, ``ReportSource``, ``ReportCreated`` and ``ReportAbout``;
- the Excel table (Insert > Table) named ``Statistics``, with six columns, which grows to one row
  per column of the upload.

Move them anywhere; keep the names. ``tests/demo/test_report.py`` checks that the bundled template
still has them all.
"""

from __future__ import annotations

import datetime
from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook

from tablestats.computation import TableStatistics

# A bundled file, found from this file's own location.
REPORT_TEMPLATE = Path(__file__).parent / "report_template.xlsx"

NAMED_CELLS = (
    "ReportFile",
    "ReportSheet",
    "ReportRows",
    "ReportSize",
    "ReportSource",
    "ReportCreated",
    "ReportAbout",
)
TABLE_NAME = "Statistics"
TABLE_COLUMNS = 6  # name, values, numbers, minimum, maximum, mean


class TemplateError(RuntimeError):
    """The report template lacks a name the code needs: a mistake in the app, not in the upload."""


def build_report(
    statistics: TableStatistics,
    *,
    file_name: str,
    file_size: int,
    reused: bool,
    about: str,
    template: Path = REPORT_TEMPLATE,
    now: datetime.datetime | None = None,
) -> bytes:
    """The report on the statistics of the upload ``file_name``, as the bytes of an .xlsx file."""
    workbook = load_workbook(template)
    created = now or datetime.datetime.now(datetime.timezone.utc)
    _fill_named_cells(
        workbook,
        {
            "ReportFile": file_name,
            "ReportSheet": statistics.sheet or "(text file)",
            "ReportRows": statistics.summary.rows,
            "ReportSize": file_size,
            "ReportSource": "reused from storage" if reused else "computed now",
            "ReportCreated": created.replace(tzinfo=None),  # Excel has no time zones
            "ReportAbout": about.strip(),
        },
    )
    _fill_table(
        workbook,
        [
            [c.name, c.count, c.numeric_count, c.min, c.max, c.mean]
            for c in statistics.summary.columns
        ],
    )
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def check_template(template: Path = REPORT_TEMPLATE) -> None:
    """Raise TemplateError unless the template has every name the report needs."""
    workbook = load_workbook(template)
    for name in NAMED_CELLS:
        _named_cell(workbook, name)
    _table(workbook)


def _fill_named_cells(workbook: Workbook, values: dict[str, object]) -> None:
    for name, value in values.items():
        _write(_named_cell(workbook, name), value)


def _write(cell, value: object) -> None:
    cell.value = value
    if isinstance(value, str):
        # Text from an upload (a file or column name) that starts with "=" would otherwise become
        # a live formula in the report: it stays text.
        cell.data_type = "s"


def _named_cell(workbook: Workbook, name: str):
    defined = workbook.defined_names.get(name)
    destinations = list(defined.destinations) if defined is not None else []
    if len(destinations) != 1:
        raise TemplateError(f"The report template has no single cell named {name}.")
    sheet_title, reference = destinations[0]
    return workbook[sheet_title][reference.replace("$", "").split(":")[0]]


def _table(workbook: Workbook):
    for sheet in workbook.worksheets:
        if TABLE_NAME in sheet.tables:
            table = sheet.tables[TABLE_NAME]
            first_column, _, last_column, _ = range_boundaries(table.ref)
            if last_column - first_column + 1 != TABLE_COLUMNS:
                raise TemplateError(
                    f"The table {TABLE_NAME} in the report template must have {TABLE_COLUMNS} "
                    "columns."
                )
            return sheet, table
    raise TemplateError(f"The report template has no Excel table named {TABLE_NAME}.")


def _fill_table(workbook: Workbook, rows: list[list]) -> None:
    sheet, table = _table(workbook)
    first_column, header_row, last_column, last_row = range_boundaries(table.ref)
    # New rows take the number formats of the template's first data row.
    formats = [
        sheet.cell(row=header_row + 1, column=c).number_format
        for c in range(first_column, last_column + 1)
    ]
    for offset, row in enumerate(rows, start=1):
        for column, (value, number_format) in enumerate(
            zip(row, formats, strict=True), start=first_column
        ):
            cell = sheet.cell(row=header_row + offset, column=column)
            _write(cell, value)
            cell.number_format = number_format
    end_row = header_row + max(len(rows), 1)
    for row_number in range(end_row + 1, last_row + 1):  # rows the template had beyond ours
        for column in range(first_column, last_column + 1):
            sheet.cell(row=row_number, column=column, value=None)
    table.ref = (
        f"{get_column_letter(first_column)}{header_row}:{get_column_letter(last_column)}{end_row}"
    )
    if table.autoFilter is not None:
        table.autoFilter.ref = table.ref
