"""An uploaded file to rows: the one way into the app for a user's file.

An upload is untrusted input. It is read in binary mode, copied once into a private temporary
file (in memory while small, on the worker's temporary disk when larger) while its size is
checked and its SHA-256 computed, and only then handed to the reader for its format:

- ``.xlsx`` and ``.xlsm``: ``readers.xlsx``, which first checks the file for zip bombs and other
  traps (``readers.xlsx_guard``), then reads the first visible worksheet.
- ``.csv``, ``.tsv`` and ``.txt``: ``readers.text``, which detects the encoding and delimiter.

Anything wrong with the file raises ``UploadError`` with a message for the user.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

from tablestats.errors import UploadError
from tablestats.limits import DEFAULT_LIMITS, MB, Limits

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
ACCEPTED_SUFFIXES = EXCEL_SUFFIXES + TEXT_SUFFIXES

# Uploads up to this size stay in memory; larger ones go to a temporary file on disk.
_IN_MEMORY_BYTES = 16 * MB
_COPY_CHUNK_BYTES = 1024 * 1024

_REFUSED_SUFFIXES = {
    ".xls": "an Excel 97-2003 workbook (.xls)",
    ".xlsb": "a binary Excel workbook (.xlsb)",
    ".ods": "an OpenDocument spreadsheet (.ods)",
    ".numbers": "a Numbers spreadsheet",
}


@dataclass
class Upload:
    """An upload, copied and measured, ready to be read."""

    name: str
    kind: str  # "xlsx" or "csv"
    file: BinaryIO  # the private copy, positioned at its start
    size: int  # bytes
    sha256: str  # hex digest of the content: the same file gives the same digest


@dataclass
class Table:
    """The rows of an upload: the header, then the data rows, as Python values."""

    header: list
    rows: Iterator[list]
    sheet: str | None  # the worksheet that was read; None for a text file


def upload_kind(filename: str) -> str:
    """ "xlsx" or "csv", from the file name; UploadError for any other kind of file."""
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
    """Copy ``source`` (a binary file object) into a private temporary file, within the limits.

    The copy is deleted when the ``with`` block ends.
    """
    kind = upload_kind(filename)
    with tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY_BYTES) as copy:
        size, sha256 = _copy_within_limit(source, copy, limits.upload_bytes, filename)
        if size == 0:
            raise UploadError(f"{filename} is empty (0 bytes). Upload the file again.")
        copy.seek(0)
        yield Upload(name=filename, kind=kind, file=copy, size=size, sha256=sha256)


def read_table(upload: Upload, limits: Limits = DEFAULT_LIMITS) -> Table:
    """The header and rows of an upload; UploadError when they cannot be read."""
    # Imported here so that a job that reuses a stored result never loads the readers.
    if upload.kind == "xlsx":
        from tablestats.readers.xlsx import read_xlsx

        return read_xlsx(upload.file, upload.name, limits)
    from tablestats.readers.text import read_text

    return read_text(upload.file, upload.name, limits)


def _copy_within_limit(
    source: BinaryIO, target: BinaryIO, limit: int, filename: str
) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(_COPY_CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            raise UploadError(
                f"{filename} is larger than {limit / MB:g} MB, the largest upload this app "
                "accepts. Remove what the table does not need, or split it into smaller files."
            )
        digest.update(chunk)
        target.write(chunk)
    return size, digest.hexdigest()
