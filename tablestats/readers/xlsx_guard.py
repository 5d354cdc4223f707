"""Checks an .xlsx file before the Excel reader sees it.

The fast Excel reader (python-calamine, written in Rust) copes with most bad input, but two kinds of
file make it *abort the whole Python process*, an error no ``try`` can catch:

- a zip bomb: a small file whose sheet unpacks to gigabytes, also when the zip's headers lie
  about the sizes;
- a sheet with a few filled cells far apart (``A1`` and ``XFD1048576``): the reader holds the
  rectangle from the first to the last filled cell in memory, here 17 billion cells.

So this module unpacks every part of the file once, as a stream, and checks it on the way:

1. the zip directory: number of parts, their declared sizes (the total must stay within the
   limit), their compression (stored or deflate, not encrypted, a ratio deflate can reach);
2. every part's bytes: they must unpack to exactly the declared size, so a header cannot lie;
3. every part's start: no XML document type declaration, the door to entity-expansion attacks
   ("billion laughs"), which Excel never writes;
4. every part's cells (any part can be named as a sheet): the rectangle of filled cells, found
   from the cells themselves, must fit within the cell limit. The ``<dimension>`` element is
   ignored: Excel writes ``A1:XFD1048576`` there whenever whole columns are formatted, which is
   harmless, as are formatted empty cells.

Step 4 is the costly one, so it has a fast path for sheets written the usual way (by Excel,
LibreOffice, openpyxl): the first megabyte is followed cell by cell, which gives the table's
width; then one regular-expression search per megabyte proves that every other cell lies within
that width and the rows the cell limit leaves for it. A cell outside that box, or written in an
unusual way (no reference, a namespace prefix), sends the part to the exact scan, which follows
every cell as the reader will and stops as soon as the rectangle is too large.
"""

from __future__ import annotations

import queue
import re
import struct
import tempfile
import threading
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from tablestats.errors import UploadError
from tablestats.limits import MB, Limits
from tablestats.statistics import column_letters

_READ_BYTES = 256 * 1024  # compressed bytes read at a time
_CHUNK_BYTES = 1024 * 1024  # unpacked bytes examined at a time
_HEAD_BYTES = 64 * 1024  # the start of a sheet, read cell by cell to find the table's width
_MAX_TAG_BYTES = 1024 * 1024  # a tag longer than this is not something Excel wrote
_DEFLATE_MAX_RATIO = 1100  # deflate cannot unpack more than about 1032 bytes from one
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, 22 bytes we skip, name and extra lengths

_EXCEL_CONTENT_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
)


@contextmanager
def checked_copy(file: BinaryIO, filename: str, limits: Limits) -> Iterator[Path]:
    """The path of a checked copy of the workbook in ``file``; UploadError if it is unsafe.

    Every part is unpacked, checked, and written to the copy uncompressed. The reader then sees
    only bytes that were checked, in a zip file this module wrote itself, so it cannot read the
    upload differently from the way it was checked. It also reads the copy faster and in less
    memory (from a path, nothing left to unpack). The copy is a file in a temporary folder,
    deleted when the ``with`` block ends.
    """
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UploadError(_damaged(filename)) from None
    with archive, tempfile.TemporaryDirectory(prefix="checked-upload-") as folder:
        members = archive.infolist()
        _check_directory(members, filename, limits)
        _check_content_types(file, archive, filename)
        copy = Path(folder) / "checked.xlsx"
        with zipfile.ZipFile(copy, "w", zipfile.ZIP_STORED) as clean:
            for member in members:
                _copy_member(file, member, clean, filename, limits)
        yield copy


def _check_directory(members: list[zipfile.ZipInfo], filename: str, limits: Limits) -> None:
    if len(members) > limits.zip_entries:
        raise UploadError(
            f"{filename} holds {len(members):,} files inside; an Excel workbook has far fewer. "
            "Save the table again in Excel as an Excel Workbook (.xlsx)."
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.unpacked_bytes:
        raise UploadError(
            f"{filename} unpacks to {unpacked / MB:,.0f} MB, more than the "
            f"{limits.unpacked_bytes / MB:,.0f} MB this app reads. Remove what the table does not "
            "need, or split it into smaller workbooks."
        )
    names = [member.filename for member in members]
    if len(set(names)) < len(names):  # which one would the reader take?
        raise UploadError(_damaged(filename))
    for member in members:
        if member.flag_bits & 0x1:
            raise UploadError(_password_protected(filename))
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UploadError(_damaged(filename))
        if member.file_size > _DEFLATE_MAX_RATIO * member.compress_size + 1024:
            raise UploadError(_lying(filename))


def _check_content_types(file: BinaryIO, archive: zipfile.ZipFile, filename: str) -> None:
    """An .xlsx names its main part in [Content_Types].xml; other zip files do not."""
    names = set(archive.namelist())
    if "mimetype" in names and "content.xml" in names:
        raise UploadError(
            f"{filename} is an OpenDocument spreadsheet (.ods) named .xlsx. Open it and save it as "
            "an Excel Workbook (.xlsx)."
        )
    if "[Content_Types].xml" not in names:
        raise UploadError(_not_a_workbook(filename))
    content_types = b"".join(_unpacked(file, archive.getinfo("[Content_Types].xml"), filename))
    try:
        root = ElementTree.fromstring(content_types, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException):
        raise UploadError(_damaged(filename)) from None
    declared = {element.get("ContentType") for element in root}
    if not declared.intersection(_EXCEL_CONTENT_TYPES):
        raise UploadError(_not_a_workbook(filename))


def _copy_member(
    file: BinaryIO, member: zipfile.ZipInfo, clean: zipfile.ZipFile, filename: str, limits: Limits
) -> None:
    # Every part, whatever its name: the workbook decides which part the reader takes as a sheet.
    def chunks() -> Iterator[bytes]:
        return _chunks_at_tags(_unpacked(file, member, filename), filename)

    target = zipfile.ZipInfo(member.filename, date_time=member.date_time)
    target.file_size = member.file_size  # lets zipfile choose the zip format for this size
    with _Prefetched(chunks) as unpacked, clean.open(target, "w") as copy:
        first = next(unpacked, b"")
        _check_prolog(first, filename)
        copy.write(first)
        # The first rows, cell by cell, give the width of the table.
        head, rest = _split_at_tag(first, _HEAD_BYTES)
        start = _ExactExtent()
        start.add(head)
        box = _Box(width=start.last_column, cells=limits.cells)
        inside = start.last_row <= box.rows and box.holds(rest)
        for chunk in unpacked:
            copy.write(chunk)
            inside = inside and box.holds(chunk)
    if inside:
        return
    # A cell outside the box, or written in an unusual way: follow every cell from the start.
    exact = _ExactExtent()
    for chunk in _chunks_at_tags(_unpacked(file, member, filename), filename):
        exact.add(chunk)
        if exact.cells > limits.cells:
            raise UploadError(_too_large(filename, exact, limits))


def _split_at_tag(chunk: bytes, size: int) -> tuple[bytes, bytes]:
    cut = chunk.rfind(b"<", 0, size) if len(chunk) > size else -1
    return (chunk[:cut], chunk[cut:]) if cut > 0 else (chunk, b"")


def _unpacked(file: BinaryIO, member: zipfile.ZipInfo, filename: str) -> Iterator[bytes]:
    """The member's bytes, unpacked from the file in chunks; UploadError if the sizes lie.

    zipfile itself stops at the declared size without noticing data that goes on; the reader
    might not stop. Reading the raw deflate stream shows both cases.
    """
    file.seek(member.header_offset)
    header = file.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size:
        raise UploadError(_damaged(filename))
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != b"PK\x03\x04":
        raise UploadError(_damaged(filename))
    file.seek(member.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS) if member.compress_type else None
    remaining, produced = member.compress_size, 0
    while remaining > 0:
        packed = file.read(min(_READ_BYTES, remaining))
        if not packed:
            raise UploadError(_damaged(filename))
        remaining -= len(packed)
        while packed:
            try:
                chunk = inflater.decompress(packed, _CHUNK_BYTES) if inflater else packed
            except zlib.error:
                raise UploadError(_damaged(filename)) from None
            packed = inflater.unconsumed_tail if inflater else b""
            produced += len(chunk)
            if produced > member.file_size:
                raise UploadError(_lying(filename))
            if chunk:
                yield chunk
    if produced != member.file_size or (inflater is not None and not inflater.eof):
        raise UploadError(_lying(filename))


def _chunks_at_tags(chunks: Iterator[bytes], filename: str) -> Iterator[bytes]:
    """The same bytes, cut again so that no chunk ends inside a tag."""
    carry = b""
    for chunk in chunks:
        chunk = carry + chunk
        cut = chunk.rfind(b"<")
        if cut <= 0:
            carry = chunk
        else:
            carry = chunk[cut:]
            yield chunk[:cut]
        if len(carry) > _MAX_TAG_BYTES:
            raise UploadError(_damaged(filename))
    if carry:
        yield carry


class _Prefetched:
    """The chunks of a generator, made in a helper thread a few chunks ahead of the caller.

    zlib releases the interpreter lock while it unpacks, so unpacking the next chunks runs on a
    second processor core while this thread searches the current one.
    """

    _END = object()

    def __init__(self, make_chunks, ahead: int = 4) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=ahead)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, args=(make_chunks,), daemon=True)
        self._thread.start()

    def _produce(self, make_chunks) -> None:
        try:
            for chunk in make_chunks():
                if not self._put(chunk):
                    return
            self._put(self._END)
        except BaseException as error:  # handed to the caller, who raises it
            self._put(error)

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        item = self._queue.get()
        if item is self._END:
            self._queue.put(item)  # stay exhausted
            raise StopIteration
        if isinstance(item, BaseException):
            raise item
        return item

    def __enter__(self) -> _Prefetched:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


_DOCTYPE = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ELEMENT_START = re.compile(rb"<[A-Za-z_]")


def _check_prolog(first_chunk: bytes, filename: str) -> None:
    # A document type declaration may only stand before the first element, so it is in the
    # first chunk if anywhere (_chunks_at_tags never cuts before the first tag).
    root = _ELEMENT_START.search(first_chunk)
    prolog = first_chunk[: root.start()] if root else first_chunk
    if _DOCTYPE.search(prolog):
        raise UploadError(
            f"{filename} contains an XML document type declaration, which Excel never writes and "
            "which can make a reader expand a few bytes into gigabytes. Open the file in Excel "
            "and save it again."
        )


class _Box:
    """Columns 1 to ``width`` and as many rows as ``cells`` allows at that width.

    ``holds(chunk)`` is one search for a cell tag that is not of the form ``<c r="B7"`` with a
    column and row inside the box (which also finds cells without a reference), and one for a
    namespace-prefixed cell tag (``<x:c``), which the first search would not see.
    """

    _PREFIXED_CELL = re.compile(rb":c[\s/>]")

    def __init__(self, width: int, cells: int) -> None:
        width = max(width, 1)
        self.rows = max(cells // width, 1)
        columns_inside = _at_most(column_letters(width - 1).encode(), rb"[A-Z]", ord("A"))
        rows_inside = _at_most(str(self.rows).encode(), rb"\d", ord("0"))
        self._outside = re.compile(rb'<c(?! r="' + columns_inside + rows_inside + rb'")[\s/>]')

    def holds(self, chunk: bytes) -> bool:
        return not (self._outside.search(chunk) or self._PREFIXED_CELL.search(chunk))


def _at_most(word: bytes, any_symbol: bytes, lowest: int) -> bytes:
    """A regular expression for the words that come no later than ``word`` when a shorter word
    comes first, as numbers and column letters do: shorter words, or words as long that are
    smaller at the first place where they differ, or the word itself."""
    options = [any_symbol + b"{1,%d}" % (len(word) - 1)] if len(word) > 1 else []
    last = len(word) - 1
    for place, symbol in enumerate(word):
        highest = symbol if place == last else symbol - 1  # the last place may equal the word
        if highest >= lowest:
            symbols = b"[%s-%s]" % (bytes([lowest]), bytes([highest]))
            rest = any_symbol + b"{%d}" % (last - place) if place < last else b""
            options.append(re.escape(word[:place]) + symbols + rest)
    return b"(?:" + b"|".join(options) + b")" if len(options) > 1 else options[0]


_TAG = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c|v|is)(?=[\s/>])([^>]*)>")
_REFERENCE = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z]*)(\d*)["']""")


class _ExactExtent:
    """The exact rectangle of filled cells, following rows and cells one by one as the reader does.

    A row or cell without a reference comes right after the previous one. A cell counts once it
    holds a value (``<v>``, or inline text ``<is>``); a formatted empty cell does not.
    """

    def __init__(self) -> None:
        self.row = 0
        self.column = 0
        self.open_cell: tuple[int, int] | None = None  # (row, column) of a cell without value yet
        self.first_row = self.first_column = self.last_row = self.last_column = 0

    @property
    def cells(self) -> int:
        if not self.last_row:
            return 0
        return (self.last_row - self.first_row + 1) * (self.last_column - self.first_column + 1)

    @property
    def reference(self) -> str:
        first = f"{column_letters(self.first_column - 1)}{self.first_row}"
        return f"{first}:{column_letters(self.last_column - 1)}{self.last_row}"

    def add(self, chunk: bytes) -> None:
        for closing, name, attributes in _TAG.findall(chunk):
            if closing:
                if name == b"c":
                    self.open_cell = None
            elif name == b"row":
                reference = _REFERENCE.search(attributes)
                self.row = int(reference[2]) if reference and reference[2] else self.row + 1
                self.column = 0
            elif name == b"c":
                reference = _REFERENCE.search(attributes)
                if reference and reference[1]:
                    self.column = _column_number(reference[1].upper())
                else:
                    self.column += 1
                row = int(reference[2]) if reference and reference[2] else self.row
                self.open_cell = None if attributes.endswith(b"/") else (row, self.column)
            elif self.open_cell is not None:  # <v> or <is> inside a cell
                self._include(*self.open_cell)
                self.open_cell = None

    def _include(self, row: int, column: int) -> None:
        if not self.last_row:
            self.first_row = self.last_row = row
            self.first_column = self.last_column = column
            return
        self.first_row, self.last_row = min(self.first_row, row), max(self.last_row, row)
        self.first_column = min(self.first_column, column)
        self.last_column = max(self.last_column, column)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def _too_large(filename: str, extent: _ExactExtent, limits: Limits) -> str:
    return (
        f"The filled cells of a sheet in {filename} span more than {limits.cells:,} cells "
        f"(at least {extent.reference}), more than this app reads. Delete the rows and columns "
        "that do not belong to the table (select them, right-click, Delete), save, and upload "
        "the file again."
    )


def _damaged(filename: str) -> str:
    return (
        f"{filename} is damaged or incomplete, so it cannot be read as an Excel workbook. Upload "
        "it again; if that does not help, open it in Excel and save it as an Excel Workbook "
        "(.xlsx)."
    )


def _lying(filename: str) -> str:
    return (
        f"{filename} is not a well-formed Excel workbook: its parts do not unpack to the sizes "
        "the file declares, which is how zip bombs work. Open it in Excel and save it again, or "
        "export the table as CSV."
    )


def _not_a_workbook(filename: str) -> str:
    return (
        f"{filename} is a zip file but not an Excel workbook (is it a Word or PowerPoint file?). "
        "Upload an Excel Workbook (.xlsx) or a CSV file."
    )


def _password_protected(filename: str) -> str:
    return (
        f"{filename} is protected with a password, so it cannot be read. Open it in Excel, "
        "remove the password (File > Info > Protect Workbook), save, and upload it again."
    )
