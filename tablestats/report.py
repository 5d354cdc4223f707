"""Table statistics to an Excel report, filled into the bundled template.

The template is an ordinary workbook that anyone can restyle in Excel: fonts, colours, logos,
extra sheets. The code only knows names in it:

- named cells (Formulas > Name Manager): ``ReportFile``, ``ReportSheet``, ``ReportRows``,
  ``ReportSize``, ``ReportSource``, ``ReportCreated`` and ``ReportAbout``;
- the Excel table (Insert > Table) named ``Statistics``: the code writes its header row and its
  rows from ``rows.COLUMNS``, one row per column of the upload, so a new statistic needs no edit
  of the template; the template gives the table's place, style and column widths;
- ``ReportCharts``, the cell where the charts of the distributions start (one below the other),
  and ``HistogramData``, the cell where the data they draw is written.

Move them anywhere; keep the names. ``tests/demo/test_report.py`` checks that the bundled template
still has them all. The charts themselves are drawn by the code: openpyxl cannot keep a chart it
did not write, so a chart in the template would be lost.

One table fills the template as it is. Several fill its sheet with the statistics of all of them
together, and a copy of that sheet per table, named after the table's file, right after it; the
charts are those of all the tables. A file that could not be read is listed below the table of
the first sheet, with why.
"""

from __future__ import annotations

import datetime
import re
from copy import deepcopy
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn
from openpyxl.worksheet.worksheet import Worksheet

from app_files.uploaded import Refused
from tablestats import rows
from tablestats.all_tables import NamedTable, TablesRead
from tablestats.statistics import ColumnSummary, Summary

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
    "ReportCharts",
    "HistogramData",
)
TABLE_NAME = "Statistics"
CHART_ROWS = 16  # rows each chart takes, the space between charts included
CHART_WIDTH_CM, CHART_HEIGHT_CM = 18, 7.5
COUNT_FORMAT = "#,##0"  # how a count of cells is shown: 1,234


class TemplateError(RuntimeError):
    """The report template lacks a name the code needs: a mistake in the app, not in the upload."""


def build_report(
    read: TablesRead,
    *,
    kept: str,
    about: str,
    template: Path = REPORT_TEMPLATE,
    now: datetime.datetime | None = None,
) -> bytes:
    """The report on the statistics of the tables ``read``, as the bytes of an .xlsx file.
    ``kept`` says whether the statistics are kept for later jobs, as the views say it."""
    workbook = load_workbook(template)
    # Excel has no time zones: the time in UTC, as the template's label says.
    created = (now or datetime.datetime.now(datetime.timezone.utc)).replace(tzinfo=None)
    sheet, table = _table(workbook)
    common = {"ReportSource": kept, "ReportCreated": created, "ReportAbout": about.strip()}
    if read.together is None:  # one table: the template as it is
        (only,) = read.tables
        summary = only.statistics.summary
        _fill_named_cells(workbook, {**_facts(only), **common})
    else:
        summary = read.together
        facts = {
            "ReportFile": read.together_label,
            "ReportSheet": "(a sheet per table)",
            "ReportRows": summary.rows,
            "ReportSize": sum(each.size for each in read.tables),
        }
        titles = _sheet_titles([each.name for each in read.tables], workbook.sheetnames)
        for number, (each, title) in enumerate(zip(read.tables, titles, strict=True), start=1):
            copy, copied_table = _copy_sheet(workbook, sheet, table, title, number)
            _fill_named_cells(workbook, {**_facts(each), **common}, onto=(sheet, copy))
            _fill_table(copy, copied_table, each.statistics.summary)
        _fill_named_cells(workbook, {**facts, **common})
    _fill_table(sheet, table, summary)
    _list_left_out(sheet, table, read.left_out)
    _draw_distributions(workbook, [c for c in summary.columns if c.histogram])
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def check_template(template: Path = REPORT_TEMPLATE) -> None:
    """Raise TemplateError unless the template has every name the report needs."""
    workbook = load_workbook(template)
    for name in NAMED_CELLS:
        _named_cell(workbook, name)
    _table(workbook)


def _facts(table: NamedTable) -> dict[str, Any]:
    return {
        "ReportFile": table.name,
        "ReportSheet": table.statistics.sheet or "(text file)",
        "ReportRows": table.statistics.summary.rows,
        "ReportSize": table.size,
    }


def _fill_named_cells(
    workbook: Workbook, values: dict[str, Any], onto: tuple[Worksheet, Worksheet] | None = None
) -> None:
    """Each named cell, or with ``onto`` (the table's sheet and a copy of it) the same cell of the
    copy, for the named cells on that sheet."""
    for name, value in values.items():
        cell = _named_cell(workbook, name)
        if onto is not None:
            if cell.parent is not onto[0]:
                continue
            cell = onto[1][cell.coordinate]
        _write(cell, value)


def _write(cell: Cell | MergedCell, value: Any) -> None:
    cell.value = value
    if isinstance(value, str):
        # Text from an upload (a file or column name) that starts with "=" would otherwise become
        # a live formula in the report: it stays text.
        cell.data_type = "s"


def _named_cell(workbook: Workbook, name: str) -> Cell:
    defined = workbook.defined_names.get(name)
    destinations = list(defined.destinations) if defined is not None else []
    if len(destinations) != 1:
        raise TemplateError(f"The report template has no single cell named {name}.")
    sheet_title, reference = destinations[0]
    cell = workbook[sheet_title][reference.replace("$", "").split(":")[0]]
    assert isinstance(cell, Cell)
    return cell


def _bounds(reference: str) -> tuple[int, int, int, int]:
    """First column, first row, last column and last row of a range such as "A11:L12"."""
    first_column, first_row, last_column, last_row = range_boundaries(reference)
    if first_column is None or first_row is None or last_column is None or last_row is None:
        raise TemplateError(f"The table {TABLE_NAME} in the report template has no cell range.")
    return first_column, first_row, last_column, last_row


def _table(workbook: Workbook) -> tuple[Worksheet, Table]:
    for sheet in workbook.worksheets:
        if TABLE_NAME in sheet.tables:
            return sheet, sheet.tables[TABLE_NAME]
    raise TemplateError(f"The report template has no Excel table named {TABLE_NAME}.")


def _copy_sheet(
    workbook: Workbook, sheet: Worksheet, table: Table, title: str, number: int
) -> tuple[Worksheet, Table]:
    """A copy of the table's sheet, right after the sheets copied before it, with a table of its
    own (openpyxl copies the cells and their styles, not the table)."""
    copy = workbook.copy_worksheet(sheet)
    copy.title = title
    workbook.move_sheet(copy, workbook.index(sheet) + number - workbook.index(copy))
    copied = Table(
        displayName=f"{TABLE_NAME}{number + 1}",
        ref=table.ref,
        tableStyleInfo=deepcopy(table.tableStyleInfo),
        autoFilter=None if table.autoFilter is None else AutoFilter(ref=table.ref),
    )
    copy.add_table(copied)
    return copy, copied


def _sheet_titles(names: list[str], taken: list[str]) -> list[str]:
    """A sheet title for each file name, as Excel allows them: at most 31 characters, none of
    :\\/?*[], not empty, and no two the same (Excel ignores case)."""
    used = {title.lower() for title in taken}
    titles = []
    for number, name in enumerate(names, start=1):
        base = re.sub(r"[][:\\/?*]", "_", name).strip("' ") or f"Table {number}"
        title, copy = base[:31], 1
        while title.lower() in used:
            copy += 1
            suffix = f" ({copy})"
            title = base[: 31 - len(suffix)] + suffix
        used.add(title.lower())
        titles.append(title)
    return titles


def _fill_table(sheet: Worksheet, table: Table, summary: Summary) -> None:
    """The table, from its top left cell on: the headers of ``rows.COLUMNS``, then a row per
    column of ``summary``."""
    values = [rows.statistics_row(column) for column in summary.columns]
    first_column, header_row, last_column, last_row = _bounds(table.ref)
    for row in sheet.iter_rows(header_row, last_row, first_column, last_column):
        for cell in row:  # the template's own cells, which may be more than ours
            cell.value = None
    end_column = first_column + len(rows.COLUMNS) - 1
    for column, table_column in enumerate(rows.COLUMNS, start=first_column):
        _write(sheet.cell(row=header_row, column=column), table_column.header)
        number_format = COUNT_FORMAT if table_column.counts_cells else "General"
        for offset, row in enumerate(values, start=1):
            cell = sheet.cell(row=header_row + offset, column=column)
            _write(cell, row[column - first_column])
            cell.number_format = number_format
        letter = get_column_letter(column)
        if letter not in sheet.column_dimensions:  # a column the template did not size
            sheet.column_dimensions[letter].width = max(10, len(table_column.header) + 2)
    end_row = header_row + max(len(values), 1)
    table.ref = (
        f"{get_column_letter(first_column)}{header_row}:{get_column_letter(end_column)}{end_row}"
    )
    table.tableColumns = [
        TableColumn(id=number, name=column.header)
        for number, column in enumerate(rows.COLUMNS, start=1)
    ]
    if table.autoFilter is not None:
        table.autoFilter.ref = table.ref


def _list_left_out(sheet: Worksheet, table: Table, left_out: list[Refused]) -> None:
    """The files that could not be read, with why, below the table: the statistics above are of
    the others only."""
    if not left_out:
        return
    first_column, _, _, last_row = _bounds(table.ref)
    heading = sheet.cell(row=last_row + 2, column=first_column)
    _write(
        heading, "Left out: these files could not be read, so the statistics above leave them out"
    )
    heading.font = Font(bold=True)
    for offset, file in enumerate(left_out, start=3):
        _write(sheet.cell(row=last_row + offset, column=first_column), file.name)
        _write(sheet.cell(row=last_row + offset, column=first_column + 1), file.message)


def _draw_distributions(workbook: Workbook, columns: list[ColumnSummary]) -> None:
    """A bar chart of each column's histogram, from the data written at ``HistogramData``."""
    data_start = _named_cell(workbook, "HistogramData")
    charts_start = _named_cell(workbook, "ReportCharts")
    data_sheet, charts_sheet = data_start.parent, charts_start.parent
    assert isinstance(data_sheet, Worksheet) and isinstance(charts_sheet, Worksheet)
    for index, column in enumerate(columns):
        assert column.histogram is not None
        edges, counts = column.histogram.edges, column.histogram.counts
        left = data_start.column + 3 * index  # a block of two columns and a space per histogram
        top = data_start.row
        _write(data_sheet.cell(row=top, column=left), column.name)
        data_sheet.cell(row=top + 1, column=left, value="Bin")
        data_sheet.cell(row=top + 1, column=left + 1, value="Values")
        for offset, count in enumerate(counts):
            label = f"{edges[offset]:.4g} to {edges[offset + 1]:.4g}"
            data_sheet.cell(row=top + 2 + offset, column=left, value=label)
            data_sheet.cell(row=top + 2 + offset, column=left + 1, value=count)
        last = top + 1 + len(counts)
        chart = BarChart()
        chart.type, chart.gapWidth, chart.legend = "col", 10, None
        chart.title = _chart_title(column)
        chart.y_axis.title, chart.x_axis.title = "Values in the bin", column.name
        chart.width, chart.height = CHART_WIDTH_CM, CHART_HEIGHT_CM
        values = Reference(data_sheet, min_col=left + 1, min_row=top + 1, max_row=last)
        chart.add_data(values, titles_from_data=True)
        chart.set_categories(Reference(data_sheet, min_col=left, min_row=top + 2, max_row=last))
        anchor = f"{charts_start.column_letter}{charts_start.row + CHART_ROWS * index}"
        charts_sheet.add_chart(chart, anchor)


def _chart_title(column: ColumnSummary) -> str:
    marks = [
        f"{label} {value:.4g}"
        for label, value in (("mean", column.mean), ("5%", column.p05), ("95%", column.p95))
        if value is not None
    ]
    return f"{column.name}: {', '.join(marks)}" if marks else column.name
