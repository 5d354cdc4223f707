"""Excel workbooks (.xlsx, .xlsm) to a table, with python-calamine.

python-calamine reads a 200,000-row sheet in about a second, where openpyxl takes ten or more (see
the README's benchmark). It is also the reader that can abort the whole process on a hostile
file, so it only ever reads the checked copy that ``xlsx_guard.check_workbook`` makes, which holds
the one sheet to read: the first visible worksheet. Where the process may use two cores, a large
sheet's copy is two workbooks, of its first rows and of the rest, which load on two threads
(python-calamine lets other threads run while it loads); the first starts while the guard still
checks the second.

The reader gives what Excel shows in the cells: the cached value of a formula, numbers as numbers,
dates as dates, text as text. Cells with an error value (``#DIV/0!``) read as empty, and so do
formulas without a cached value, which the table counts per column; in merged cells, only the
top-left cell holds the value. Empty rows and columns above and left of the table do not matter:
the table starts at its first filled row and column. The header's cells name the columns as Excel
shows them (see ``cell_text``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import chain, dropwhile, islice
from pathlib import Path
from typing import Any, BinaryIO

import python_calamine

from app_files.progress import report
from app_files.uploaded import UploadError
from tablestats.cores import available_cores
from tablestats.limits import Limits
from tablestats.numbers import numbers_in_values
from tablestats.readers import OLE_SIGNATURE, ZIP_SIGNATURE
from tablestats.readers.cell_text import cell_text
from tablestats.readers.xlsx_guard import check_workbook
from tablestats.readers.zip_parts import password_protected
from tablestats.row_blocks import blocks_of_rows
from tablestats.table import Table

# The name of the stream that holds an encrypted workbook inside that container, in UTF-16.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def read_xlsx(file: BinaryIO, filename: str, limits: Limits) -> Table:
    """The header and rows of the first visible worksheet; UploadError if there are none."""
    header, rows, sheet = _first_sheet(file, filename, limits)
    blocks = blocks_of_rows(rows, len(header), numbers_in_values)
    return Table(header=header, blocks=blocks, **sheet)


def read_xlsx_rows(
    file: BinaryIO, filename: str, limits: Limits
) -> tuple[list[str], Iterator[list]]:
    """The header and the rows below it, as the reader gives their values: what ``read_xlsx``
    reads. For the tests, and for a look at what the reader makes of a workbook."""
    header, rows, _ = _first_sheet(file, filename, limits)
    return header, rows


def _first_sheet(
    file: BinaryIO, filename: str, limits: Limits, split: bool | None = None
) -> tuple[list[str], Iterator[list], dict[str, Any]]:
    """The header and rows of the first visible worksheet, and the ``Table`` fields about it.

    ``split`` says whether a large sheet may be copied as two workbooks, loaded at once: by
    default where the process may run on two cores or more; on one, that only costs time.
    """
    if split is None:
        split = available_cores() > 1
    _check_kind(file, filename)
    with tempfile.TemporaryDirectory(prefix="checked-upload-") as folder:
        # Each workbook of the checked copy loads on a thread of its own (the reader lets other
        # threads run meanwhile). The pool ends, its loads done, before the folder is deleted.
        with ThreadPoolExecutor(max_workers=2) as pool:
            loads: dict[Path, Future] = {}

            def load(path: Path) -> None:
                if path not in loads:
                    loads[path] = pool.submit(_load_sheet, path)

            report("Checking the workbook", 0.0)
            checked = check_workbook(file, filename, limits, Path(folder), load, split)
            report("Reading the sheet", 0.3)
            for path in set(loads) - set(checked.paths):  # a half the copy does not use after all
                loads.pop(path).exception()  # waits for it: the two are not held at once
            for path in checked.paths:
                load(path)
            sheets = [_loaded(loads.pop(path), filename) for path in checked.paths]
    if _overlapping(sheets):  # rows out of order, which Excel never writes: read it as one
        del sheets
        return _first_sheet(file, filename, limits, split=False)
    name = checked.sheet
    cells, first_column, height = _sheet_rows(sheets)
    # The reader starts at the sheet's first row, which may be empty; the table starts below.
    rows = dropwhile(_is_empty, cells)
    header = next(rows, None)
    if header is None:
        raise UploadError(
            f"The sheet '{name}' in {filename} is empty. Put the table on the first sheet, with "
            "the column names in its first row."
        )
    if len(header) > limits.columns:
        raise UploadError(
            f"The sheet '{name}' in {filename} is {len(header):,} columns wide; this app reads at "
            f"most {limits.columns:,}. Delete the columns that do not belong to the table."
        )
    table_fields = {
        "sheet": name,
        "first_column": first_column,
        "formulas_without_value": _in_table(
            checked.formulas_without_value, first_column, len(header)
        ),
        "expected_rows": height,
    }
    return [cell_text(value) for value in header], rows, table_fields


def _load_sheet(path: Path) -> python_calamine.CalamineSheet:
    with python_calamine.CalamineWorkbook.from_path(path) as workbook:
        return workbook.get_sheet_by_index(0)  # holds the sheet's cells in memory


def _loaded(load: Future, filename: str) -> python_calamine.CalamineSheet:
    """The sheet a thread loaded; UploadError for what the reader could not read."""
    try:
        return load.result()
    except python_calamine.PasswordError:
        raise UploadError(password_protected(filename)) from None
    except python_calamine.CalamineError as error:
        raise UploadError(_unreadable(filename, error)) from None
    except BaseException as error:
        # A bug in the Rust reader surfaces as a "PanicException", which is not an Exception.
        if type(error).__name__ != "PanicException":
            raise
        raise UploadError(_unreadable(filename, error)) from None


def _sheet_rows(
    sheets: list[python_calamine.CalamineSheet],
) -> tuple[Iterator[list], int, int]:
    """The sheet's rows from its ranges of cells, one per workbook of the checked copy, all as
    wide as the widest; the sheet's first column (0 is A) and its height in rows.

    The reader gives each range's rows from the sheet's first row (those above the range empty)
    and from the range's first column, which may differ between ranges: each range's rows go
    below the rows of the range before, padded to the columns of all.
    """
    ranges = _ranges(sheets)
    first_column = min((start[1] for _, start, _ in ranges), default=0)
    width = max((end[1] + 1 - first_column for _, _, end in ranges), default=0)
    parts, given = [], 0  # given: the sheet's rows the ranges before have given
    for sheet, start, end in ranges:
        rows = islice(sheet.iter_rows(), min(given, start[0]), None)
        left = start[1] - first_column
        parts.append(_padded(rows, left, width - left - (end[1] - start[1] + 1)))
        given = end[0] + 1
    height = 0
    if ranges:  # from the first range's first row to the last one's last
        height = ranges[-1][2][0] - ranges[0][1][0] + 1
    return chain.from_iterable(parts), first_column, height


Position = tuple[int, int]  # a cell's row and column, 0 for the first


def _ranges(
    sheets: list[python_calamine.CalamineSheet],
) -> list[tuple[python_calamine.CalamineSheet, Position, Position]]:
    """Each sheet that holds cells, with the first and the last cell of its range."""
    ranges = [(sheet, sheet.start, sheet.end) for sheet in sheets]
    return [(sheet, start, end) for sheet, start, end in ranges if start and end]


def _overlapping(sheets: list[python_calamine.CalamineSheet]) -> bool:
    """Whether a range of cells starts in a row of the range before: the rows of two halves of a
    sheet cannot be read one after the other then."""
    ranges = _ranges(sheets)
    return any(
        later_start[0] <= end[0]
        for (_, _, end), (_, later_start, _) in zip(ranges, ranges[1:], strict=False)
    )


def _padded(rows: Iterator[list], left: int, right: int) -> Iterator[list]:
    """The rows with ``left`` empty cells in front and ``right`` after."""
    if not left and not right:
        return rows
    return ([""] * left + row + [""] * right for row in rows)


def _in_table(by_sheet_column: dict[int, int], first_column: int, width: int) -> dict[int, int]:
    """Counts by the sheet's column index, as counts by the table's, for its columns only."""
    return {
        column - first_column: count
        for column, count in sorted(by_sheet_column.items())
        if first_column <= column < first_column + width
    }


def _is_empty(row: list) -> bool:
    return row.count("") == len(row)  # the reader gives an empty cell as ""


def _check_kind(file: BinaryIO, filename: str) -> None:
    """Tell the user what the file is when it is not an .xlsx at all."""
    start = file.read(8)
    file.seek(0)
    if start.startswith(ZIP_SIGNATURE):
        return
    if start.startswith(OLE_SIGNATURE):
        if _contains(file, _ENCRYPTED_PACKAGE):
            message = password_protected(filename)
        else:
            message = (
                f"{filename} is an Excel 97-2003 workbook (.xls) with the extension .xlsx. Open "
                "it in Excel and save it as an Excel Workbook (.xlsx)."
            )
        raise UploadError(message)
    raise UploadError(
        f"{filename} is not an Excel workbook, although its name ends in .xlsx. Open the table in "
        "its program and save it as an Excel Workbook (.xlsx) or as CSV."
    )


def _contains(file: BinaryIO, marker: bytes, chunk_bytes: int = 1024 * 1024) -> bool:
    overlap = b""
    while chunk := file.read(chunk_bytes):
        if marker in overlap + chunk:
            file.seek(0)
            return True
        overlap = chunk[-len(marker) :]
    file.seek(0)
    return False


def _unreadable(filename: str, error: BaseException) -> str:
    reason = " ".join(str(error).split())  # the reader's words, on one line
    return (
        f"{filename} cannot be read as an Excel workbook ({reason}). Open it in Excel, save it as "
        "an Excel Workbook (.xlsx), and upload it again."
    )
