"""An uploaded file to rows: the one way into the app for a user's file.

An upload is untrusted input. It is read in binary mode; a stream is copied in blocks to a private
temporary file, so that memory use does not depend on the file's size; the size is checked
against the limit, a SHA-256 key of the content computed, and only then is the file handed to the
reader for its format:

- ``.xlsx`` and ``.xlsm``: ``readers.xlsx``, which first checks the file for zip bombs and other
  traps (``readers.xlsx_guard``), then reads the first visible worksheet.
- ``.csv``, ``.tsv`` and ``.txt``: ``readers.text``, which detects the encoding and delimiter.

Anything wrong with the file raises ``UploadError`` with a message for the user.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

from tablestats.content_key import BLOCK_BYTES, content_key
from tablestats.errors import UploadError
from tablestats.limits import DEFAULT_LIMITS, MB, Limits

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
ACCEPTED_SUFFIXES = EXCEL_SUFFIXES + TEXT_SUFFIXES


_REFUSED_SUFFIXES = {
    ".xls": "an Excel 97-2003 workbook (.xls)",
    ".xlsb": "a binary Excel workbook (.xlsb)",
    ".ods": "an OpenDocument spreadsheet (.ods)",
    ".numbers": "a Numbers spreadsheet",
}


@dataclass
class Upload:
    """An upload, measured and hashed, ready to be read."""

    name: str
    kind: str  # "xlsx" or "csv"
    file: BinaryIO  # its bytes (the file itself if it can seek, else a private copy), at the start
    size: int  # bytes
    sha256: str  # content key (a SHA-256, see content_key.py): the same bytes give the same key


@dataclass
class Table:
    """The rows of an upload: the header, then the data rows, as lists of cell values."""

    header: list
    rows: Iterator[Sequence]
    sheet: str | None  # the worksheet that was read; None for a text file
    # How to find the numbers in a column of cells written as text (a CSV file), or None when the
    # reader gives numbers as numbers already (Excel). The statistics apply it a column at a time,
    # which is several times faster than converting every row as it is read.
    parse_numbers: Callable[[Sequence], Sequence] | None = None


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


@contextmanager
def receive_upload(
    source: BinaryIO, filename: str, limits: Limits = DEFAULT_LIMITS
) -> Iterator[Upload]:
    """Measure and hash ``source`` (a binary file object), within the limits, for reading.

    A file that can seek (a file on disk) is read where it is. Any other stream (an upload that
    arrives over the network) is first copied to a private temporary file on the worker's disk,
    deleted when the ``with`` block ends; memory use does not depend on the size of the file.
    """
    kind = upload_kind(filename)
    if source.seekable():
        yield _measured(source, filename, kind, limits)
        return
    with tempfile.TemporaryFile() as copy:
        _copy_within_limit(source, copy, filename, limits)
        yield _measured(copy, filename, kind, limits)


def read_table(upload: Upload, limits: Limits = DEFAULT_LIMITS) -> Table:
    """The header and rows of an upload; UploadError when they cannot be read."""
    # Imported here so that a job that reuses a stored result never loads the readers.
    if upload.kind == "xlsx":
        from tablestats.readers.xlsx import read_xlsx

        return read_xlsx(upload.file, upload.name, limits)
    from tablestats.readers.text import read_text

    return read_text(upload.file, upload.name, limits)


def _measured(file: BinaryIO, filename: str, kind: str, limits: Limits) -> Upload:
    size = file.seek(0, os.SEEK_END)
    if size > limits.upload_bytes:
        raise UploadError(_too_large(filename, limits))
    if size == 0:
        raise UploadError(f"{filename} is empty (0 bytes). Upload the file again.")
    key = content_key(file, size)
    file.seek(0)
    return Upload(name=filename, kind=kind, file=file, size=size, sha256=key)


def _copy_within_limit(source: BinaryIO, target: BinaryIO, filename: str, limits: Limits) -> None:
    copied = 0
    while chunk := source.read(BLOCK_BYTES):
        copied += len(chunk)
        if copied > limits.upload_bytes:  # checked while copying: a stream has no size
            raise UploadError(_too_large(filename, limits))
        target.write(chunk)


def _too_large(filename: str, limits: Limits) -> str:
    return (
        f"{filename} is larger than {limits.upload_bytes / MB:g} MB, the largest upload this app "
        "accepts. Remove what the table does not need, or split it into smaller files."
    )
