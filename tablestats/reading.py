"""An upload to a table: the reader for its kind of file.

- ``.xlsx`` and ``.xlsm``: ``readers.xlsx``, which first checks the file for zip bombs and other
  traps (``readers.xlsx_guard``), then reads the first visible worksheet.
- ``.csv``, ``.tsv`` and ``.txt``: ``readers.text``, which detects the encoding and delimiter.

Anything wrong with the file raises ``UploadError`` with a message for the user.
"""

from __future__ import annotations

from pathlib import PurePath

from app_files.uploaded import Upload, UploadError
from tablestats.limits import DEFAULT_LIMITS, Limits
from tablestats.table import Table

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
ACCEPTED_SUFFIXES = EXCEL_SUFFIXES + TEXT_SUFFIXES

_REFUSED_SUFFIXES = {
    ".xls": "an Excel 97-2003 workbook (.xls)",
    ".xlsb": "a binary Excel workbook (.xlsb)",
    ".ods": "an OpenDocument spreadsheet (.ods)",
    ".numbers": "a Numbers spreadsheet",
}


def upload_kind(filename: str) -> str:
    """The kind of upload, "xlsx" or "csv", from the file name; UploadError for any other."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return "xlsx"
    if suffix in TEXT_SUFFIXES:
        return "csv"
    if suffix in _REFUSED_SUFFIXES:
        raise UploadError(
            f"{filename} is {_REFUSED_SUFFIXES[suffix]}, which this app cannot read. Open it in "
            "Excel and save it as an Excel Workbook (.xlsx), or as CSV."
        )
    raise UploadError(
        f"{filename} is not a table this app can read. Upload an Excel workbook (.xlsx) or a "
        "CSV file (.csv)."
    )


def read_table(upload: Upload, limits: Limits = DEFAULT_LIMITS) -> Table:
    """The header and rows of an upload; UploadError when they cannot be read."""
    # Imported here so that a job that reuses a stored result never loads the readers.
    if upload_kind(upload.name) == "xlsx":
        from tablestats.readers.xlsx import read_xlsx

        return read_xlsx(upload.file, upload.name, limits)
    from tablestats.readers.text import read_text

    return read_text(upload.file, upload.name, limits)
