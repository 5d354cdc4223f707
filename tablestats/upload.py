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
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
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
_BLOCK_BYTES = 1024 * 1024  # read, copied and hashed at a time; part of the content key

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
    sha256: str  # content key (a SHA-256, see _BlockHash): the same bytes give the same key


@dataclass
class Table:
    """The rows of an upload: the header, then the data rows, as Python values."""

    header: list
    rows: Iterator[Sequence]
    sheet: str | None  # the worksheet that was read; None for a text file
    # How to find the numbers in a column of cells written as text (a CSV file), or None when the
    # reader gives numbers as numbers already (Excel). The statistics apply it a column at a time,
    # which is several times faster than converting every row as it is read.
    parse_numbers: Callable[[Sequence], Sequence] | None = None


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
    """Measure and hash ``source`` (a binary file object), within the limits, for reading.

    A file that can seek (a file on disk) is read where it is. Any other stream (an upload that
    arrives over the network) is copied into a private temporary file first, in memory while
    small and on disk when larger, deleted when the ``with`` block ends.
    """
    kind = upload_kind(filename)
    if source.seekable():
        size, sha256 = _measure(source, filename, limits)
        source.seek(0)
        yield Upload(name=filename, kind=kind, file=source, size=size, sha256=sha256)
        return
    with tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY_BYTES) as copy:
        size, sha256 = _measure(source, filename, limits, copy_to=copy)
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


def _measure(
    source: BinaryIO, filename: str, limits: Limits, copy_to: BinaryIO | None = None
) -> tuple[int, str]:
    """Size and content hash of ``source``, read once in blocks (copied to ``copy_to`` if given)."""
    size, limit = 0, limits.upload_bytes
    with _BlockHash() as content_hash:
        for block in _blocks(source):
            size += len(block)
            if size > limit:
                raise UploadError(
                    f"{filename} is larger than {limit / MB:g} MB, the largest upload this app "
                    "accepts. Remove what the table does not need, or split it into smaller files."
                )
            content_hash.update(block)
            if copy_to is not None:
                copy_to.write(block)
        if size == 0:
            raise UploadError(f"{filename} is empty (0 bytes). Upload the file again.")
        return size, content_hash.hexdigest()


def _blocks(source: BinaryIO) -> Iterator[bytes]:
    """``source`` in blocks of exactly _BLOCK_BYTES (the last one shorter), however it reads."""
    while block := source.read(_BLOCK_BYTES):
        while len(block) < _BLOCK_BYTES and (more := source.read(_BLOCK_BYTES - len(block))):
            block += more  # a network stream may return less than asked before its end
        yield block


class _BlockHash:
    """The SHA-256 of the SHA-256s of each block of a file: a key as safe as the SHA-256 of the
    whole file, which two processor cores compute in half the time (hashlib releases Python's
    interpreter lock while it hashes). It matters when a job only needs the key: a stored result
    is found in about 1/50th of the time it takes to compute it.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=2)
        self._pending: deque[Future] = deque()
        self._outer = hashlib.sha256()

    def update(self, block: bytes) -> None:
        self._pending.append(self._pool.submit(_sha256, block))
        if len(self._pending) > 4:  # keeps at most a few blocks in memory
            self._outer.update(self._pending.popleft().result())

    def hexdigest(self) -> str:
        while self._pending:
            self._outer.update(self._pending.popleft().result())
        return self._outer.hexdigest()

    def __enter__(self) -> _BlockHash:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._pool.shutdown(cancel_futures=True)


def _sha256(block: bytes) -> bytes:
    return hashlib.sha256(block).digest()
