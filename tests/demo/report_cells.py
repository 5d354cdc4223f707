"""Read a report the way the code writes it: through its named cells and its table.

Tests that look up B4 or row 13 break the first time someone restyles the template in Excel,
which the template invites; names survive that.
"""

from openpyxl.utils.cell import range_boundaries

from tablestats.report import TABLE_NAME


def named_cell(workbook, name: str):
    ((sheet, reference),) = workbook.defined_names[name].destinations
    return workbook[sheet][reference.replace("$", "")]


def named_value(workbook, name: str):
    return named_cell(workbook, name).value


def _table_cells(workbook) -> list[list]:
    """The values of the report's table, its header row first."""
    for sheet in workbook.worksheets:
        if TABLE_NAME in sheet.tables:
            first_column, header_row, last_column, last_row = range_boundaries(
                sheet.tables[TABLE_NAME].ref
            )
            return [
                [sheet.cell(row=r, column=c).value for c in range(first_column, last_column + 1)]
                for r in range(header_row, last_row + 1)
            ]
    raise AssertionError(f"no table {TABLE_NAME} in the report")


def table_rows(workbook) -> list[list]:
    """The data rows of the report's table, below its header row."""
    return _table_cells(workbook)[1:]


def table_headers(workbook) -> tuple:
    """The header row of the report's table, checked against the table's own column names,
    which Excel needs to equal the header cells."""
    headers = tuple(_table_cells(workbook)[0])
    for sheet in workbook.worksheets:
        if TABLE_NAME in sheet.tables:
            names = tuple(column.name for column in sheet.tables[TABLE_NAME].tableColumns)
            assert names == headers, f"table columns {names} differ from header cells {headers}"
    return headers
